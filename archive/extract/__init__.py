"""Extraction: from an article's text to statements, places, dates and topics (see ``pipeline``).

Other layers use extraction through the names below only (an import-linter contract keeps ``index``
out of the extractors' modules).
"""

from archive.extract.dates import sentence_bounds
from archive.extract.gazetteer import curated_variants as place_variants

__all__ = ["place_variants", "sentence_bounds"]
