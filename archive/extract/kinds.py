"""Reporting cues and statement kinds: which words report speech, and what kind of statement each makes.

The vocabulary lives in ``data/cues*.toml`` (see the comments there); this module only reads it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache

from archive.extract.data import DATA_DIR
from archive.extract.keyscan import at_word_start
from archive.extract.sentences import Token

__all__ = ["Cue", "CueLexicon", "lexicon", "inflect"]


@dataclass(frozen=True)
class Cue:
    """A reporting cue found in text: tokens ``[first, last]`` of a sentence."""

    lemma: str
    kind: str
    first: int
    last: int
    nominal: bool = False
    dialogue: bool = False  # a verb mostly used to introduce fiction dialogue ("exclaimed")

    def __init__(self, lemma: str, kind: str, first: int, last: int, nominal: bool = False, dialogue: bool = False) -> None:
        # One update of the instance dict instead of the generated __init__'s object.__setattr__ per
        # field (see speakers.Mention): cue look-ups make dozens per article.
        self.__dict__.update(lemma=lemma, kind=kind, first=first, last=last, nominal=nominal, dialogue=dialogue)


def inflect(lemma: str) -> set[str]:
    """The regular forms of an English verb: lemma, -s, -ed, -ing."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
    return forms


@dataclass(frozen=True)
class CueLexicon:
    """The cue vocabulary of data/cues*.toml: which words and phrases cue a statement, and its kind."""

    verbs: dict[str, tuple[str, str]]  # form -> (lemma, kind)
    phrases: dict[tuple[str, ...], tuple[str, str]]  # word forms -> (phrase lemma, kind)
    nouns: dict[str, tuple[str, str]]  # noun -> (noun, kind)
    dialogue: frozenset[str]  # forms of dialogue verbs
    modal_words: frozenset[str]
    modal_kinds: dict[str, str]  # lemma -> kind when its clause has a modal
    continuing: frozenset[str]  # forms of participles that continue a statement
    carry_kinds: frozenset[str]
    max_phrase: int
    phrase_starts: frozenset[str]
    triggers: frozenset[str]  # every word that may start a cue (a quick first filter)
    channel_res: tuple[re.Pattern[str], ...]  # most trusted first; group "c" is the channel
    channel_hints: tuple[tuple[str, ...], ...]  # strings the first patterns cannot match without
    no_comment: frozenset[str]  # lemmas that, negated, record that the speaker did not comment
    no_comment_kind: str
    hearsay: frozenset[str] = frozenset()  # nouns that report without a speaker: "claims of …", "reports that …"
    hearsay_of: frozenset[str] = frozenset()  # of those, nouns whose "of" phrase is the content ("claims of …")
    passive: frozenset[str] = frozenset()  # lemmas that report in the passive ("it was reported that")
    passive_listener: frozenset[str] = frozenset()  # of those, lemmas whose passive subject is the listener
    passive_bare: frozenset[str] = frozenset()  # of those, lemmas that report with no clause after them

    def cue_at(self, toks: list[Token], i: int) -> Cue | None:
        """The cue starting at token ``i``, longest phrase first."""
        word = toks[i].lower
        for n in range(min(self.max_phrase, len(toks) - i) if word in self.phrase_starts else 0, 1, -1):
            key = tuple(t.lower for t in toks[i : i + n])
            if key in self.phrases:
                lemma, kind = self.phrases[key]
                return Cue(lemma, kind, i, i + n - 1)
        if word in self.verbs:
            lemma, kind = self.verbs[word]
            return Cue(lemma, kind, i, i, dialogue=word in self.dialogue)
        return None

    def noun_at(self, toks: list[Token], i: int) -> Cue | None:
        hit = self.nouns.get(toks[i].lower)
        return Cue(hit[0], hit[1], i, i, nominal=True) if hit else None

    def channel(self, text: str, spans: list[tuple[int, int]], near: int) -> str | None:
        """The channel named in ``text`` within ``spans``, nearest to offset ``near`` (the cue): an
        outlet told or quoting ("told Interfax news agency", "Al-Arabiya TV cited"), a kind of address
        ("in a televised interview", "at a news conference"), or a platform ("on Telegram")."""
        best: tuple[int, int, str] | None = None
        spans = [(max(a, near - _CHANNEL_REACH), min(b, near + _CHANNEL_REACH)) for a, b in spans]
        spans = [(a, b) for a, b in spans if a < b]
        for rank, pattern in enumerate(self.channel_res):
            for a, b in spans:
                if rank < 2 and not any(h in text[a:b] for h in self.channel_hints[rank]):
                    continue  # no "told"/"tell", no "quoted"/"cited": the pattern cannot match
                for m in pattern.finditer(text, a, b):
                    key = (abs(m.start("c") - near), rank, m.group("c"))
                    if best is None or key < best:
                        best = key
        return best[2] if best else None

    def without_channel(self, text: str, start: int, end: int) -> int:
        """The end of a reported clause without the channel phrase closing it ("confirmed the strike
        on Telegram": the content is "the strike")."""
        for pattern in self.channel_res[2:4]:
            for m in pattern.finditer(text, start, end):
                if m.end() == end and m.start() > start:
                    cut = m.start()
                    while cut > start and text[cut - 1] in " ,":
                        cut -= 1
                    return cut
        return end

    def kind_for(self, cue: Cue, clause: str) -> str:
        """The cue's kind, refined by the clause ("suggested a deal might be reached" is a prediction)."""
        if cue.lemma in self.modal_kinds:
            words = set(clause.lower().split())
            if words & self.modal_words:
                return self.modal_kinds[cue.lemma]
        return cue.kind


_CHANNEL_REACH = 160  # characters either side of the cue where its channel is named


def _load(pattern: str) -> list[dict]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA_DIR.glob(pattern))]


@cache
def lexicon() -> CueLexicon:
    """The cue vocabulary from ``data/cues*.toml`` (later files add to earlier ones)."""
    verbs: dict[str, tuple[str, str]] = {}
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    nouns: dict[str, tuple[str, str]] = {}
    dialogue: set[str] = set()
    modal_words: set[str] = set()
    modal_kinds: dict[str, str] = {}
    continuing: set[str] = set()
    channels: dict[str, list[str]] = {k: [] for k in ("nouns", "platforms", "platform_heads", "outlets", "outlet_heads", "media")}
    carry: set[str] = set()
    no_comment: set[str] = set()
    no_comment_kind = "no-comment"
    passive: set[str] = set()
    passive_listener: set[str] = set()
    passive_bare: set[str] = set()
    hearsay: set[str] = set()
    hearsay_of: set[str] = set()
    docs = _load("cues*.toml")
    irregular: dict[str, list[str]] = {}
    for doc in docs:
        irregular.update(doc.get("irregular", {}))

    def forms(lemma: str) -> set[str]:
        return {lemma, *irregular[lemma]} if lemma in irregular else inflect(lemma)

    for doc in docs:
        for lemma in doc.get("dialogue", {}).get("verbs", []):
            words = lemma.split()
            if len(words) == 1:
                for f in forms(lemma):
                    verbs.setdefault(f, (lemma, "statement"))
                    dialogue.add(f)
            else:
                for f in forms(words[0]):
                    phrases.setdefault((f, *words[1:]), (lemma, "statement"))
        for kind, table in doc.get("kinds", {}).items():
            for lemma in table.get("verbs", []):
                for f in forms(lemma):
                    verbs[f] = (lemma, kind)
                    dialogue.discard(f)
            for phrase in table.get("phrases", []):
                words = phrase.lower().split()
                for f in forms(words[0]):
                    phrases[(f, *words[1:])] = (phrase, kind)
            for noun in table.get("nouns", []):
                nouns[noun.lower()] = (noun, kind)
                if not noun.endswith("s"):
                    nouns.setdefault(noun.lower() + "s", (noun, kind))  # "claims", "reports"
        modal = doc.get("modal", {})
        modal_words.update(modal.get("words", []))
        modal_kinds.update({k: v for k, v in modal.items() if k != "words"})
        for lemma in doc.get("continuing", {}).get("verbs", []):
            continuing |= forms(lemma)
        for key in channels:
            channels[key] += doc.get("channels", {}).get(key, [])
        carry.update(doc.get("carry", {}).get("kinds", []))
        no_comment.update(doc.get("no_comment", {}).get("verbs", []))
        no_comment_kind = doc.get("no_comment", {}).get("kind", no_comment_kind)
        passive.update(doc.get("passive", {}).get("verbs", []))
        hearsay.update(w for n in doc.get("hearsay", {}).get("nouns", []) for w in (n, n + "s"))
        hearsay_of.update(w for n in doc.get("hearsay", {}).get("of", []) for w in (n, n + "s"))
        passive_listener.update(doc.get("passive", {}).get("listener", []))
        passive_bare.update(doc.get("passive", {}).get("bare", []))
    return CueLexicon(
        verbs=verbs,
        phrases=phrases,
        nouns=nouns,
        dialogue=frozenset(dialogue),
        modal_words=frozenset(modal_words),
        modal_kinds=modal_kinds,
        continuing=frozenset(continuing),
        carry_kinds=frozenset(carry),
        max_phrase=max((len(k) for k in phrases), default=1),
        phrase_starts=frozenset(k[0] for k in phrases),
        triggers=frozenset(verbs) | frozenset(k[0] for k in phrases) | frozenset(nouns) | {"according"},
        channel_res=_channel_patterns(channels),
        channel_hints=(("told", "tell"), ("quoted", "cited")),
        no_comment=frozenset(no_comment),
        no_comment_kind=no_comment_kind,
        hearsay=frozenset(hearsay),
        hearsay_of=frozenset(hearsay_of),
        passive=frozenset(passive) | frozenset(passive_listener),
        passive_listener=frozenset(passive_listener),
        passive_bare=frozenset(passive_bare),
    )


def _alts(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"


def _channel_patterns(ch: dict[str, list[str]]) -> tuple[re.Pattern[str], ...]:
    """The channel patterns: each needs a word tying it to the statement, so a dateline's agency
    ("KYIV (Reuters) –") or an outlet named in passing never counts."""
    outlet = rf"(?:the\s+)?(?:{_alts(ch['outlets'])})(?:\s+(?:{_alts(ch['outlet_heads'])}))?"
    named = rf"(?:the\s+)?(?:[A-Z][\w'’.-]*\s+){{1,3}}(?:{_alts(ch['outlet_heads'])})"  # "Komsomolskaya Pravda radio"
    media = rf"(?:{_alts(ch['media'])})"
    conference = r"(?:a|the)\s+(?:news|press)\s+(?:conference|briefing)"
    platform = (
        rf"(?:the\s+)?(?:{_alts(ch['platforms'])})(?:\s+(?:{_alts(ch['platform_heads'])}))?"
        rf"|the\s+(?:{_alts(ch['platform_heads'])})\s+(?:{_alts(ch['platforms'])})"
    )
    det = r"(?:a|an|the|his|her|their|its|a\s+joint|a\s+new)"
    via = r"(?:posted|published|carried|aired|broadcast|seen|released|issued|shared|sent)\s+(?:on|to|by|via)"
    name = r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|August|September|October|November|December)[A-Z][\w'’-]+"
    # the words that tie a channel to its statement, each at a word's start (see keyscan.at_word_start)
    told = at_word_start("told", "tells", "tell", "telling")
    during = at_word_start("In", "in", "During", "during", "At", "at", "On", "on", "Via", "via", "Through", "through", "issued")
    where = rf"(?:{outlet}|{named}|{media}|{platform}|(?:the\s+)?(?:[\w'’-]+\s+){{0,4}}?(?:{_alts(ch['outlets'])}|{name}))"
    noun = rf"(?:[\w-]+\s+){{0,2}}?(?:{_alts(ch['nouns'])})(?:\s+(?:{via}|on|with|to)\s+{where})?"
    return (
        re.compile(rf"(?:{told})\s+(?P<c>{outlet}|{conference}|{media}|{named})(?![\w-])"),
        re.compile(rf"(?P<c>{outlet}|{named})\s+(?:quoted|cited)\b"),
        re.compile(rf"(?:{during})\s+{det}\s+(?P<c>{noun})(?![\w-])"),
        re.compile(rf"(?:{at_word_start('on', 'via')})\s+(?P<c>{platform})(?![\w-])"),
        re.compile(rf"(?:{at_word_start('to', 'with', 'on', 'by')})\s+(?P<c>{outlet}|{media})(?![\w-])"),
    )


def _words_re(words: list[str], before: str, after: str, flags: int) -> re.Pattern[str]:
    """One alternation of the given words, longest first, between ``before`` and ``after``."""
    alts = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"
    return re.compile(before + alts + after, flags)
