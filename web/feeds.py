"""Feeds for readers and browsers: ``/search.atom`` (the newest statements a search finds) and ``/opensearch.xml``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from flask import Blueprint, Flask, Response, abort, request, url_for
from werkzeug.datastructures import MultiDict

from archive.period import first_day
from index.query import QuerySyntaxError
from index.request import FACETS, SearchError
from index.results import Hit
from web.archive_access import search_index
from web.params import ParamError, search_request

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
OPENSEARCH_TYPE = "application/opensearchdescription+xml; charset=utf-8"
FEED_PARAMS = ("q", "from", "to", "per_page", *FACETS)  # what a feed keeps of a search's parameters
DEFAULT_ENTRIES = 20
TITLE_CHARS = 120
EPOCH = "1970-01-01T00:00:00Z"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # characters XML 1.0 cannot carry


def feed_params(args: MultiDict) -> MultiDict:
    """The parameters of a search that a feed uses (text, filters, dates, size); paging, sort and target go."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k in FEED_PARAMS])


@bp.app_template_global()
def atom_feed_url(args: MultiDict | None = None) -> str:
    """The Atom feed of this search (templates: ``atom_feed_url(request.args)``)."""
    return url_for("feeds.atom", **feed_params(args or MultiDict()).to_dict(flat=False))


@bp.get("/search.atom")
def atom():
    params = feed_params(request.args)
    try:
        fixed = {"sort": "newest", "page": 1, "cursor": None, "facets": (), "histogram": None, "target": "statements"}
        if "per_page" not in params:
            fixed["per_page"] = DEFAULT_ENTRIES
        search = search_request(params, **fixed)
        page = search_index().search(search)
    except QuerySyntaxError as error:
        abort(400, description=error.message)
    except (ParamError, SearchError) as error:
        abort(400, description=str(error))
    feed = atom_feed(page.hits, search.text, params)
    return Response(
        ET.tostring(
            feed,
            encoding="utf-8",
            xml_declaration=True,
        ),
        content_type=ATOM_TYPE,
    )


def atom_feed(hits, text: str, params: MultiDict) -> ET.Element:
    self_url = url_for("feeds.atom", _external=True, **params.to_dict(flat=False))
    feed = ET.Element("feed", xmlns=ATOM)  # children's tags are plain: ElementTree writes no prefixes then
    _add(feed, "title", f"Parley: newest statements for “{text}”" if text.strip() else "Parley: newest statements")
    _add(feed, "subtitle", "Who said what, when and where: statements from conflict news")
    _add(feed, "id", self_url)
    entries = [atom_entry(hit) for hit in hits]
    stamps = [e.findtext("updated") for e in entries]
    _add(feed, "updated", max((s for s in stamps if s and s != EPOCH), default=EPOCH))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    html_params = {k: v for k, v in params.to_dict(flat=False).items() if k != "per_page"}
    _add(feed, "link", rel="alternate", type="text/html", href=url_for("pages.search", _external=True, **html_params))
    author = _add(feed, "author")
    _add(author, "name", "Parley")
    _add(feed, "generator", "Parley")
    feed.extend(entries)
    return feed


def atom_entry(hit: Hit) -> ET.Element:
    s = hit.statement
    speaker = s.speaker.name if s.speaker else "Unknown speaker"
    entry = ET.Element("entry")
    _add(entry, "title", entry_title(hit))
    _add(entry, "id", url_for("browse.statement", statement_id=hit.id, _external=True))  # the statement's own page
    seq = hit.id.rpartition("-")[2]
    _add(entry, "link", rel="alternate", type="text/html", href=f"{url_for('browse.article', article_id=hit.article_id, _external=True)}#s-{seq}")
    if hit.url and hit.url.startswith(("http://", "https://")):
        _add(entry, "link", rel="via", href=hit.url)
    _add(entry, "updated", entry_updated(hit))
    if hit.published:
        _add(entry, "published", _timestamp(hit.published) or EPOCH)
    author = _add(entry, "author")
    _add(author, "name", speaker)
    _add(entry, "category", term=s.kind, label=s.kind)
    for topic in s.topics:
        _add(entry, "category", term=topic, label=topic)
    who = speaker + (f", {s.speaker.role}" if s.speaker and s.speaker.role else "")
    where = " · ".join(x for x in (hit.source, hit.title) if x)
    _add(entry, "summary", f"{who} ({s.kind}): {s.quote}" + (f" — {where}" if where else ""), type="text")
    return entry


def entry_title(hit: Hit) -> str:
    """ "Speaker kind: quote…", the quote cut at a word near ``TITLE_CHARS``."""
    s = hit.statement
    head = f"{s.speaker.name if s.speaker else 'Unknown speaker'} {s.kind}: "
    room = max(20, TITLE_CHARS - len(head))
    quote = s.quote if len(s.quote) <= room else s.quote[:room].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return head + quote


def entry_updated(hit: Hit) -> str:
    """The statement's date if it has one, else the article's publication date (RFC 3339)."""
    period = hit.statement.date
    for value in ((period.value or period.range_start) if period else None, hit.published):
        stamp = _timestamp(value)
        if stamp:
            return stamp
    return EPOCH


def _timestamp(value: str | None) -> str | None:
    """ "2025-04-22", "2025-04" or "2025" (or a datetime) as an RFC 3339 time at midnight UTC of its first day."""
    day = first_day(value) if value else None
    return f"{day.isoformat()}T00:00:00Z" if day else None


@bp.get("/opensearch.xml")
def opensearch():
    description = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)

    def add(tag: str, text: str | None = None, **attrs: str) -> None:
        _add(description, tag, text, **attrs)

    add("ShortName", "Parley")
    add("Description", "Search who said what, when and where in the Parley archive of conflict news")
    add("InputEncoding", "UTF-8")
    add("Url", type="text/html", method="get", template=url_for("pages.search", _external=True) + "?q={searchTerms}")
    add("Url", type="application/atom+xml", method="get", template=url_for("feeds.atom", _external=True) + "?q={searchTerms}")
    add("Url", type="application/opensearchdescription+xml", rel="self", template=url_for("feeds.opensearch", _external=True))
    body = ET.tostring(description, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type=OPENSEARCH_TYPE)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        child.text = _clean(text)
    return child


def _clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
