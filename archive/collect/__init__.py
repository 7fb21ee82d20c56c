"""The collector: sources (feeds, news sitemaps, URL lists) fetched politely and ingested like files.

``http`` is the polite client (robots.txt, one request at a time per host, conditional GET, caps,
retries); ``listing`` turns a source's document into items; ``identity`` decides which URLs are one
article; ``state`` keeps sources, fetch state and article versions in the archive's SQLite file;
``runner`` fetches each item's page and stores it through the same extraction and store as ingest.
This package knows nothing of the index: whoever runs it passes a function that indexes stored ids.
"""
