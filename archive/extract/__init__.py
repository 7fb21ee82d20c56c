"""Extraction: from an article's text to statements, places, dates and topics (see ``pipeline``)."""
