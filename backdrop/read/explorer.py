"""The explorer: `/explore` lists the published data sets, `/explore/<name>` builds queries and
shows their answers as a chart, a table, the API URL and a curl line.

The pages hold no query logic: the builder is a form whose fields are the query language's own
parameters, so its state is the page URL; the page's script sends the same parameters to the
read API, as any client does, and draws what comes back. No page carries a token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request, url_for

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import DataSetNotFound
from backdrop.core.periods import Period
from backdrop.core.query import COLLECT_METHODS
from backdrop.core.timeutils import isoformat
from backdrop.web.context import services
from backdrop.web.pages import page

bp = Blueprint("explorer", __name__)

# The builder's fields: the query language's parameters (spec 2.1), `format` aside.
REPEATED = ("group_by", "collect", "filter_by", "filter_by_prefix")
SINGLE = ("period", "start_at", "end_at", "duration", "sort_by", "limit", "flatten", "inclusive")
SAMPLE_RECORDS = 100


@bp.get("/explore")
def catalogue() -> Response:
    """Every published, queryable data set with its newest record and staleness."""
    svc = services()
    shown = sorted(
        (config for config in svc.configs.all() if config.published and config.queryable),
        key=lambda config: config.name,
    )
    freshness = {item.name: item for item in svc.reads.freshness(shown)}
    rows = [
        {
            **_public(config),
            "last_updated": _when(freshness[config.name].last_updated),
            "stale": freshness[config.name].stale,
            "monitored": config.max_age_expected is not None,
        }
        for config in shown
    ]
    return page("explore/list.html", data_sets=rows)


@bp.get("/explore/<data_set_name>")
def builder(data_set_name: str) -> Response:
    """The query builder for one data set, its fields filled from the page URL."""
    svc = services()
    config = svc.configs.by_name(data_set_name)
    if config is None or not config.queryable:
        raise DataSetNotFound()
    g.data_set = config.name
    fields = svc.reads.field_names(config, SAMPLE_RECORDS)
    state: dict[str, Any] = {key: request.args.get(key, "") for key in SINGLE}
    state.update({key: request.args.getlist(key) for key in REPEATED})
    return page(
        "explore/data_set.html",
        data_set=_public(config),
        api_path=url_for(
            "queries.by_group_and_type", data_group=config.data_group, data_type=config.data_type
        ),
        fields=fields,
        periods=[period.value for period in Period],
        methods=COLLECT_METHODS,
        state=state,
    )


def _public(config: DataSetConfig) -> dict[str, Any]:
    """What a page may show of a config: never its token."""
    return {
        "name": config.name,
        "data_group": config.data_group,
        "data_type": config.data_type,
        "raw_queries_allowed": config.raw_queries_allowed,
        "published": config.published,
        "realtime": config.realtime,
    }


def _when(moment: Any) -> str | None:
    return isoformat(moment) if moment is not None else None
