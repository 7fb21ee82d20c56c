"""Direct speech: each quotation, attributed from the words after it ("…,” Peskov told Interfax"),
before it ("he said, “…”", a lead-in ending in a colon), an interrupted quote's other half, the
paragraph it continues, or the turn-taking of dialogue.

Its length is one finder: direct quotations attributed after, before, across an interruption, by a transcript label or by the paragraph they continue; each path ends in the same attribution step.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from archive.extract.found import SKIPPABLE, Found, set_attribution, turn_gap
from archive.extract.kinds import Cue, lexicon
from archive.extract.quotes import MARKS_RE, Quotation
from archive.extract.sentences import Document, is_heading
from archive.extract.speakers import (
    Mention,
    describe_role,
    mention_after,
)
from archive.extract.subjects import cue_subject, sentence_subject


def direct_speech(doc: Document, consumed: set[int], reported: list[Found]) -> list[Found]:
    out: list[Found] = []
    prev: Found | None = None
    labels = _transcript_labels(doc)
    for q in doc.quotes:
        if q.open in consumed:
            continue
        si = doc.sentence_of(q.start)
        f = Found(q.start, q.end, True, sentence=si, quotation=q, confidence=0.5, text=doc.text[q.start : q.end])
        if q.start in labels:
            _label(doc, f, labels.pop(q.start))
        else:
            _attribute(doc, f, prev, q)
        if f.mention is None and f.inherit_from is None and not f.alternate and not _is_speech(doc, q):
            continue
        out.append(f)
        prev = f
    for label in labels.values():  # transcript lines without quotation marks
        end = doc.text.find("\n", label.end())
        end = len(doc.text) if end == -1 else end
        f = Found(label.end(), end, True, sentence=doc.sentence_of(label.end()), confidence=0.5)
        _label(doc, f, label)
        if f.end - f.start > 1 and not any(g.start <= f.start < g.end for g in out):
            out.append(f)
    out += _block_quotes(doc, reported)
    return out


# "WALLACE: Let's start with …": a transcript line, its speaker in capitals before a colon.
_LABEL_RE = re.compile(r"^[ \t]*([\"“]?)[ \t]*([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2}):[ \t]+(?=\S)", re.MULTILINE)


def _transcript_labels(doc: Document) -> dict[int, re.Match[str]]:
    """Speaker labels of a transcript, by where the speaker's name starts.  Two lines with labels
    at least make a transcript (one is more likely a dateline: "KYIV: …")."""
    if ":" not in doc.text:
        return {}
    found = [m for m in _LABEL_RE.finditer(doc.text) if len(m.group(2).replace(" ", "")) > 2]
    if len(found) < 2 or len({m.group(2) for m in found}) > len(found) / 2 + 1:
        return {}
    return {m.start(2): m for m in found}


def _label(doc: Document, f: Found, label: re.Match[str]) -> None:
    """Attribute a transcript line to the speaker of its label; the label is no part of the quote."""
    f.start = max(f.start, label.end())
    i, j = doc.tok_index(label.start(2)), doc.tok_index(label.end(2))
    m = mention_after(doc.text, doc.toks, i, j)
    if m is None:
        return
    if m.name.isupper():  # "WALLACE:" names Wallace: the facet shows names as people write them
        m = replace(m, name=m.name.title(), type="person" if m.type == "unknown" else m.type)
    colon = j
    set_attribution(doc, f, Cue(":", "statement", colon, colon), m, 0.8)


_LIST_MARKS = tuple("-*•–—#>|") + tuple("0123456789")


def _block_quotes(doc: Document, reported: list[Found]) -> list[Found]:
    """A paragraph without quotation marks after a lead-in ending in a colon ("The Church denied these
    allegations:"): a block quote whose marks the page's layout carried (HTML ``<blockquote>``).  It
    ends where a sentence of reported speech shows the narrative has resumed on the same line."""
    text = doc.text
    out: list[Found] = []
    cues = sorted(r.cue_span[0] for r in reported if r.cue_span is not None)
    at = text.find(":\n")
    while at != -1:
        colon, at = at, text.find(":\n", at + 2)
        start = colon + 1
        while start < len(text) and text[start] in " \t\n":
            start += 1
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        n = bisect.bisect_left(cues, start)
        if n < len(cues) and cues[n] < end:  # the first cue of reported speech in the paragraph
            end = doc.sents[doc.sentence_of(cues[n])].start
        para = text[start:end].rstrip()
        end = start + len(para)
        if len(para.split()) < 6 or para[-1] not in ".!?" or not para[0].isupper() or para.startswith(_LIST_MARKS) or MARKS_RE.search(para) or is_heading(para):
            continue
        q = Quotation(colon + 1, None, start, end)
        f = Found(start, end, True, sentence=doc.sentence_of(start), quotation=q, text=para)
        if _attribute_before(doc, f, q):
            f.confidence = min(f.confidence, 0.6)
            out.append(f)
    return out


def _is_speech(doc: Document, q: Quotation) -> bool:
    """A quotation with no attribution is speech unless it looks like a title or scare quote."""
    words = len(doc.text[q.start : q.end].split())
    starts_line = q.open == 0 or doc.text[: q.open].rstrip(" \t").endswith("\n") or q.open == 0
    if starts_line:
        return True
    return words >= 4


def _attribute(doc: Document, f: Found, prev: Found | None, q: Quotation) -> None:
    text = doc.text
    # 1. after the quotation: "…,” Peskov told Interfax" / "…," said the parson / "…" he said
    if _attribute_after(doc, f, q):
        _mixed_lead(doc, f, q)
        return
    # 2. an interrupted quotation: the other half of the previous one, attribution in between
    if prev is not None and prev.quotation is not None and prev.cue_span is not None:
        gap = text[prev.quotation.outer_end : q.open]
        lead = text[prev.cue_span[1] : q.open].rstrip()  # '…, although X translated it as: “…”': a lead-in of its own
        if "\n" not in gap and prev.cue_span[0] >= prev.quotation.outer_end and prev.cue_span[1] <= q.open and not lead.endswith(":"):
            f.inherit_from, f.confidence = prev, 0.85
            f.cue, f.cue_span = prev.cue, prev.cue_span
            return
    # 3. before it: "he said, “…”", "The minister added: “…”"
    if _attribute_before(doc, f, q):
        return
    # 4. the same line as the previous quotation (an attribution between them, or a colon lead-in)
    if prev is not None and prev.quotation is not None:
        gap = text[prev.quotation.outer_end : q.open]
        if "\n" not in gap and (prev.mention is not None or prev.inherit_from is not None):
            f.inherit_from, f.confidence = prev, 0.7
            return
        # 5. a paragraph that continues a quotation left open
        if prev.quotation.close is None and gap.strip() == "":
            f.inherit_from, f.confidence = prev, 0.75
            return
        # 6. dialogue: turns alternate between two speakers (the previous turn ended on the line before),
        # unless lines are sentences: then '“…,” said X.' and a quotation on the next line is one turn
        if _starts_line(text, q.open) and turn_gap(doc, prev, q):
            if doc.lines_are_sentences and _attributed_after(prev) and (prev.mention is not None or prev.inherit_from):
                f.inherit_from, f.confidence = prev, 0.6
                return
            f.alternate, f.confidence = True, 0.55
            return
    # 7. the subject of the narrative sentence just before: "The parson rode nearer.\n“…”"
    m = _previous_subject(doc, q)
    if m is not None:
        f.mention, f.confidence = m, 0.5
        return
    f.confidence = 0.35


def _previous_subject(doc: Document, q: Quotation) -> Mention | None:
    si = doc.sentence_of(q.open)
    if doc.sents[si].start < q.open and doc.text[doc.sents[si].start : q.open].strip():
        return None  # the quotation is inside a sentence of narrative
    if si == 0:
        return None
    prev = doc.sents[si - 1]
    if is_heading(doc.text[prev.start : prev.end]):
        return None
    lo, hi = doc.sent_tokens(si - 1)
    if lo >= hi or any(doc.inq[k] for k in range(lo, hi)):
        return None
    m = sentence_subject(doc, lo, hi)
    if m is None or m.type not in ("person", "unknown") or prev.end > q.open:
        return None
    return m


def _attributed_after(f: Found) -> bool:
    """The statement's attribution follows its quotation ("“…,” said X.")."""
    return f.quotation is not None and f.cue_span is not None and f.cue_span[0] >= f.quotation.outer_end


def _starts_line(text: str, pos: int) -> bool:
    return pos == 0 or text[:pos].rstrip(" \t").endswith("\n") or text[:pos].strip() == ""


def _attribute_after(doc: Document, f: Found, q: Quotation) -> bool:
    lex = lexicon()
    text = doc.text
    pos = q.outer_end
    nxt = _next_quote_open(doc, q)
    limit = min(len(text), nxt if nxt is not None else len(text))
    # the attribution must follow directly (same line, or the next line in lower case)
    k = pos
    while k < limit and text[k] in " \t,":
        k += 1
    if k < limit and text[k] == "\n":
        k += 1
        while k < limit and text[k] in " \t":
            k += 1
        if k >= limit or not text[k].islower():
            return False
    if k < limit and text[k] in ".!?" and text[q.end - 1 : q.end] not in ",":
        return False
    i = doc.tok_index(k)
    if i >= len(doc.toks) or doc.toks[i].start >= limit:
        return False
    if doc.toks[i].text in _BYLINE_DASHES and _byline(doc, f, i):
        return True
    hi = min(doc.tok_index(limit), i + 14)
    # cue first: "said the parson", "said Durbeyfield", "said he"
    cue = lex.cue_at(doc.toks, i)
    if cue is not None and doc.toks[i].text.islower():
        m = mention_after(text, doc.toks, cue.last + 1, hi)
        if m is not None:
            set_attribution(doc, f, cue, m, 0.9)
            return True
    # subject first: "he said", "Peskov told Interfax", "the minister later added"
    m = mention_after(text, doc.toks, i, hi)
    if m is None:
        return False
    j = past_parenthesis(doc, _past_domain(doc, doc.tok_index(m.end), hi), doc.tok_index(limit))
    past, role = appositive(doc, j, doc.tok_index(limit))
    if role is not None:  # "“…,” Olha, the manager of a cafe that was hit, told Reuters"
        if m.form != "name" or m.type not in ("person", "unknown"):
            return False
        m = replace(m, role=m.role or role, type="person")
        j, hi = past, min(doc.tok_index(limit), past + 4)
    else:
        hi = min(doc.tok_index(limit), i + 30)
        j, named = _past_appositive(doc, j, hi)
        if named is not None and m.form == "nominal" and named.form == "name" and named.type == "person":
            m = replace(named, role=named.role or m.text)  # "the group's military spokesman, Yehya Sarea, said"
    while j < hi and doc.toks[j].lower in SKIPPABLE:
        j += 1
    if j < hi:
        cue = lex.cue_at(doc.toks, j)
        if cue is not None and doc.toks[j].text.islower():
            cue, m = _quoted_as_saying(doc, cue, m, hi)
            set_attribution(doc, f, cue, m, 0.9 if role is None else 0.85)
            return True
    return False


def _quoted_as_saying(doc: Document, cue: Cue, m: Mention, hi: int) -> tuple[Cue, Mention]:
    """'“…,” Detik.com quoted Djamal as saying': Djamal speaks (the outlet is the channel)."""
    if cue.lemma not in ("quote", "cite"):
        return cue, m
    speaker = mention_after(doc.text, doc.toks, cue.last + 1, hi)
    if speaker is None:
        return cue, m
    k = doc.tok_index(speaker.end)
    if k + 1 < hi and doc.toks[k].lower == "as":
        said = lexicon().cue_at(doc.toks, k + 1)
        if said is not None:
            return said, speaker
    return cue, m


def _past_domain(doc: Document, j: int, hi: int) -> int:
    """ "Detik.com", "Politico.eu": a site's name runs on through its domain (".com" written without
    spaces); the token after it."""
    toks = doc.toks
    while (
        j + 1 < hi
        and toks[j].text == "."
        and toks[j + 1].text.isalpha()
        and toks[j + 1].text.islower()
        and toks[j].start == toks[j - 1].end
        and toks[j + 1].start == toks[j].end
    ):
        j += 2
    return j


_BYLINE_DASHES = frozenset("―—–")


def _byline(doc: Document, f: Found, i: int) -> bool:
    """A pull quote signed with a dash: '“…” ― Sonya Herridge' at the end of its line."""
    text = doc.text
    line_end = text.find("\n", doc.toks[i].start)
    line_end = len(text) if line_end == -1 else line_end
    hi = doc.tok_index(line_end)
    m = mention_after(text, doc.toks, i + 1, hi)
    if m is None or m.form != "name" or text[m.end : line_end].strip(" \t.,\u00a0"):
        return False
    set_attribution(doc, f, Cue(doc.toks[i].text, "statement", i, i), m, 0.85)
    return True


def _past_appositive(doc: Document, j: int, hi: int) -> tuple[int, Mention | None]:
    """Past an appositive or a modifier after the speaker, up to the comma before the cue:
    '“…,” Olha, the manager of a cafe that was hit, told Reuters'; '“…,” Ivan Bondar from the
    regional council, said'.  Also returns a name the appositive gives ("the spokesman, Yehya Sarea,")."""
    toks = doc.toks
    if j >= hi or not (toks[j].text == "," or toks[j].lower in ("from", "of", "at", "with")):
        return j, None
    for k in range(j + 1, min(hi, j + 16)):
        t = toks[k]
        if t.text == ",":
            inner = mention_after(doc.text, toks, j + 1, k) if toks[j].text == "," else None
            if inner is not None and doc.tok_index(inner.end) != k:
                inner = None
            return k + 1, inner
        if t.text in ".!?;" or doc.inq[k]:
            break
    return j, None


def outer_cue(doc: Document, lo: int, cue: Cue) -> Cue:
    """ "He noted that Azerbaijan explains this with … . “This information …”": a quotation after a
    sentence of reported speech continues the sentence's own speaker, not one named inside what was
    reported; the outermost cue whose that-clause holds ``cue``."""
    lex = lexicon()
    toks = doc.toks
    outer = cue
    for k in range(cue.first - 2, lo - 1, -1):
        if toks[k].lower == "that" and k - 1 >= lo:
            for j in (k - 1, k - 2):
                found = lex.cue_at(toks, j) if j >= lo and toks[j].text.islower() else None
                if found is not None and found.last < k:
                    outer = found
                    break
    return outer


def past_parenthesis(doc: Document, j: int, limit: int) -> int:
    """ "…,” Rep. Jim Jordan (R-Ohio) said": the token after a short parenthesis at token ``j``."""
    toks = doc.toks
    if j >= limit or toks[j].text != "(":
        return j
    for k in range(j + 1, min(limit, j + 8)):
        if toks[k].text == ")":
            return k + 1
    return j


def appositive(doc: Document, j: int, limit: int) -> tuple[int, str | None]:
    """ "“…,” Olha, the manager of a cafe that was hit, told Reuters": past an appositive that follows
    the speaker's name (token ``j`` is its comma), with the appositive as the speaker's role."""
    toks = doc.toks
    if j >= limit or toks[j].text != ",":
        return j, None
    for k in range(j + 2, min(limit, j + 20)):
        t = toks[k].text
        if t == ",":
            role = describe_role(doc.text[toks[j + 1].start : toks[k - 1].end])
            if role is None:
                return j, None
            return _past_relative(doc, k, limit), role
        if t in ".;:!?" or doc.quote_at(toks[k].start):
            break
    return j, None


def _mixed_lead(doc: Document, f: Found, q: Quotation) -> None:
    """ "Using the tax ''is a misguided approach,'' said Mr. Burman.": a quotation that starts inside
    its sentence, attributed after it, reports the whole sentence: the statement starts with it."""
    s0 = doc.sents[doc.sentence_of(q.open)].start
    lead = doc.text[s0 : q.open]
    if len(lead.split()) < 2 or lead.rstrip()[-1] in ":—–-(":
        return
    if MARKS_RE.search(lead) or "''" in lead or doc.quote_at(s0) is not None:
        return  # another quotation before it in the sentence
    lex = lexicon()
    lo, hi = doc.tok_index(s0), doc.tok_index(q.open)
    if any(doc.toks[k].text.islower() and lex.cue_at(doc.toks, k) is not None for k in range(lo, hi)):
        return  # a cue of its own in the lead
    f.start = s0


def _past_relative(doc: Document, k: int, limit: int) -> int:
    """After an appositive ending at comma ``k``, past a relative clause set off the same way ("Scott
    Pruitt, the attorney general of Oklahoma, who is suing the agency, said"): the token after it."""
    toks = doc.toks
    if k + 1 >= limit or toks[k + 1].lower not in ("who", "whose", "which"):
        return k + 1
    for n in range(k + 2, min(limit, k + 25)):
        if toks[n].text == ",":
            return n + 1
        if toks[n].text in ".;:!?" or doc.quote_at(toks[n].start):
            break
    return k + 1


def _next_quote_open(doc: Document, q: Quotation) -> int | None:
    i = bisect.bisect_right(doc.quote_opens, q.open)
    return doc.quotes[i].open if i < len(doc.quotes) else None


_NOUN_DETERMINERS = frozenset("the this that these those his her its their our my your".split())


def _attribute_before(doc: Document, f: Found, q: Quotation) -> bool:
    """A cue in the words leading up to the quotation, in its own sentence or a colon lead-in."""
    lex = lexicon()
    text = doc.text
    lead_end = q.open
    k = lead_end
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if k == 0 or text[k - 1] == "\n":
        return False
    si = doc.sentence_of(k - 1)
    lo = doc.tok_index(doc.sents[si].start)
    prev_q = doc.quote_at(k - 1)
    if prev_q is not None:
        return False
    # do not look back past an earlier quotation on the same stretch
    i_end = doc.tok_index(k)
    i = i_end - 1
    steps = 0
    while i >= lo and steps < 16:
        t = doc.toks[i]
        if doc.quote_at(t.start) is not None:
            return False
        if t.text.islower():
            cue = lex.cue_at(doc.toks, i)
            if cue is not None and i > lo and doc.toks[i - 1].lower in _NOUN_DETERMINERS and doc.toks[i - 1].text.islower():
                # "Xinhua translated the quote as: “…”": a noun naming a statement already made; the
                # one who relays or translates it is no speaker (the statement before is its source)
                f.cue, f.cue_span = replace(cue, nominal=True), (t.start, t.end)
                f.kind = lex.kind_for(cue, doc.text[f.start : f.end])
                return False
            if cue is not None:
                if doc.sentence_of(q.start) != si:
                    cue = outer_cue(doc, lo, cue)
                subject, override = cue_subject(doc, lo, cue)
                if subject is None:
                    f.cue, f.cue_span = cue, (doc.toks[cue.first].start, doc.toks[cue.last].end)
                    f.kind = lex.kind_for(cue, doc.text[f.start : f.end])
                    return False
                set_attribution(doc, f, cue, override or subject, 0.85)
                return True
        i -= 1
        steps += 1
    return False
