"""The search index: Whoosh schemas, building from the store, and the search facade."""

from index import whoosh_fixes

whoosh_fixes.apply()
