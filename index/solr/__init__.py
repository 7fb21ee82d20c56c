"""The SolrCloud search backend (``[search] backend = "solr"``): see ``index.solr.backend``."""

from index.solr.backend import SolrBackend

__all__ = ["SolrBackend"]
