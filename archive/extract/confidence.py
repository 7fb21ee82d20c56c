"""How far to trust a statement: its finder's confidence, capped by what the dev sets show goes wrong.

Measured with ``bench/calibration.py`` (the scorer's rules on conflict, polnear, meantime and seed):
a quotation of fewer than four words is mostly a scare quote or a name for something ("deplorables"),
not a statement; a short one of fewer than eight is right about three times in four; a speaker found
through a pronoun or a description ("he", "the ministry") is right about five times in six, one named
in the sentence nearly always.  The caps keep "confidence >= 0.8" meaning "at least 90% right".
"""

from __future__ import annotations

from archive.extract.found import Found
from archive.extract.speakers import Mention

__all__ = ["calibrated"]

SCARE_QUOTE = 0.45  # fewer than 4 words
SHORT_QUOTE = 0.7  # fewer than 8 words
INDIRECT_SPEAKER = 0.75  # a pronoun or a description
UNATTRIBUTED = 0.6  # no mention: the speaker inferred from the paragraph or the dialogue
UNKNOWN_KIND = 0.7  # a name of unknown kind: a person, an organisation, or a word that is neither


def calibrated(f: Found, quote: str, mention: Mention | None, speaker_type: str | None) -> float:
    """The confidence to publish for a statement whose finder gave ``f.confidence``."""
    conf = f.confidence
    words = len(quote.split())
    if words < 4:
        conf = min(conf, SCARE_QUOTE)
    elif words < 8:
        conf = min(conf, SHORT_QUOTE)
    if mention is None:
        conf = min(conf, UNATTRIBUTED)
    elif mention.form in ("pronoun", "nominal"):
        conf = min(conf, INDIRECT_SPEAKER)
    elif speaker_type == "unknown":
        conf = min(conf, UNKNOWN_KIND)
    return round(conf, 2)
