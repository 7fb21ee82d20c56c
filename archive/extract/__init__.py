"""Extraction: from an article's text to statements, places, dates and topics (see ``pipeline``).

Other layers use extraction through the names below only (an import-linter contract keeps ``index``
out of the extractors' modules).
"""

from archive.extract.gazetteer import curated_variants as place_variants
from archive.extract.sentences import sentence_bounds

__all__ = ["place_variants", "sentence_bounds"]
