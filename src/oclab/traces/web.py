"""The trace registry's web application: English and Spanish pages (sign in, submit a trace
request, see results, dashboards) and the REST API of :mod:`oclab.traces.api`.

``create_app(registry)`` returns a FastAPI application of its own; it can be mounted into the
analysis dashboard with ``dashboard_app.mount("/traces", create_app(registry))`` (links and
redirects follow the mount point). Pages live under ``/{lang}/`` (``en`` or ``es``); the sign-in
form sets an HttpOnly, SameSite=Strict cookie holding an API token, so forms cannot be posted
from another site. Templates autoescape, and every field goes through the validation rules
before it reaches the database.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oclab.traces import analytics, api
from oclab.traces.api import current
from oclab.traces.i18n import LANGUAGES, N_, translations
from oclab.traces.policy import Principal
from oclab.traces.store import NotFound, Refused, Registry
from oclab.traces.validate import REQUEST_RULES, RULES, FieldErrors
from oclab.web_pages import Pages, add_login, mount_root

TEMPLATES = Path(__file__).parent / "templates"
#: Form labels (ATF F 3312.1 item in brackets; Spanish from the catalogue).
LABELS: dict[str, str] = {
    "request_uid": N_("Request identifier"),
    "request_date": N_("Date of request [1a]"),
    "priority": N_("Priority [1b]"),
    "special_instructions": N_("Special instructions [1c]"),
    "ncic_crime_code": N_("NCIC crime code [2a]"),
    "project_code": N_("Project code [2b]"),
    "agency_case_number": N_("Agency case number [4e]"),
    "unit": N_("Department or unit [4f]"),
    "serial_number": N_("Serial number [5a]"),
    "serial_obliterated": N_("Serial obliterated [5b]"),
    "manufacturer": N_("Manufacturer [5c]"),
    "firearm_type": N_("Type [5d]"),
    "caliber": N_("Caliber [5e]"),
    "model": N_("Model [5f]"),
    "country_of_origin": N_("Country of origin [5g]"),
    "importer": N_("Importer [5h]"),
    "additional_markings": N_("Additional markings [5i]"),
    "possessor_name": N_("Possessor's name [6a]"),
    "possessor_dob": N_("Possessor's date of birth [6c]"),
    "recovery_date": N_("Recovery date"),
    "recovery_city": N_("Recovery city"),
    "recovery_state": N_("Recovery state"),
    "recovery_country": N_("Recovery country"),
    "status": N_("Status"),
    "failure_reason": N_("Reason not completed"),
    "dealer_license": N_("Dealer licence (FFL)"),
    "dealer_name": N_("Dealer"),
    "dealer_state": N_("Dealer state"),
    "purchaser_name": N_("First retail purchaser"),
    "purchaser_key": N_("Purchaser key"),
    "purchase_date": N_("Purchase date"),
    "time_to_crime_days": N_("Time to crime (days)"),
    "multiple_sale": N_("Multiple sale"),
}
PAGES = Pages(TEMPLATES, translations, LANGUAGES, LABELS)
render, _lang, _root = PAGES.render, PAGES.language, mount_root


def create_app(registry: Registry) -> FastAPI:
    """The trace registry as a FastAPI application (pages and ``/api/v1``)."""
    app = FastAPI(title="oclab traces", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.registry = registry
    app.include_router(api.router)

    @app.exception_handler(Refused)
    def _refused(_request: Request, error: Refused) -> Response:
        return api.error_json(403, str(error))

    @app.exception_handler(NotFound)
    def _missing(_request: Request, _error: NotFound) -> Response:
        return api.error_json(404, "no such trace")

    @app.exception_handler(FieldErrors)
    def _invalid(_request: Request, error: FieldErrors) -> Response:
        return api.error_json(422, error.errors)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        return RedirectResponse(f"{_root(request)}/en/", status_code=303)

    @app.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page(
        request: Request,
        lang: str,
        who: Principal = Depends(current),  # noqa: B008
    ) -> Response:
        lang = _lang(lang)
        board = analytics.dashboard(registry.frame(who), registry.policy, who)
        return render(request, lang, "dashboard.html.j2", who=who, board=board)

    add_login(app, PAGES, registry.issue_token)

    @app.get("/{lang}/traces/new", response_class=HTMLResponse, include_in_schema=False)
    def new_trace_page(
        request: Request,
        lang: str,
        who: Principal = Depends(current),  # noqa: B008
    ) -> Response:
        values = {"request_uid": secrets.token_hex(8)}
        return render(request, _lang(lang), "submit.html.j2", who=who, **_form(lang, values, []))

    @app.post("/{lang}/traces/new", response_class=HTMLResponse, include_in_schema=False)
    async def submit_trace(
        lang: str,
        request: Request,
        who: Principal = Depends(current),  # noqa: B008
    ) -> Response:
        lang = _lang(lang)
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if k in RULES}
        try:
            trace_id, _created = registry.submit(who, values)
        except FieldErrors as error:
            context = _form(lang, values, error.errors)
            return render(request, lang, "submit.html.j2", 422, who=who, **context)
        except Refused:
            return render(request, lang, "message.html.j2", 403, who=who, message="refused")
        return RedirectResponse(f"{_root(request)}/{lang}/traces/{trace_id}", status_code=303)

    @app.get("/{lang}/traces", response_class=HTMLResponse, include_in_schema=False)
    def traces_page(
        request: Request,
        lang: str,
        who: Principal = Depends(current),  # noqa: B008
    ) -> Response:
        lang = _lang(lang)
        try:
            rows = registry.list(who, limit=200)
        except Refused:
            return render(request, lang, "message.html.j2", 403, who=who, message="aggregates_only")
        return render(request, lang, "traces.html.j2", who=who, rows=rows)

    @app.get("/{lang}/traces/{trace_id}", response_class=HTMLResponse, include_in_schema=False)
    def trace_page(
        request: Request,
        lang: str,
        trace_id: int,
        who: Principal = Depends(current),  # noqa: B008
    ) -> Response:
        lang = _lang(lang)
        try:
            row = registry.get(who, trace_id)
        except NotFound:
            return render(request, lang, "message.html.j2", 404, who=who, message="not_found")
        return render(request, lang, "trace.html.j2", who=who, row=row)

    return app


def _form(lang: str, values: dict[str, str], errors: list[dict[str, str]]) -> dict[str, Any]:
    """Template context of the submission form: fields, values and translated errors."""
    gettext = translations(lang).gettext
    messages = {e["field"]: gettext(_message(e)) for e in errors}
    fields = [
        {"name": r.field, "kind": r.kind, "required": r.required, "choices": r.choices}
        for r in REQUEST_RULES
    ]
    return {"fields": fields, "values": values, "errors": messages}


def _message(error: dict[str, str]) -> str:
    rule = RULES.get(error["field"])
    return rule.expected if rule and rule.expected == error["expected"] else error["expected"]
