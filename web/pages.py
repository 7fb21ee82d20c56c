"""The HTML pages: search with facets, articles, statements.  Every text is escaped by Jinja."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from index.query import QuerySyntaxError
from index.search import FACET_FIELDS, SearchError
from web.archive_access import search_index, store
from web.params import ParamError, search_args

bp = Blueprint("pages", __name__)

FACET_TITLES = {"speaker": "Speaker", "kind": "Kind", "place": "Place", "topic": "Topic", "source": "Source", "country": "Country", "type": "Speaker type", "direct": "Direct quote"}


def toggle_url(args: MultiDict, name: str, value: str) -> str:
    """This search with one facet value added or removed (and paging reset)."""
    params = MultiDict(args)
    params.poplist("page")
    params.poplist("cursor")
    values = params.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(name, values)
    return url_for("pages.home", **params.to_dict(flat=False))


def target_url(args: MultiDict, target: str) -> str:
    """This search over statements or articles (facets the other side lacks are dropped)."""
    params = MultiDict(args)
    for name in ("page", "cursor", "target", "facets", "kind", "type", "direct"):
        params.poplist(name)
    if target != "statements":
        params["target"] = target
    return url_for("pages.home", **params.to_dict(flat=False))


def page_url(args: MultiDict, page: int) -> str:
    params = MultiDict(args)
    params["page"] = str(page)
    params.poplist("cursor")
    return url_for("pages.home", **params.to_dict(flat=False))


@bp.get("/")
def home():
    error = None
    result = None
    try:
        args = search_args(request.args)
        result = search_index().search(**{**args, "histogram": args["histogram"] or "month"})
    except QuerySyntaxError as e:
        error = {"message": e.message, "text": e.text, "position": e.position}
    except (ParamError, SearchError) as e:
        error = {"message": str(e), "text": None, "position": None}
    numbers = store().stats()
    return render_template(
        "search.html",
        result=result,
        error=error,
        numbers=numbers,
        args=request.args,
        q=request.args.get("q", ""),
        toggle_url=toggle_url,
        target_url=target_url,
        target=request.args.get("target") if request.args.get("target") == "articles" else "statements",
        page_url=page_url,
        facet_titles=FACET_TITLES,
        facet_names=FACET_FIELDS,
        latest=store().latest(10) if not request.args else [],
    ), (400 if error else 200)


@bp.get("/articles/<article_id>")
def article(article_id: str):
    extraction = store().get(article_id[:100])
    if extraction is None:
        abort(404)
    return render_template("article.html", x=extraction)
