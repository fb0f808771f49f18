"""The dashboard's FastAPI application: stored studies, explorer, comparison, runs, downloads.

Pages are rendered on the server from jinja2 templates (one environment per language, gettext
installed); charts are Vega-Lite specs embedded in the page and drawn by the bundled vega builds.
Every query parameter and form field is validated here with a clear, translated message (HTTP 400)
instead of FastAPI's generic 422, and study names never leave the results root.
"""

from __future__ import annotations

import hmac
import io
import json
import math
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from oclab import __version__
from oclab.report.figures import outcome_label
from oclab.report.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    template_environment,
    translations,
)
from oclab.web.charts import bands_spec, comparison_spec
from oclab.web.jobs import (
    INCAPACITATION_RANGE,
    MAX_SEED,
    RECRUITMENT_RANGE,
    STUDY_FILE,
    FormError,
    JobManager,
    parse_float,
    parse_run_form,
)
from oclab.web.store import (
    DOWNLOADS,
    INTERVALS,
    NotFound,
    StoredStudy,
    download_path,
    list_studies,
)

HERE = Path(__file__).parent
LANG_COOKIE = "oclab_lang"
MAX_SCENARIOS = 32
MAX_FORM_BYTES = 16_384
#: Content-Security-Policy: only this server's scripts (vega compiles expressions, hence eval).
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)
JOB_STATES: dict[str, str] = {
    "queued": N_("waiting to start"),
    "running": N_("simulating"),
    "writing": N_("writing results and report"),
    "done": N_("finished"),
    "failed": N_("failed"),
}


@dataclass(frozen=True)
class Settings:
    """How the dashboard was started."""

    root: Path
    token: str | None = None
    max_runs: int = 200


def _environment(lang: str) -> jinja2.Environment:
    """The dashboard's jinja2 environment in ``lang`` (see :func:`template_environment`)."""
    return template_environment("oclab.web", lang)


def _language(request: Request) -> tuple[str, bool]:
    """The reader's language (``?lang=`` first, then the cookie) and whether it was just chosen."""
    asked = request.query_params.get("lang")
    if asked is not None:
        if asked not in LANGUAGES:
            raise FormError("lang", N_("expected one of {choices}"), choices=", ".join(LANGUAGES))
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE)
    return (cookie if cookie in LANGUAGES else "en"), False


def _switch_links(request: Request) -> list[dict[str, str]]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "href": f"?{urlencode([*params, ('lang', code)])}",
        }
        for code in LANGUAGES
    ]


def _one(request: Request, key: str, default: str | None = None, max_length: int = 200) -> str:
    values = request.query_params.getlist(key)
    if len(values) > 1:
        raise FormError(key, N_("expected a single value"))
    value = values[0] if values else default
    if value is None:
        raise FormError(key, N_("this parameter is required"))
    if len(value) > max_length:
        raise FormError(key, N_("at most {n} characters"), n=max_length)
    return value


def _choice(request: Request, key: str, choices: list[str], default: str) -> str:
    value = _one(request, key, default)
    if value not in choices:
        raise FormError(key, N_("expected one of {choices}"), choices=", ".join(choices))
    return value


def _scenarios(request: Request, study: StoredStudy) -> list[str]:
    available = study.scenarios()
    chosen = request.query_params.getlist("scenario")
    if len(chosen) > MAX_SCENARIOS:
        raise FormError("scenario", N_("at most {n} values"), n=MAX_SCENARIOS)
    for name in chosen:
        if name not in available:
            raise FormError(
                "scenario", N_("expected one of {choices}"), choices=", ".join(available)
            )
    return list(dict.fromkeys(chosen)) or available


def _years(request: Request, study: StoredStudy) -> tuple[float, float]:
    first, last = study.year_range()
    given = {k: _one(request, k, "", 32) for k in ("start", "end")}
    start = parse_float(given, "start", first, last) if given["start"] else first
    end = parse_float(given, "end", first, last) if given["end"] else last
    if start > end:
        raise FormError("end", N_("expected a year not before the start year {start}"), start=start)
    return start, end


def create_app(
    root: Path | str = "out", *, token: str | None = None, max_runs: int = 200
) -> FastAPI:
    """The dashboard over the studies stored in ``root``.

    ``token``: when given, launching a run requires it (set when the server listens beyond the
    loopback interface). ``max_runs`` caps the ensemble size of a run launched from the form.
    """
    settings = Settings(Path(root), token or None, max_runs)
    jobs = JobManager(settings.root)
    app = FastAPI(title="oclab dashboard", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.jobs = jobs
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        try:
            lang, chosen = _language(request)
        except FormError:
            lang, chosen = "en", False
        html = (
            _environment(lang)
            .get_template(template)
            .render(
                lang=lang,
                languages=_switch_links(request),
                version=__version__,
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        if chosen:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    def gettext_of(request: Request) -> Callable[[str], str]:
        try:
            return translations(_language(request)[0]).gettext
        except FormError:
            return translations("en").gettext

    @app.exception_handler(FormError)
    async def bad_input(request: Request, error: FormError) -> Response:
        message = error.text(gettext_of(request))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"field": error.field, "error": message}, status_code=400)
        return page(request, "error.html.j2", 400, field=error.field, message=message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        _ = gettext_of(request)
        message = _("No such study or file: {name}").format(name=str(error)[:80])
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=404)
        return page(request, "error.html.j2", 404, field="", message=message)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        _language(request)
        return page(
            request,
            "index.html.j2",
            studies=list_studies(settings.root),
            root=str(settings.root),
            busy=jobs.busy(),
        )

    @app.get("/studies/{name}", response_class=HTMLResponse)
    def explore(request: Request, name: str) -> HTMLResponse:
        lang, _chosen = _language(request)
        _ = translations(lang).gettext
        study = StoredStudy(settings.root, name)
        outcomes = study.outcomes()
        if not outcomes:
            raise NotFound(name)
        default = "members" if "members" in outcomes else outcomes[0]
        outcome = _choice(request, "outcome", outcomes, default)
        scenarios = _scenarios(request, study)
        start, end = _years(request, study)
        interval = int(_choice(request, "interval", [str(k) for k in INTERVALS], "90"))
        years = study.report_years() or [study.year_range()[1]]
        year_text = _choice(request, "year", [f"{y:g}" for y in years], f"{years[-1]:g}")
        year = float(year_text)
        label = outcome_label(outcome, _)
        history = _("history (shared)")
        bands = study.bands(outcome, scenarios, start, end, interval, history)
        chart = bands_spec(
            bands,
            title=_("{outcome}: median and {interval}% interval").format(
                outcome=label.capitalize(), interval=interval
            ),
            y_title=label,
            x_title=_("year"),
            series_title=_("Scenario"),
            history=history,
            restart_year=study.restart_year,
            restart_label=_("restart"),
        )
        rows = study.comparison(outcome, year, scenarios)
        compare = comparison_spec(
            rows,
            title=_("{outcome} in {year}: difference from the baseline, paired by run").format(
                outcome=label.capitalize(), year=year_text
            ),
            x_title=_("difference from the baseline (mean and 5–95% range)"),
            scenario_title=_("Scenario"),
            gettext=_,
        )
        query = urlencode(
            [
                ("outcome", outcome),
                *[("scenario", s) for s in scenarios],
                ("start", _exact(start)),
                ("end", _exact(end)),
            ]
        )
        return page(
            request,
            "study.html.j2",
            name=name,
            meta=study.meta,
            outcomes=[(o, outcome_label(o, _)) for o in outcomes],
            outcome=outcome,
            all_scenarios=study.scenarios(),
            scenarios=scenarios,
            start=_exact(start),
            end=_exact(end),
            first_last=[_exact(y) for y in study.year_range()],
            interval=interval,
            intervals=list(INTERVALS),
            years=[f"{y:g}" for y in years],
            year=year_text,
            chart=_json_markup(chart),
            compare=_json_markup(compare),
            table=[_comparison_row(r, _) for r in rows.to_dicts()],
            downloads=[f for f in DOWNLOADS if (study.folder / f).is_file()],
            selection_query=query,
            has_toml=(study.folder / STUDY_FILE).is_file(),
        )

    @app.get("/studies/{name}/files/{filename}")
    def download(name: str, filename: str) -> FileResponse:
        path = download_path(settings.root, name, filename)
        disposition = "inline" if filename.endswith(".html") else "attachment"
        return FileResponse(
            path,
            media_type=DOWNLOADS[filename],
            filename=f"{name}-{filename}",
            content_disposition_type=disposition,
        )

    @app.get("/studies/{name}/selection.csv")
    def selection_csv(request: Request, name: str) -> Response:
        study = StoredStudy(settings.root, name)
        outcomes = study.outcomes()
        outcome = _choice(request, "outcome", outcomes, outcomes[0] if outcomes else "")
        scenarios = _scenarios(request, study)
        start, end = _years(request, study)
        rows = study.selection(outcome, scenarios, start, end)
        buffer = io.BytesIO()
        rows.select("scenario", "run", "time", "week", "outcome", "value").write_csv(buffer)
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{outcome}.csv"'},
        )

    @app.get("/studies/{name}/report.html")
    def report(request: Request, name: str) -> HTMLResponse:
        lang, _chosen = _language(request)
        study = StoredStudy(settings.root, name)
        html = _report(study.folder, (study.folder / "results.parquet").stat().st_mtime_ns, lang)
        return HTMLResponse(html)

    @app.get("/run", response_class=HTMLResponse)
    def run_form(request: Request) -> HTMLResponse:
        _language(request)
        return _form_page(request, {}, "", 200)

    def _form_page(
        request: Request, values: Mapping[str, Any], error: str, status: int
    ) -> HTMLResponse:
        from datetime import UTC, datetime

        defaults = {
            "name": datetime.now(UTC).strftime("run-%Y%m%d-%H%M%S"),
            "recruitment": "0.5",
            "incapacitation": "2",
            "runs": "20",
            "seed": "20230922",
            "published": "",
        }
        shown = {k: str(values.get(k, v)) for k, v in defaults.items()}
        return page(
            request,
            "run.html.j2",
            status,
            values=shown,
            error=error,
            needs_token=settings.token is not None,
            max_runs=settings.max_runs,
            max_seed=MAX_SEED,
            recruitment_range=RECRUITMENT_RANGE,
            incapacitation_range=INCAPACITATION_RANGE,
            busy=jobs.busy(),
        )

    @app.post("/run")
    async def launch(request: Request) -> Response:
        _ = gettext_of(request)
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_FORM_BYTES:
            raise FormError("form", N_("expected a form of at most {n} bytes"), n=MAX_FORM_BYTES)
        form = await request.form(max_files=0, max_fields=16)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        if settings.token is not None:
            given = values.get("token", "")
            if not hmac.compare_digest(given.encode(), settings.token.encode()):
                return _form_page(
                    request,
                    values,
                    _("A valid access token is required to launch runs on this server."),
                    403,
                )
        try:
            run = parse_run_form(values, settings.max_runs)
            out = settings.root / run.name
            command = shlex.join(
                ["oclab", "run", str(out / STUDY_FILE), "--out", str(out), "--engine", "serial"]
            )
            job = jobs.submit(run, command)
        except FormError as error:
            message = f"{error.field}: {error.text(_)}"
            return _form_page(request, values, message, 400)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        _language(request)
        job = jobs.get(job_id)
        if job is None:
            raise NotFound(job_id)
        return page(request, "job.html.j2", job=_job_view(job.snapshot(), gettext_of(request)))

    @app.get("/api/jobs/{job_id}")
    def job_status(request: Request, job_id: str) -> JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            raise NotFound(job_id)
        return JSONResponse(_job_view(job.snapshot(), gettext_of(request)))

    return app


def _job_view(snapshot: dict[str, Any], gettext: Callable[[str], str]) -> dict[str, Any]:
    _ = gettext
    view = dict(snapshot)
    view["message"] = _("{state}: {done} of {total} chunks of runs").format(
        state=_(JOB_STATES[snapshot["state"]]), done=snapshot["done"], total=snapshot["total"]
    )
    view["url"] = f"/studies/{snapshot['name']}" if snapshot["state"] == "done" else ""
    return view


@lru_cache(maxsize=8)
def _report(folder: Path, _mtime: int, lang: str) -> str:
    """The study's report in ``lang``, rendered from the stored files (cached while unchanged)."""
    from oclab.core.results import load_results
    from oclab.report.html import render_report

    results, summary, meta = load_results(folder)
    return render_report(results, summary, meta, lang=lang)


def _exact(year: float) -> str:
    """A year as short text that reads back as exactly the same number."""
    short = f"{year:g}"
    return short if float(short) == year else repr(year)


def _clean(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by ``None`` (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _json_markup(spec: Mapping[str, Any]) -> Markup:
    """A spec as JSON safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(_clean(spec), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _comparison_row(row: Mapping[str, Any], gettext: Callable[[str], str]) -> dict[str, str]:
    from oclab.report.html import format_interval, format_number, format_percent, format_share

    return {
        "scenario": str(row["scenario"]),
        "mean": format_number(row["mean"]),
        "interval": format_interval(row["p05"], row["p95"], gettext=gettext),
        "vs_today": format_percent(row["vs_today_pct"]),
        "vs_baseline": format_percent(row["vs_baseline_pct"]),
        "vs_baseline_interval": format_interval(
            row["vs_baseline_p05"], row["vs_baseline_p95"], True, gettext
        ),
        "share_above": format_share(row["share_above_baseline"]),
    }
