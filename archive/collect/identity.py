"""Which URLs name one article: tracking parameters, fragments, case and default ports do not count."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, never which story: dropped from every URL.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "__hs", "_hs")
TRACKING_NAMES = frozenset(
    "fbclid gclid gclsrc dclid msclkid yclid twclid igshid mc_cid mc_eid ocid cmpid icid s_cid ncid"
    " _ga _gl ref_src ref_url src_ref spm cid_source at_medium at_campaign wt_mc wt.mc_id oly_enc_id"
    " oly_anon_id vero_id rb_clickid sr_share mkt_tok trk sc_cid".split()
)
DEFAULT_PORTS = {"http": 80, "https": 443}
_DOTS = re.compile(r"/\./|/\.$")


class UrlError(ValueError):
    """Not an http(s) URL we can fetch."""


def canonical_url(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` (resolved against ``base``): http(s) only, host lower-cased, default
    port, fragment and tracking parameters dropped, the remaining parameters sorted.

    Raises UrlError for anything that is not an absolute http(s) URL.
    """
    text = (url or "").strip()
    if base:
        text = urljoin(base, text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise UrlError(f"not a valid URL {url[:200]!r}: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlError(f"not an http(s) URL: {url[:200]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlError(f"no host in URL {url[:200]!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise UrlError(f"not a valid host name in {url[:200]!r}") from None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal keeps its brackets
        netloc = f"[{host}]" + ("" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}")
    path = parts.path or "/"
    while _DOTS.search(path):
        path = _DOTS.sub("/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def host_of(url: str) -> str:
    """``host[:port]`` of an absolute URL: the unit of politeness (one request at a time per host)."""
    return urlsplit(url).netloc.lower()


def digest(*parts: object) -> str:
    """A short stable hash of some values (a feed item's fingerprint, a body's identity)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:32]
