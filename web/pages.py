"""The HTML pages: search with facets, articles, statements.  Every text is escaped by Jinja."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive.period import Period
from index.query import QuerySyntaxError
from index.request import FACETS, SearchError, SearchRequest
from index.results import Facet
from web.archive_access import search_index, store
from web.formatting import confidence_note, facet_label, plural, timeline_axis, timeline_bars, web_url, when
from web.params import ParamError, search_request
from web.worldmap import markers

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(when)
bp.add_app_template_global(plural)
bp.add_app_template_global(facet_label)
bp.add_app_template_global(confidence_note)
bp.add_app_template_global(timeline_bars)
bp.add_app_template_global(timeline_axis)
bp.add_app_template_filter(web_url)

FACET_TITLES = {
    "speaker": "Speaker",
    "kind": "Kind",
    "place": "Place",
    "topic": "Topic",
    "source": "Source",
    "country": "Country",
    "type": "Speaker type",
    "channel": "Channel",
    "direct": "Direct quote",
    "confidence": "Confidence",
}
SEARCH_FACETS = ("speaker", "kind", "place", "country", "topic", "type", "channel", "direct", "confidence", "source")
RESOLVED = ("speaker", "place", "topic")  # filters whose values the index resolves to the archive's names
MORE_LIMIT = 2000  # values the "more" view of a facet lists
MAP_PLACES = 60  # places counted for the search page's map


def toggle_url(args: MultiDict, name: str, value: str, endpoint: str = "pages.search") -> str:
    """This search (on the site, or ``endpoint``) with one facet value added or removed, paging reset."""
    params = MultiDict(args)
    params.poplist("page")
    params.poplist("cursor")
    values = params.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(name, values)
    return url_for(endpoint, **params.to_dict(flat=False))


def target_url(args: MultiDict, target: str) -> str:
    """This search over statements or articles (facets the other side lacks are dropped)."""
    params = MultiDict(args)
    for name in ("page", "cursor", "target", "facets", "kind", "type", "direct", "confidence"):
        params.poplist(name)
    if target != "statements":
        params["target"] = target
    return url_for("pages.search", **params.to_dict(flat=False))


def range_url(args: MultiDict, bucket_start: str, step: str = "month") -> str:
    """This search narrowed to one histogram bar (a day, week, month or year)."""
    period = Period.containing(date.fromisoformat(bucket_start), step)
    params = MultiDict(args)
    for name in ("page", "cursor"):
        params.poplist(name)
    params["from"], params["to"] = period.first.isoformat(), period.last.isoformat()
    return url_for("pages.search", **params.to_dict(flat=False))


def clear_url(args: MultiDict) -> str:
    """This search's words with every filter and date removed."""
    keep = {k: args.getlist(k) for k in ("q", "sort", "target") if args.get(k)}
    return url_for("pages.search", **keep)


def export_links(args: MultiDict) -> list[tuple[str, str]]:
    """This search as CSV, NDJSON, JSON and Atom: (label, URL)."""
    params = MultiDict(args)
    for name in ("page", "cursor", "facets", "facet_limit", "histogram"):
        params.poplist(name)
    flat = params.to_dict(flat=False)
    from web.feeds import atom_feed_url

    return [
        ("CSV", url_for("export.export", format="csv", **flat)),
        ("NDJSON", url_for("export.export", format="ndjson", **flat)),
        ("JSON", url_for("api.search", **flat)),
        ("Atom", atom_feed_url(args)),
    ]


def more_url(args: MultiDict, name: str) -> str:
    """Every value of one facet, within this search."""
    params = MultiDict(args)
    for key in ("page", "cursor", "facets", "facet_limit"):
        params.poplist(key)
    return url_for("pages.facet_more", name=name, **params.to_dict(flat=False))


def canonical_args(args: MultiDict, filters) -> MultiDict | None:
    """The request with name filters as the index resolved them, if that differs ("peskov" → "Dmitry Peskov")."""
    params = MultiDict(args)
    changed = False
    for name in RESOLVED:
        given = args.getlist(name)
        resolved = list(filters.get(name, ()))
        if given and resolved and [v.strip() for v in given] != resolved:
            params.setlist(name, resolved)
            changed = True
    return params if changed else None


def dates_url(args: MultiDict, first: str, last: str) -> str:
    """This search narrowed to one period (a timeline bar)."""
    params = MultiDict(args)
    for name in ("page", "cursor"):
        params.poplist(name)
    params["from"], params["to"] = first, last
    return url_for("pages.search", **params.to_dict(flat=False))


def page_url(args: MultiDict, page: int) -> str:
    params = MultiDict(args)
    params["page"] = str(page)
    params.poplist("cursor")
    return url_for("pages.search", **params.to_dict(flat=False))


def profile_url(facet, value) -> str:
    """Where a facet value on the home page leads: its profile page, or a search for it."""
    if facet.name == "speaker":
        return url_for("browse.speaker", name=value.label)
    if facet.name == "place":
        return url_for("browse.place", name=value.value)
    if facet.name == "topic":
        return url_for("browse.topic", name=value.value)
    return url_for("pages.search", **{facet.name: value.value})


@bp.get("/")
def home():
    if request.args:
        return redirect(url_for("pages.search", **request.args.to_dict(flat=False)))
    index = search_index()
    overview = index.search(SearchRequest(facets=("speaker", "kind", "topic", "place"), per_page=1, histogram="month", facet_limit=8))
    latest = index.search(SearchRequest(sort="newest", per_page=10))
    return render_template(
        "home.html", numbers=store().stats(), overview=overview, latest=latest, articles=store().latest(8), facet_titles=FACET_TITLES, profile_url=profile_url
    )


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the same icon, as SVG."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/search")
def search():
    error = None
    result = None
    try:
        every = {"facets": SEARCH_FACETS} if request.args.get("facets") is None and request.args.get("target", "statements") == "statements" else {}
        asked = search_request(request.args, histogram=request.args.get("histogram") or "month", **every)
        # The map wants more places than the side lists show: count up to MAP_PLACES, then trim the lists.
        result = search_index().search(asked.replace(facet_limit=max(asked.facet_limit, MAP_PLACES)) if "place" in asked.facets else asked)
        places = next((f for f in result.facets if f.name == "place"), None)
        result = dataclasses.replace(result, facets=tuple(trimmed(f, asked.facet_limit) for f in result.facets))
    except QuerySyntaxError as e:
        error = {"message": e.message, "text": e.text, "position": e.position}
    except (ParamError, SearchError) as e:
        error = {"message": str(e), "text": None, "position": None}
    if result is not None:
        canonical = canonical_args(request.args, result.filters)
        if canonical is not None:  # one URL per search: a name's variant redirects to the archive's spelling
            return redirect(url_for("pages.search", **canonical.to_dict(flat=False)))
    step = request.args.get("histogram") or "month"
    bars = timeline_bars(result.histogram, step) if result else []
    pins = markers(((v.value, v.count) for v in places.values), lambda name: toggle_url(request.args, "place", name)) if result and places else []
    return render_template(
        "search.html",
        result=result,
        error=error,
        numbers=store().stats(),
        args=request.args,
        q=request.args.get("q", ""),
        toggle_url=toggle_url,
        target_url=target_url,
        range_url=range_url,
        target=request.args.get("target") if request.args.get("target") == "articles" else "statements",
        page_url=page_url,
        facet_titles=FACET_TITLES,
        facet_names=FACETS,
        lambda_toggle=lambda facet, value: toggle_url(request.args, facet.name, value.label if facet.name == "speaker" else value.value),
        lambda_range=lambda bar: dates_url(request.args, bar.start, bar.end),
        step=step,
        step_url=lambda step: url_for("pages.search", **{**request.args.to_dict(flat=False), "histogram": step}),
        bars=bars,
        axis=timeline_axis(bars),
        clear_url=clear_url(request.args),
        exports=export_links(request.args),
        more_url=lambda name: more_url(request.args, name),
        add_name_url=lambda suggestion: name_url(request.args, suggestion),
        markers=pins,
    ), (400 if error else 200)


def trimmed(facet: Facet, limit: int) -> Facet:
    """A facet cut to ``limit`` values (selected ones always kept), the rest counted in ``other``."""
    if len(facet.values) <= limit:
        return facet
    kept = list(facet.values[:limit]) + [v for v in facet.values[limit:] if v.selected]
    return Facet(facet.name, tuple(kept), facet.other + len(facet.values) - len(kept))


def name_url(args: MultiDict, suggestion) -> str:
    """This search with a misspelled word replaced by the archive's name, as a filter on it."""
    import re

    params = MultiDict(args)
    params.poplist("page")
    params.poplist("cursor")
    rest = re.sub(rf"(?<![:\w]){re.escape(suggestion.word)}(?!\w)", " ", args.get("q", ""), count=1)
    params["q"] = " ".join(rest.split())
    params.setlist(suggestion.facet, [*args.getlist(suggestion.facet), suggestion.value])
    return url_for("pages.search", **params.to_dict(flat=False))


@bp.get("/search/more/<name>")
def facet_more(name: str):
    """Every value of one facet within the current search: by count or A–Z, narrowed by what is typed."""
    if name not in FACETS:
        return render_template("error.html", error={"code": 404, "name": "Not Found", "description": f"no facet {name[:40]!r}"}), 404
    error, facet = None, None
    order = request.args.get("order") if request.args.get("order") in ("count", "az") else "count"
    prefix = request.args.get("prefix", "")[:100]
    params = MultiDict(request.args)
    for key in ("order", "prefix"):
        params.poplist(key)
    try:
        facet = search_index().facet_values(name, search_request(params), prefix=prefix, limit=MORE_LIMIT)
    except QuerySyntaxError as e:
        error = e.message
    except (ParamError, SearchError) as e:
        error = str(e)
    values = list(facet.values) if facet else []
    if order == "az":
        values.sort(key=lambda v: facet_label(name, v.label).casefold())
    back = MultiDict(params)
    return render_template(
        "more.html",
        name=name,
        title=FACET_TITLES.get(name, name),
        values=values,
        other=facet.other if facet else 0,
        order=order,
        prefix=prefix,
        error=error,
        params=params,
        back_url=url_for("pages.search", **back.to_dict(flat=False)),
        order_url=lambda o: url_for("pages.facet_more", name=name, order=o, prefix=prefix, **params.to_dict(flat=False)),
        toggle=lambda v: toggle_url(params, name, v.label if name == "speaker" else v.value),
    ), (400 if error else 200)
