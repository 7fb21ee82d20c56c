"""Who a speaker mention stands for: one entity per person or organisation of an article, so that
"Putin", "Vladimir Putin", "the Russian leader" and "he" are one speaker, "the ministry" is the
ministry named before (never another organisation), and nothing that is no speaker (a place, a
channel, a news agency, a demonym) is ever a pronoun's antecedent.

The vocabulary comes from ``speakers.vocabulary()``; the curated actors from ``actors.actors()``.

Its length is one algorithm: joining every mention of an article to its entity (names, descriptions, pronouns), over the shared per-article state.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import islice

from archive.extract.actors import Actor, actors, anonymous_source, outlet
from archive.extract.speakers import Mention, folded_name, vocabulary
from archive.model import Speaker

__all__ = ["Entity", "Entities"]

_DETERMINERS = frozenset({"the", "a", "an"})
_TITLES = frozenset({"mr", "mrs", "miss", "ms", "sir", "dr", "lady", "lord"})
# How many entities back a pronoun may look, and how many a speaker may stand behind the nearest one
_WINDOW = 12
_SPEAKER_REACH = 4
# Kinds of gazetteer place that may speak for a government ("Ukraine said", "Moscow denied")
_METONYMIC_KINDS = frozenset({"country", "union"})


@dataclass(eq=False)
class Entity:
    name: str
    type: str
    role: str | None
    gender: str | None
    words: set[str] = field(default_factory=set)
    alias: Entity | None = None  # the entity this one turned out to be
    calls: dict[str, list] = field(default_factory=dict)  # last word of a name mention -> [count, longest name]
    spoke: bool = False  # the speaker of a statement: the likeliest antecedent of a later pronoun
    place: bool = False  # a country speaking for its government ("Ukraine said")
    listed_role: str | None = None  # the actors list's role: shown when the text gives none
    known: bool = False  # a person by a title, a role or a known first name, not by the look of the name
    listed: bool = False  # named by the actors list (the article used a nickname): the name stays

    def called(self, name: str) -> None:
        """Count a name mention ("Florence", "Florence Linden", "Lord Henry")."""
        words = name.split()
        if not words:
            return
        key = folded_name(words[-1])
        hit = self.calls.setdefault(key, [0, name])
        hit[0] += 1
        if len(name) > len(hit[1]):
            hit[1] = name

    @property
    def label(self) -> str:
        """The name to show: the full name, unless the text mostly calls the person by another word of
        it ("Basil" for Basil Hallward, "Lord Henry" for Henry Wotton): then the longest name ending so."""
        if not self.calls or self.type not in ("person", "unknown") or self.listed:
            return self.name
        last = folded_name(self.name).split()[-1:] or [""]
        best = max(self.calls.items(), key=lambda kv: (kv[1][0], kv[0] == last[0]))
        if best[0] == last[0] or best[1][0] <= self.calls.get(last[0], [0])[0]:
            return self.name
        return best[1][1]

    def final(self) -> Entity:
        ent = self
        while ent.alias is not None:
            ent = ent.alias
        return ent

    @property
    def nominal(self) -> bool:
        """A described entity ("the parson"): its only word is "nominal:<head>"."""
        return len(self.words) == 1 and next(iter(self.words)).startswith("nominal:")

    def person_like(self, common: frozenset[str] = frozenset()) -> bool:
        """May be "he" or "she": a person known by a title, role or first name; else a name of two words
        or more none of which the text writes in lower case (``common``: "Patriot Coal", "Lenox
        Healthcare"), or one that spoke; never a demonym, outlet or abbreviation ("Va.", "EB-5")."""
        if "nominal:i" in self.words:
            return False  # the first-person narrator is "I", never "he"
        if self.known or self.type == "anonymous" and not self.name.endswith("s"):
            return True
        if self.type == "person" and not self.nominal and any(w.lower() in common for w in self.name.split()[1:]):
            return False
        if self.type == "person":
            return True
        if folded_name(self.name).split()[-1:] and folded_name(self.name).split()[-1] in vocabulary().thing_heads:
            return False  # "Changi International Airport", "Terminal"
        if self.type != "unknown" or self.place:
            return False
        words = self.name.split()
        if any(not w[:1].isalpha() or any(c.isdigit() for c in w) for w in words):
            return False

        if len(words) == 1:  # a word met once that never spoke is as likely "Amendment" as a surname
            return len(self.name) > 3 and not self.name.isupper() and (self.spoke or self.gender is not None or sum(c[0] for c in self.calls.values()) > 1)
        return not outlet(self.name)


def _display(m: Mention) -> str:
    """A description as a name: "the Lebanese health ministry" -> "Lebanese health ministry"."""
    words = m.name.split()
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    return " ".join(words) or m.name


class Entities:
    """The speakers and people of one article, in order of mention: resolves short names, pronouns
    and descriptions ("the president") to the entity they stand for.

    ``places`` maps place spans found in the text to their kind: a place is never an antecedent, and
    speaks only as a country's government.  ``contents`` are the spans of reported content: a name met
    only inside what someone said ("…, he said of Bernie Sanders") is a poor antecedent."""

    def __init__(
        self,
        gender_hints: dict[str, str] | None = None,
        places: dict[tuple[int, int], str] | None = None,
        contents: list[tuple[int, int]] | None = None,
        common: frozenset[str] = frozenset(),
        text: str = "",
    ) -> None:
        self.text = text  # the article: where a listed actor's name may be found
        self._actors = actors()
        self.common = common  # words the text writes in lower case: "coal" of "Patriot Coal"
        self.entities: list[Entity] = []
        self.timeline: list[tuple[int, Entity]] = []  # (offset, entity), in text order
        self.gender_hints = gender_hints or {}
        self.narrator: Entity | None = None  # "I said": the first-person narrator
        self.places = places or {}
        self._place_spans = sorted(self.places)
        self._place_starts = [a for a, _ in self._place_spans]
        spans = sorted(contents or [])
        self._content_starts = [a for a, _ in spans]
        self._content_reach: list[int] = []  # the furthest end of the spans up to each one
        for _, b in spans:
            self._content_reach.append(max(b, self._content_reach[-1]) if self._content_reach else b)

    # ------------------------------------------------------------------ registering mentions

    def add(self, m: Mention, speaker: bool = False) -> Entity | None:
        """Register a mention (in text order) and return the entity it refers to; ``speaker`` when the
        mention is a statement's speaker."""
        kind = self.place_kind(m)
        if kind is not None and not speaker and not (m.role or m.gender):
            return None  # "Mykolaiv", "Luhansk": a place named in passing is nobody's antecedent
        ent = self.resolve(m)
        ent = ent.final() if ent is not None else None
        if ent is not None:
            if kind is not None and self._metonymic(m, kind):
                ent.place, ent.type = True, "organization"  # "Ukraine said", "Moscow denied"
            if speaker:
                ent.spoke = True
            self.timeline.append((m.start, ent))
        return ent

    @staticmethod
    def _metonymic(m: Mention, kind: str) -> bool:
        return kind in _METONYMIC_KINDS or folded_name(m.name) in vocabulary().capitals

    def mute_place(self, m: Mention, dateline: bool) -> bool:
        """A speaker mention that is a place in capitals ("ERBIL") or after a preposition ("in Tulsa,
        Oklahoma, arguing"): the subject picked was the place, not who spoke."""
        kind = self.place_kind(m)
        if kind is None or self._metonymic(m, kind) and not m.name.isupper():
            return False
        return m.name.isupper() or dateline

    def place_kind(self, m: Mention) -> str | None:
        """The kind of place a name mention is ("Ukraine", "Ukraine's"), or None."""
        if m.form != "name" or not self._place_starts:
            return None
        k = bisect.bisect_right(self._place_starts, m.start) - 1
        if k < 0:
            return None
        span = self._place_spans[k]
        if span[1] < m.end - 2 or (span[0] != m.start and span[1] > m.end):  # "Francisco" of "San Francisco"
            return None
        return self.places[span]

    def in_content(self, pos: int) -> bool:
        """Whether offset ``pos`` lies inside reported content."""
        k = bisect.bisect_right(self._content_starts, pos) - 1
        return k >= 0 and self._content_reach[k] > pos

    # ------------------------------------------------------------------ resolution

    def resolve(self, m: Mention, before: int | None = None) -> Entity | None:
        pos = m.start if before is None else before
        if m.name == "I" and m.form == "name":
            if self.narrator is None:
                self.narrator = Entity("I", "person", None, None, {"nominal:i"})
                self.entities.append(self.narrator)
            return self.narrator
        if m.form == "pronoun":
            return self._pronoun(m, pos)
        if m.form == "nominal":
            return self._nominal(m, pos)
        actor = self._actors.find(m.name)
        name_words = folded_name(m.name).split()
        words = set(name_words) - _TITLES if m.type == "person" else set(name_words)
        if actor is not None:
            words |= actor.words
        if not words:
            return None
        may_grow = m.type in ("person", "unknown") and name_words[-1] not in vocabulary().thing_heads
        for ent in islice(reversed(self.entities), 400):
            if ent.type in ("group",) and m.type != "group":
                continue
            grows = may_grow and ent.words <= words and ent.type in ("person", "unknown")  # not "Obama Museum"
            if m.gender and ent.gender and m.gender != ent.gender and not _surname_of(m, ent):
                continue  # "Mrs. Bennet" is not "Mr. Bennet"
            if words <= ent.words or grows or (actor is not None and actor.words <= ent.words):
                if m.type == "person" and ent.type == "organization" and words != ent.words:
                    continue  # "Mr. Clarke" is not "Clarke's new company"
                ent.called(m.name)
                if len(words) > len(ent.words) and m.type in ("person", "unknown") and actor is None:
                    ent.name, ent.words = m.name, words
                if m.role and not ent.role:
                    ent.role = m.role
                if ent.type == "unknown" and m.type != "unknown":
                    ent.type = m.type
                if m.gender and not ent.gender:
                    ent.gender = m.gender
                ent.known = ent.known or _known_person(m)
                self._touch(ent)
                return ent
        last = name_words[-1]
        gender = m.gender
        if (
            gender is None
            and last in self.gender_hints
            and last not in vocabulary().thing_heads
            and not m.name.isupper()
            and all(w.replace("-", "").replace("'", "").replace(".", "").isalpha() for w in m.name.split())
        ):  # not "A380"
            gender = self.gender_hints[last]
        typ = "person" if m.type == "unknown" and gender else m.type
        ent = Entity(m.name, typ, m.role, gender, words, known=_known_person(m))
        if actor is not None:
            self._know(ent, actor, m)
        ent.called(m.name)
        self.entities.append(ent)
        return ent

    @staticmethod
    def _know(ent: Entity, actor: Actor, m: Mention) -> None:
        """What the actors list says of a name: its type, its role, and the name to show when the
        article calls it by a nickname only ("Hemedti" -> Mohamed Hamdan Dagalo)."""
        ent.type = actor.type
        ent.listed_role = actor.role
        if actor.nickname(m.name):
            ent.name, ent.listed = actor.name, True
            ent.words = set(ent.words) | set(folded_name(actor.name).split())

    def _touch(self, ent: Entity) -> None:
        self.entities.remove(ent)
        self.entities.append(ent)

    def _recent(self, pos: int) -> list[tuple[Entity, bool]]:
        """Entities met before ``pos``, the latest first, with whether that latest mention lies inside
        reported content."""
        seen: dict[Entity, int] = {}  # entities hash by identity
        for p, ent in reversed(self.timeline[-100:]):
            if p >= pos or ent in seen:
                continue
            seen[ent] = p
            if len(seen) > _WINDOW:
                break
        return [(ent, self.in_content(p)) for ent, p in seen.items()]

    def _pronoun(self, m: Mention, pos: int) -> Entity | None:
        want = m.gender
        recent = self._recent(pos)
        if want in ("male", "female"):
            people = [(e, inc) for e, inc in recent if e.person_like(self.common) and (e.gender is None or e.gender == want)]
            ent = self._antecedent(people, lambda e: e.gender == want)
            if ent is not None and ent.gender is None:
                ent.gender = want  # learnt: later pronouns of the other gender look elsewhere
                ent.type = "person"
            return ent
        bodies = [(e, inc) for e, inc in recent if _body(e, plural=want == "plural") and not outlet(e.name)]
        return self._antecedent(bodies, lambda e: True)

    @staticmethod
    def _antecedent(cands: list[tuple[Entity, bool]], sure) -> Entity | None:
        """The nearest candidate met outside reported content (inside only if there is none); a
        speaker just behind it wins over a name that never spoke ("Obama said … Muhammad Ali … he
        said"), and a candidate ``sure`` of its gender wins over an unsure one that never spoke."""
        outside = [e for e, inc in cands if not inc] or [e for e, _ in cands]
        if not outside:
            return None
        for n, e in enumerate(outside):
            if not sure(e) and not e.spoke and any(sure(o) for o in outside[n + 1 : n + 1 + _SPEAKER_REACH]):
                continue
            if not e.spoke:
                for o in outside[n + 1 : n + _SPEAKER_REACH]:
                    if o.spoke and sure(o) and o.type == e.type:
                        return o
            return e
        return outside[0]

    def _nominal(self, m: Mention, pos: int) -> Entity | None:
        if m.type == "organization":
            return self._organisation(m, pos)
        v = vocabulary()
        lows = [w.lower() for w in m.name.split()]
        head = lows[-1]
        wanted = set(v.synonyms.get(head, ())) | {head}
        mods = {w for w in lows[:-1] if w not in v.roles and w not in v.modifiers and w not in _DETERMINERS}
        for ent, _ in self._recent(pos):
            if ent.type not in ("person", "unknown") or not ent.role:
                continue
            role = ent.role.lower()
            if any(w in role.split() or (" " in w and w in role) for w in wanted):
                if all(folded_name(x) in folded_name(role) for x in mods):
                    return ent
        if m.type != "person":
            return None
        ent = self._listed_holder(m, wanted, mods)
        if ent is not None:
            return ent
        # a description met before ("the parson" … "the parson"), else a new, unnamed person
        key = folded_name(m.name)
        key = " ".join(w for w in key.split() if w not in _DETERMINERS)
        for ent in reversed(self.entities[-400:]):
            if ent.words == {"nominal:" + key} or ent.words == {"nominal:" + head}:
                self._touch(ent)
                return ent
        typ = "anonymous" if anonymous_source(m.text) else "person"
        ent = Entity(self._described(m), typ, head, m.gender, {"nominal:" + head})
        self.entities.append(ent)
        return ent

    def _listed_holder(self, m: Mention, posts: set[str], mods: set[str]) -> Entity | None:
        """ "Azerbaijan's president" where the article names Ilham Aliyev: the listed holder of that post."""
        places = [w for w in (folded_name(x) for x in mods) if w and w not in ("s",)]
        places = [w.split()[0] for w in places]
        if not places or not self.text:
            return None
        name = self._actors.holder({folded_name(p) for p in posts}, places, self.text)
        if name is None:
            return None
        return self.resolve(Mention(m.start, m.end, m.text, name, m.role, "person", "name", m.gender))

    def _organisation(self, m: Mention, pos: int) -> Entity:
        """ "the ministry", "the Lebanese health ministry", "the army": the organisation of that kind
        met before whose name agrees with the description's words, else a new one so described."""
        v = vocabulary()
        lows = folded_name(_display(m)).split()
        head = lows[-1]
        kinds = set(v.org_synonyms.get(head, ())) | {head}
        mods = [w for w in lows[:-1] if w not in v.modifiers and w not in ("s",)]
        for ent in reversed(self.entities[-400:]):
            if ent.type not in ("organization", "group"):
                continue
            words = set(folded_name(ent.name).split()) | {w for w in ent.words if not w.startswith("nominal:")}
            names = words | {w.rstrip("s") for w in words}
            if not kinds & names and not any(" " in k and k in " ".join(folded_name(ent.name).split()) for k in kinds):
                continue
            if all(_agrees(w, names) for w in mods):
                self._touch(ent)
                return ent
        key = "nominal:" + " ".join(lows)
        for ent in reversed(self.entities[-400:]):
            if ent.words == {key} or (not mods and ent.nominal and folded_name(ent.name).split()[-1:] == [head]):
                self._touch(ent)
                return ent
        if head in v.generic_org_heads and not mods:
            # "the company": the latest organisation that is neither an outlet nor a country
            for ent, _inside in self._recent(pos):
                if ent.type == "organization" and not ent.place and not ent.nominal and not outlet(ent.name):
                    return ent
        ent = Entity(self._described(m), "organization", None, None, {key})
        self.entities.append(ent)
        return ent

    def _described(self, m: Mention) -> str:
        """The name of a new entity known by a description: the description, and never one lower-case
        word, which would read as a name in the facet: "chair of the DNC" (its "of"-phrase naming
        whose), "miners' union" (an organisation described more fully before), else its description from
        the determiner or possessor on: "the union", "a second diplomat", "Connecticut’s tax commissioner"."""
        name = _display(m)
        if " " in name or not name.islower() or not self.text:
            return name
        whose = _OF_NAME_RE.match(self.text, m.end)
        if whose is not None:
            tail = whose.group(0).rstrip()
            return name + (tail[:-1] if tail.endswith(".") and tail.count(".") == 1 else tail)  # not the full stop
        # an organisation is one of a kind in most articles; a "man" of fiction may be another man
        fuller = list(_fuller_description(name).finditer(self.text, 0, m.start)) if m.type == "organization" else []
        before = fuller[-1] if fuller else None
        if before is not None and not any(w.lower() in vocabulary().not_names for w in before.group(1).split()):
            return before.group(1) + name
        return self._lead(m.start) + name

    def _lead(self, at: int) -> str:
        """The words that open the description ending before offset ``at`` up to its head, with a space:
        "the ", "a second ", "Connecticut’s tax "; "" when no determiner or possessor opens it within
        three plain words ("the transparency of the man" is opened by the "the" of "the man")."""
        words = self.text[max(0, at - 80) : at].split(" ")
        if len(words) < 2 or words[-1] != "":
            return ""
        stop = vocabulary().not_speaker_after
        lead: list[str] = []
        for w in reversed(words[:-1]):
            if _LEAD_RE.fullmatch(w):
                lead.append(w[0].lower() + w[1:] if w in _LEADS_TO_LOWER else w)
                return " ".join(reversed(lead)) + " "
            if len(lead) == 3 or not _PLAIN_RE.fullmatch(w) or w in stop or w in _CLAUSE_WORDS:
                return ""
            lead.append(w)
        return ""

    def find_name(self, name: str) -> Entity | None:
        """The most recent named person whose name contains ``name``'s words."""
        words = set(folded_name(name).split()) - {"mr", "mrs", "miss", "sir", "dr", "lady", "lord"}
        if not words:
            return None
        for ent in reversed(self.entities[-400:]):
            if not ent.nominal and ent.type in ("person", "unknown") and words <= ent.words:
                return ent.final()
        return None

    def name_entity(self, ent: Entity, name: str, create: bool = False) -> bool:
        """Give a described person (“the parson”) the name it turns out to have: join the entity of
        that name if there is one (seen outside quotations), else only when ``create``."""
        words = set(folded_name(name).split())
        if not words or not ent.nominal:
            return False
        for other in reversed(self.entities):
            if other is ent or other.nominal or other.type not in ("person", "unknown"):
                continue
            if words <= other.words or other.words <= words:
                ent.alias = other.final()
                if ent.gender and not other.gender:
                    other.gender = ent.gender
                return True
        if create:
            ent.name, ent.words, ent.type = name, words, "person"
            return True
        return False

    @staticmethod
    def speaker(m: Mention, ent: Entity | None) -> Speaker | None:
        """The Speaker record for a mention: the entity's full name and role, the mention's span."""
        if ent is None:
            name = m.name
            if m.form == "pronoun":
                return None  # "he" with no antecedent: nobody to show in the facet
            typ = "anonymous" if m.type in ("person", "group") and m.form != "name" and anonymous_source(m.text) else m.type
            return Speaker(name=name, type=typ, role=m.role, mention=m.text, start=m.start, end=m.end)
        role = ent.role or m.role or ent.listed_role
        return Speaker(name=ent.label, type=ent.type, role=role, mention=m.text, start=m.start, end=m.end)


# " of the DNC", " for the United Mine Workers of America": whose post or body a description names
_OF_NAME_RE = re.compile(r" (?:of|for|at) (?:the )?[A-Z][\w.-]*(?: (?:of |for )?[A-Z][\w.-]*)*(?![\w'’])")
# A word that opens a description ("the", "a", "his", "Connecticut’s"), and a plain word inside one
_LEAD_RE = re.compile(r"[Tt]he|[Aa]n?|[Oo]ne|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[Oo]ur|[Mm]y|[Yy]our|[A-Z][\w-]*(?:'s|’s)")
_PLAIN_RE = re.compile(r"[a-z][\w-]*")
_LEADS_TO_LOWER = frozenset("The A An One His Her Their Its Our My Your".split())
_CLAUSE_WORDS = frozenset("and or but nor that which who whom whose as said says".split())


def _fuller_description(head: str) -> re.Pattern[str]:
    """ "the miners' union", "the coal miners' union": the same head noun with one or two lower-case
    modifiers after a determiner or possessive pronoun, within one sentence."""
    return re.compile(r"\b(?:the|a|an|its|their|his|her) ((?:[a-z][a-z-]*(?:'|’|'s|’s)? ){1,2})" + re.escape(head) + r"\b")


def _surname_of(m: Mention, ent: Entity) -> bool:
    """ "Amelize Joseph" … "said Joseph": a bare word that ends an earlier full name is its surname, whatever
    gender the first-name lists give that word (no title says otherwise, as "Mrs. Bennet" would)."""
    words = folded_name(ent.name).split()
    return len(words) > 1 and m.form == "name" and m.role is None and " " not in m.text.strip() and folded_name(m.name) == words[-1]


def _known_person(m: Mention) -> bool:
    """A person by a title or role ("Mr.", "Governor") or a known first name (which sets the gender)."""
    return m.type == "person" and m.form == "name" and (m.role is not None or m.gender is not None)


def _body(ent: Entity, plural: bool) -> bool:
    """May be "they" (an organisation or any group) or "it" (an organisation, or a named group in the
    singular: "Hamas", "the SDF", not "residents")."""
    if ent.type == "organization":
        return True
    if ent.type != "group":
        return False
    v = vocabulary()
    folded = folded_name(ent.name)
    return plural or ent.name[:1].isupper() and folded not in v.demonyms and folded.split()[-1] not in v.group_heads


def _agrees(word: str, names: set[str]) -> bool:
    """A description's modifier agrees with a name: the same word, or a demonym of a word in it
    ("lebanese" / "lebanon", "israeli" / "israel", "syrian" / "syria")."""
    if word in names:
        return True
    stem = word[:5] if len(word) > 5 else word
    return len(stem) >= 4 and any(n.startswith(stem) for n in names)
