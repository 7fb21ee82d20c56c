"""Pages for one thing: a statement, an article, a speaker, a place, a topic; and lists of them."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from archive.model import Extraction, name_key, split_statement_id, statement_id
from archive.period import first_day
from index.errors import IndexUnavailable
from index.request import SearchRequest
from web.archive_access import search_index, store
from web.worldmap import markers

bp = Blueprint("browse", __name__)

LIST_LIMIT = 500
FACET_OF = {"speakers": "speaker", "places": "place", "topics": "topic"}


def marked_paragraphs(extraction: Extraction, focus: int | None = None) -> list[tuple[int, Markup]]:
    """The article's paragraphs, escaped, each statement wrapped in a link-able <mark> (id "s-SEQ")."""
    text = extraction.article.text
    spans = []
    last_end = -1
    for seq, s in sorted(enumerate(extraction.statements), key=lambda item: item[1].start):
        if s.start >= last_end and 0 <= s.start < s.end <= len(text):
            spans.append((s.start, s.end, seq, s))
            last_end = s.end
    out: list[tuple[int, Markup]] = []
    pieces: list[str] = []
    position = 0
    paragraph_start = 0

    def flush(end: int) -> None:
        html = "".join(pieces).strip()
        if html:
            out.append((paragraph_start, Markup(html)))
        pieces.clear()

    def plain(segment_start: int, segment_end: int) -> None:
        nonlocal paragraph_start
        segment = text[segment_start:segment_end]
        parts = segment.split("\n")
        for i, part in enumerate(parts):
            if i:
                flush(segment_start)
                paragraph_start = segment_start + sum(len(p) + 1 for p in parts[:i])
            pieces.append(escape(part))

    for start, end, seq, s in spans:
        plain(position, start)
        who = escape(s.speaker.name if s.speaker else "unknown speaker")
        classes = f"statement kind-{escape(s.kind)}" + (" focus" if seq == focus else "")
        quoted = escape(text[start:end]).replace("\n", "<br>")
        href = url_for("browse.statement", statement_id=statement_id(extraction.article.id, seq))
        pieces.append(
            f'<a class="statement-link" href="{escape(href)}"><mark id="s-{seq}" class="{classes}" title="{who} · {escape(s.kind)}">{quoted}</mark></a>'
        )
        position = end
    plain(position, len(text))
    flush(len(text))
    return out


@bp.get("/statements/<statement_id>")
def statement(statement_id: str):
    parts = split_statement_id(statement_id[:100])
    extraction = store().get(parts[0]) if parts else None
    if parts is None or extraction is None or parts[1] >= len(extraction.statements):
        abort(404, description=f"no statement with id {statement_id[:40]!r}")
    seq = parts[1]
    s = extraction.statements[seq]
    paragraphs = marked_paragraphs(extraction, focus=seq)
    containing = [html for start, html in paragraphs if start <= s.start] or [html for _, html in paragraphs[:1]]
    try:
        similar = search_index().more_like(statement_id, limit=RELATED)
    except (LookupError, IndexUnavailable):  # not (yet) in the index: the page stands without it
        similar = ()
    week, same_week = _same_speaker_week(extraction, s, statement_id)
    return render_template(
        "statement.html", x=extraction, s=s, seq=seq, statement_id=statement_id, paragraph=containing[-1] if containing else "",
        similar=similar, week=week, same_week=same_week,
    )  # fmt: skip


RELATED = 5  # statements listed under "similar" and "same speaker, same week"


def _same_speaker_week(extraction: Extraction, s, this_id: str):
    """The week (Monday to Sunday) of a statement's date, a search link for its speaker then, and a few of those statements."""
    day = first_day((s.date.value or s.date.range_start) if s.date else None) or extraction.article.published
    if s.speaker is None or day is None:
        return None, ()
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    request_ = SearchRequest(filters={"speaker": [s.speaker.name]}, date_from=monday, date_to=sunday, sort="newest", per_page=RELATED + 1)
    hits = tuple(h for h in search_index().search(request_).hits if h.id != this_id)[:RELATED]
    link = url_for("pages.search", speaker=s.speaker.name, **{"from": monday.isoformat(), "to": sunday.isoformat()})
    return {"from": monday, "to": sunday, "url": link}, hits


@bp.get("/articles/<article_id>")
def article(article_id: str):
    extraction = store().get(article_id[:100])
    if extraction is None:
        abort(404, description=f"no article with id {article_id[:40]!r}")
    return render_template("article.html", x=extraction, paragraphs=marked_paragraphs(extraction))


def _profile(facet: str, value: str, facets: tuple[str, ...]):
    index = search_index()
    page = index.search(SearchRequest(filters={facet: [value]}, facets=facets, sort="newest", per_page=20, histogram="month", facet_limit=15))
    if page.total == 0:
        abort(404, description=f"no statements for {facet} {value[:40]!r}")
    return page


def _render_profile(what: str, title: str, info, page, value: str):
    def lambda_search(facet, v) -> str:
        return url_for("pages.search", **{what: value, facet.name: v.label if facet.name == "speaker" else v.value})

    return render_template("profile.html", what=what, title=title, info=info, result=page, facet=what, value=value, lambda_search=lambda_search)


def _canonical(facet: str, name: str):
    """A profile reached by a variant goes to the archive's own spelling ("peskov" → "Dmitry Peskov").

    None when ``name`` is already that spelling; a redirect when one name is meant; a page to choose
    from when several are (or a 404 naming the nearest names when none is).
    """
    book = getattr(search_index(), "names", None)
    if book is None:  # a backend without a name book: the name is taken as given
        return None
    names = book()
    found = names.profile(facet, name)
    if found == (name,):
        return None
    endpoint = f"browse.{facet}"
    if len(found) == 1:
        return redirect(url_for(endpoint, name=found[0]), code=301 if name_key(found[0]) == name_key(name) else 302)
    if found:
        choices = [(value, url_for(endpoint, name=value)) for value in found]
        return render_template("which.html", facet=facet, name=name, choices=choices, missing=False), 300
    near = [(n.label, url_for(f"browse.{n.facet}", name=n.value)) for n in names.suggest(name)]
    return render_template("which.html", facet=facet, name=name, choices=near, missing=True), 404


@bp.get("/speakers/<path:name>")
def speaker(name: str):
    name = name[:200]
    moved = _canonical("speaker", name)
    if moved is not None:
        return moved
    page = _profile("speaker", name, ("kind", "topic", "place", "source"))
    info = store().speaker_profile([n for n in store().speaker_names() if name_key(n) == name_key(name)])
    label = search_index().speaker_labels().get(name_key(name), name)
    return _render_profile("speaker", label, info, page, name)


@bp.get("/places/<path:name>")
def place(name: str):
    moved = _canonical("place", name[:200])
    if moved is not None:
        return moved
    page = _profile("place", name[:200], ("speaker", "kind", "topic", "country"))
    return _render_profile("place", name[:200], None, page, name[:200])


@bp.get("/topics/<name>")
def topic(name: str):
    moved = _canonical("topic", name[:100])
    if moved is not None:
        return moved
    page = _profile("topic", name[:100], ("speaker", "kind", "place", "country"))
    return _render_profile("topic", name[:100], None, page, name[:100])


@bp.get("/<any(speakers, places, topics):kind>")
def listing(kind: str):
    facet = FACET_OF[kind]
    prefix = request.args.get("prefix", "")[:100]
    values = search_index().facet_values(facet, SearchRequest(), prefix=prefix, limit=LIST_LIMIT)
    pins = markers(((v.value, v.count) for v in values.values), lambda name: url_for("browse.place", name=name)) if facet == "place" else []
    return render_template("listing.html", kind=kind, facet=facet, values=values, prefix=prefix, markers=pins)


@bp.get("/help")
def help_page():
    index = search_index()
    page = index.search(SearchRequest(facets=("speaker", "kind", "place", "topic"), per_page=1, facet_limit=3, histogram="month"))
    top = {f.name: [v for v in f.values] for f in page.facets}
    month = page.histogram[-1].start[:7] if page.histogram else "2025-04"
    return render_template("help.html", top=top, month=month)
