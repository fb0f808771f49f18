"""The observatory's public, bilingual web dashboard (English and Spanish) and its API.

``create_app(observatory)`` returns a FastAPI application: pages under ``/{lang}/`` (``en`` or
``es``) for the indicators by year and state, by court, the court anomaly flags, the
accusatorial transition, police training standards and (record roles) pseudonymised records;
the REST API and open-data downloads of :mod:`oclab.observatory.api`. Sign-in, tokens, roles
and the access log are the trace registry's (:mod:`oclab.traces`): the same cookie and bearer
tokens work on both. Templates autoescape; every table cell carries its column name
(``data-col``) so tests can check each count shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oclab.observatory import api
from oclab.observatory.i18n import LANGUAGES, N_, translations
from oclab.observatory.service import TABLES, Observatory
from oclab.observatory.training import STANDARD
from oclab.traces.api import current, error_json
from oclab.traces.policy import Principal
from oclab.traces.store import Refused
from oclab.web_pages import Pages, add_login, mount_root

TEMPLATES = Path(__file__).parent / "templates"
CALLER = Depends(current)
#: Column headings (Spanish from the catalogue); other columns show their name.
LABELS: dict[str, str] = {
    "state": N_("State"),
    "court_id": N_("Court"),
    "year": N_("Year"),
    "n_reported": N_("Reported"),
    "n_resolved": N_("Resolved"),
    "impunity": N_("Impunity"),
    "n_cases": N_("Charged cases"),
    "n_accusatorial": N_("Accusatorial"),
    "accusatorial_share": N_("Accusatorial share"),
    "n_concluded": N_("Concluded"),
    "n_convictions": N_("Convictions"),
    "n_acquittals": N_("Acquittals"),
    "n_dismissals": N_("Dismissals"),
    "n_verdicts": N_("Verdicts"),
    "conviction_rate": N_("Conviction rate"),
    "acquittal_rate": N_("Acquittal rate"),
    "dismissal_rate": N_("Dismissal rate"),
    "median_duration_days": N_("Median days"),
    "n_defendants": N_("Defendants"),
    "n_pretrial": N_("Pretrial detention"),
    "pretrial_share": N_("Pretrial share"),
    "backlog": N_("Backlog"),
    "flag": N_("Flag"),
    "force": N_("Force"),
    "level": N_("Level"),
    "country": N_("Country"),
    "hours": N_("Hours"),
    "hours_low": N_("Hours (low)"),
    "hours_high": N_("Hours (high)"),
    "gap_hours": N_("Gap (hours)"),
    "gap_low": N_("Gap (low)"),
    "gap_high": N_("Gap (high)"),
    "meets": N_("Meets the standard"),
    "verification": N_("Verification"),
    "source": N_("Source"),
    "curriculum": N_("Curriculum"),
}
#: Columns of the HTML tables (the downloads and the API carry every column).
SHOWN: dict[str, tuple[str, ...]] = {
    "indicators": (
        "state", "court_id", "year", "n_reported", "n_resolved", "impunity", "n_cases",
        "n_concluded", "n_convictions", "n_acquittals", "conviction_rate", "dismissal_rate",
        "median_duration_days", "n_defendants", "pretrial_share", "backlog",
        "accusatorial_share",
    ),
    "anomalies": (
        "state", "court_id", "n", "observed", "rate", "expected_rate", "z_adjusted",
        "lower_998", "upper_998", "flag",
    ),
    "training": (
        "force", "level", "country", "year", "hours", "hours_low", "hours_high", "gap_hours",
        "gap_low", "gap_high", "meets", "verification", "curriculum", "source",
    ),
}  # fmt: skip
PAGES = Pages(TEMPLATES, translations, LANGUAGES, LABELS)
render, _lang, _root = PAGES.render, PAGES.language, mount_root


def _shown(table: pl.DataFrame, kind: str, limit: int = 2000) -> pl.DataFrame:
    return table.select([c for c in SHOWN[kind] if c in table.columns]).head(limit)


def create_app(observatory: Observatory) -> FastAPI:
    """The observatory as a FastAPI application (pages, ``/api/v1``, downloads)."""
    app = FastAPI(
        title="oclab judicial observatory",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.observatory = observatory
    app.state.registry = observatory.registry  # for the registry's authentication
    app.include_router(api.router)

    @app.exception_handler(Refused)
    def _refused(_request: Request, error: Refused) -> Response:
        return error_json(403, str(error))

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        return RedirectResponse(f"{_root(request)}/en/", status_code=303)

    def page(
        request: Request, lang: str, who: Principal, title: str, sections: list, **extra: Any
    ) -> Response:
        return render(
            request,
            _lang(lang),
            "page.html.j2",
            who=who,
            title=title,
            sections=sections,
            threshold=observatory.threshold,
            **extra,
        )

    @app.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
    def overview(
        request: Request,
        lang: str,
        state: str | None = Query(None, max_length=4),
        year: int | None = Query(None, ge=1900, le=2100),
        who: Principal = CALLER,
    ) -> Response:
        tables, hidden = observatory.tables(who, "overview")
        national = tables.get("indicators_national", pl.DataFrame())
        by_state = api._filtered(tables.get("indicators_state", pl.DataFrame()), state, year)
        sections = [
            (N_("National indicators by year"), _shown(national, "indicators")),
            (N_("Indicators by state and year"), _shown(by_state, "indicators")),
        ]
        return page(
            request, lang, who, N_("Judicial observatory"), sections,
            hidden=hidden, filters=True, state=state or "", year=year or "", downloads=TABLES,
        )  # fmt: skip

    @app.get("/{lang}/courts", response_class=HTMLResponse, include_in_schema=False)
    def courts(
        request: Request,
        lang: str,
        state: str | None = Query(None, max_length=4),
        year: int | None = Query(None, ge=1900, le=2100),
        who: Principal = CALLER,
    ) -> Response:
        tables, hidden = observatory.tables(who, "courts")
        table = api._filtered(tables.get("indicators_court", pl.DataFrame()), state, year)
        sections = [(N_("Indicators by court and year"), _shown(table, "indicators"))]
        return page(
            request, lang, who, N_("Courts"), sections,
            hidden=hidden, filters=True, state=state or "", year=year or "",
        )  # fmt: skip

    @app.get("/{lang}/anomalies", response_class=HTMLResponse, include_in_schema=False)
    def anomalies(request: Request, lang: str, who: Principal = CALLER) -> Response:
        tables, hidden = observatory.tables(who, "anomalies")
        sections = [
            (
                N_("Dismissal rate against case mix"),
                _shown(tables.get("anomalies_dismissal", pl.DataFrame()), "anomalies"),
            ),
            (
                N_("Conviction rate against case mix"),
                _shown(tables.get("anomalies_conviction", pl.DataFrame()), "anomalies"),
            ),
        ]
        return page(
            request, lang, who, N_("Court anomaly flags"), sections, hidden=hidden, anomalies=True
        )

    @app.get("/{lang}/transition", response_class=HTMLResponse, include_in_schema=False)
    def transition(request: Request, lang: str, who: Principal = CALLER) -> Response:
        tables, hidden = observatory.tables(who, "transition")
        table = tables.get("transition", pl.DataFrame())
        if table.height:
            table = (
                table.sort("year")
                .pivot(on="year", index="state", values="accusatorial_share")
                .sort("state")
            )
        national = tables.get("indicators_national", pl.DataFrame())
        if national.height:
            national = national.select("year", "n_reported", "n_accusatorial", "accusatorial_share")
        sections = [
            (N_("Accusatorial share of reported cases, nationally"), national),
            (N_("Accusatorial share of reported cases by state and year"), table),
        ]
        return page(
            request, lang, who, N_("The accusatorial transition"), sections,
            hidden=hidden, transition=True,
        )  # fmt: skip

    @app.get("/{lang}/training", response_class=HTMLResponse, include_in_schema=False)
    def training(
        request: Request,
        lang: str,
        standard: float = api.STANDARD_QUERY,
        who: Principal = CALLER,
    ) -> Response:
        table = _shown(observatory.training(standard), "training")
        sections = [(N_("Basic training by force"), table)]
        return page(
            request, lang, who, N_("Police training standards"), sections,
            hidden=False, training=True, standard=standard, default_standard=STANDARD,
        )  # fmt: skip

    @app.get("/{lang}/records", response_class=HTMLResponse, include_in_schema=False)
    def records(request: Request, lang: str, who: Principal = CALLER) -> Response:
        lang = _lang(lang)
        try:
            rows = observatory.records(who, "cases", limit=200)
        except Refused:
            return render(request, lang, "message.html.j2", 403, who=who, message="records_only")
        table = pl.DataFrame(rows) if rows else pl.DataFrame()
        sections = [(N_("Cases (pseudonymised, first 200)"), table)]
        return page(request, lang, who, N_("Records"), sections, hidden=False)

    add_login(app, PAGES, observatory.registry.issue_token)
    return app
