"""The HTML pages: search with facets, articles, statements.  Every text is escaped by Jinja."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive.period import Period
from index.query import QuerySyntaxError
from index.request import FACETS, SearchError, SearchRequest
from web.archive_access import search_index, store
from web.formatting import plural, web_url, when
from web.params import ParamError, search_request

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(when)
bp.add_app_template_global(plural)
bp.add_app_template_filter(web_url)

FACET_TITLES = {"speaker": "Speaker", "kind": "Kind", "place": "Place", "topic": "Topic", "source": "Source", "country": "Country", "type": "Speaker type", "direct": "Direct quote"}


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
    for name in ("page", "cursor", "target", "facets", "kind", "type", "direct"):
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


@bp.get("/search")
def search():
    error = None
    result = None
    try:
        result = search_index().search(search_request(request.args, histogram=request.args.get("histogram") or "month"))
    except QuerySyntaxError as e:
        error = {"message": e.message, "text": e.text, "position": e.position}
    except (ParamError, SearchError) as e:
        error = {"message": str(e), "text": None, "position": None}
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
        lambda_range=lambda bucket: range_url(request.args, bucket.start, request.args.get("histogram") or "month"),
        step=request.args.get("histogram") or "month",
        step_url=lambda step: url_for("pages.search", **{**request.args.to_dict(flat=False), "histogram": step}),
    ), (400 if error else 200)
