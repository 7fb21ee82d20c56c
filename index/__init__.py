"""The search index: Whoosh schemas, building from the store, and the search facade."""

from index import residency, whoosh_fixes

whoosh_fixes.apply()
residency.watch_whoosh()
