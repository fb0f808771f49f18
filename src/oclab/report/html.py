"""A finished study's stored results as one self-contained HTML report.

:func:`render_report` reads the tidy ``results`` table, the ``summary`` table (see
:mod:`oclab.analysis.summary`) and a ``meta`` dict describing the study, and returns a single HTML
document: CSS inline (with a print stylesheet, so the page prints cleanly to PDF), figures
embedded as base64 PNG ``data:`` URIs, no JavaScript and no external resources. The model is never
rerun here; every number comes from the tables. The page is rendered by a jinja2 template shipped
with the package, with autoescaping on, so names and texts from the study cannot inject markup.

The report is written in English or Spanish (``lang``): every string goes through the gettext
catalogues of :mod:`oclab.report.i18n`. Texts that come with the results (scenario names and
descriptions, parameter descriptions and sources, the ODD document) are shown as stored.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from oclab import __version__
from oclab.report.figures import (
    Gettext,
    _english,
    concentration_png,
    outcome_label,
    outcome_over_time_png,
    png_data_uri,
    top_groups_png,
)
from oclab.report.i18n import LANGUAGES, N_, check_language, template_environment, translations
from oclab.report.methods import MODE_NAMES, PRIOR_NAMES, generated_paragraphs, odd_html, references

BASELINE = "baseline"
HEADLINE_OUTCOMES: tuple[str, ...] = ("members", "deaths_weekly")
MINUS = "\u2212"
DASH = "\u2014"


# --- number formatting -------------------------------------------------------------------------


def _is_missing(x: object) -> bool:
    """True for ``None`` and NaN (values shown as a dash)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_number(x: float | int | None, signed: bool = False) -> str:
    """A readable number: thousands separators, few decimals, a true minus sign.

    ``|x| >= 100`` has no decimals, ``10 <= |x| < 100`` one, smaller values three significant
    digits; whole numbers given as ``int`` have no decimals. ``signed`` adds a ``+`` to positive
    numbers. Missing values give an em dash.
    """
    if _is_missing(x):
        return DASH
    if isinstance(x, int) and not isinstance(x, bool):
        text = f"{x:,}"
        return ("+" + text if signed and x > 0 else text).replace("-", MINUS)
    x = float(x)
    if math.isinf(x):
        text = "∞" if x > 0 else "-∞"
    elif x == 0:
        text = "0"
    elif abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:,.1f}"
    else:
        text = f"{x:.3g}"
    if signed and x > 0:
        text = "+" + text
    return text.replace("-", MINUS)


def format_percent(x: float | None, signed: bool = True) -> str:
    """A percentage with one decimal (``+12.3%``, ``−4.0%``); missing or infinite gives a dash."""
    if _is_missing(x) or math.isinf(float(x)):
        return DASH
    text = f"{float(x):+,.1f}%" if signed else f"{float(x):,.1f}%"
    return text.replace("-", MINUS)


def format_share(x: float | None) -> str:
    """A share in 0..1 as a whole percentage (``0.83`` → ``83%``)."""
    return DASH if _is_missing(x) else f"{100.0 * float(x):.0f}%"


def format_interval(
    low: float | None, high: float | None, signed: bool = False, gettext: Gettext = _english
) -> str:
    """A 5–95% interval as ``low to high`` (``to`` translated by ``gettext``)."""
    _ = gettext
    if _is_missing(low) and _is_missing(high):
        return DASH
    return _("{low} to {high}").format(
        low=format_number(low, signed), high=format_number(high, signed)
    )


def format_year(year: float | None) -> str:
    """A year (or years), without decimals when whole (``2027``, ``2027.5``, ``10``)."""
    return DASH if _is_missing(year) else f"{float(year):g}"


def _format_value(value: object) -> str:
    """A parameter value of any kind (numbers compactly, others as text)."""
    if _is_missing(value):
        return DASH
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}".replace("-", MINUS)


# --- reading the inputs ------------------------------------------------------------------------


def _mapping(meta: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``meta[key]`` when it is a mapping, else an empty mapping."""
    value = meta.get(key)
    return value if isinstance(value, Mapping) else {}


def _study(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    """``meta["study"]`` or an empty mapping."""
    return _mapping(meta, "study")


def scenario_order(
    results: pl.DataFrame, summary: pl.DataFrame, meta: Mapping[str, Any]
) -> list[str]:
    """All scenario names: the baseline first, then as the study lists them, then as they appear."""
    names: list[str] = [BASELINE]
    for scenario in _study(meta).get("scenarios") or []:
        if isinstance(scenario, Mapping) and "name" in scenario:
            names.append(str(scenario["name"]))
    for table in (summary, results):
        if "scenario" in table.columns:
            names.extend(table.get_column("scenario").unique(maintain_order=True).to_list())
    present = set()
    for table in (summary, results):
        if "scenario" in table.columns:
            present.update(table.get_column("scenario").unique().to_list())
    return [n for n in dict.fromkeys(names) if n in present]


def restart_year(summary: pl.DataFrame, meta: Mapping[str, Any]) -> float | None:
    """The restart year: from ``meta["study"]``, else from the summary's year offsets."""
    value = _study(meta).get("restart_year")
    if isinstance(value, int | float):
        return float(value)
    if summary.height and {"year", "years_after_restart"} <= set(summary.columns):
        return float(summary.select((pl.col("year") - pl.col("years_after_restart")).min()).item())
    return None


def last_report(summary: pl.DataFrame) -> tuple[float, float] | None:
    """``(years_after_restart, calendar year)`` of the last report year, if any."""
    if not summary.height:
        return None
    row = summary.sort("years_after_restart", "year").row(-1, named=True)
    return float(row["years_after_restart"]), float(row["year"])


def _ensemble_size(results: pl.DataFrame, summary: pl.DataFrame, meta: Mapping[str, Any]) -> int:
    """Number of runs: from the study, else the summary, else the results."""
    runs = _study(meta).get("runs")
    if isinstance(runs, int):
        return runs
    if summary.height and "runs" in summary.columns:
        return int(summary.get_column("runs").max())
    return results.get_column("run").n_unique() if "run" in results.columns else 0


def _sorted_summary(
    summary: pl.DataFrame,
    scenarios: Sequence[str],
    outcomes: Sequence[str],
    scenario_first: bool = False,
) -> pl.DataFrame:
    """The summary sorted by outcome (``outcomes`` first), report year and scenario order.

    With ``scenario_first`` the scenario is the leading sort key instead.
    """
    outcome_rank = {o: i for i, o in enumerate(outcomes)}
    scenario_rank = {s: i for i, s in enumerate(scenarios)}
    ordered = summary.with_columns(
        _o=pl.col("outcome").replace_strict(
            outcome_rank, default=len(outcomes), return_dtype=pl.Int64
        ),
        _s=pl.col("scenario").replace_strict(
            scenario_rank, default=len(scenarios), return_dtype=pl.Int64
        ),
    )
    keys = ["_o", "outcome", "years_after_restart", "_s", "scenario"]
    if scenario_first:
        keys = keys[3:] + keys[:3]
    return ordered.sort(keys).drop("_o", "_s")


# --- table rows ---------------------------------------------------------------------------------


def _change(row: Mapping[str, Any], against: str, gettext: Gettext) -> dict[str, str]:
    """Formatted paired change of a summary row against ``today`` or ``baseline``."""
    return {
        "pct": format_percent(row.get(f"vs_{against}_pct")),
        "mean": format_number(row.get(f"vs_{against}_mean"), signed=True),
        "interval": format_interval(
            row.get(f"vs_{against}_p05"), row.get(f"vs_{against}_p95"), True, gettext
        ),
        "share": format_share(row.get(f"share_above_{against}")),
    }


def headline_rows(
    summary: pl.DataFrame,
    scenarios: Sequence[str],
    gettext: Gettext = _english,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
) -> list[dict[str, Any]]:
    """Rows of the headline table: each scenario's headline outcomes at the last report year."""
    last = last_report(summary)
    if last is None:
        return []
    at_last = _sorted_summary(
        summary.filter(
            (pl.col("years_after_restart") == last[0]) & pl.col("outcome").is_in(list(outcomes))
        ),
        scenarios,
        outcomes,
        scenario_first=True,
    )
    rows: list[dict[str, Any]] = []
    for row in at_last.to_dicts():
        rows.append(
            {
                "scenario": row["scenario"],
                "is_baseline": row["scenario"] == BASELINE,
                "outcome": outcome_label(row["outcome"], gettext),
                "mean": format_number(row["mean"]),
                "interval": format_interval(row["p05"], row["p95"], gettext=gettext),
                "today": _change(row, "today", gettext),
                "baseline": _change(row, "baseline", gettext),
            }
        )
    for i, row in enumerate(rows):
        first = i == 0 or rows[i - 1]["scenario"] != row["scenario"]
        row["span"] = sum(r["scenario"] == row["scenario"] for r in rows) if first else 0
    return rows


def summary_rows(
    summary: pl.DataFrame,
    scenarios: Sequence[str],
    outcomes: Sequence[str] = (),
    gettext: Gettext = _english,
    headline: Sequence[str] = HEADLINE_OUTCOMES,
) -> list[dict[str, Any]]:
    """Rows of the full summary table, every outcome and report year, formatted."""
    ordered = _sorted_summary(summary, scenarios, list(dict.fromkeys([*headline, *outcomes])))
    return [
        {
            "scenario": row["scenario"],
            "outcome": row["outcome"],
            "label": outcome_label(row["outcome"], gettext),
            "year": format_year(row["year"]),
            "after": format_year(row["years_after_restart"]),
            "runs": format_number(row["runs"]),
            "mean": format_number(row["mean"]),
            "p05": format_number(row["p05"]),
            "p50": format_number(row["p50"]),
            "p95": format_number(row["p95"]),
            "today": _change(row, "today", gettext),
            "baseline": _change(row, "baseline", gettext),
        }
        for row in ordered.to_dicts()
    ]


def _scenario_rows(meta: Mapping[str, Any], gettext: Gettext) -> list[dict[str, str]]:
    """The study's scenarios with their parameter changes as text."""
    _ = gettext
    rows = []
    for scenario in _study(meta).get("scenarios") or []:
        if not isinstance(scenario, Mapping):
            continue
        changes = [f"{k} × {_format_value(v)}" for k, v in (scenario.get("multiply") or {}).items()]
        changes += [f"{k} = {_format_value(v)}" for k, v in (scenario.get("set") or {}).items()]
        rows.append(
            {
                "name": str(scenario.get("name", "")),
                "description": str(scenario.get("description") or ""),
                "changes": "; ".join(changes) or _("no change (reference)"),
            }
        )
    return rows


def _parameter_rows(meta: Mapping[str, Any], gettext: Gettext) -> list[dict[str, str]]:
    """The parameters table: name, unit, default, range, prior, description, source."""
    rows = []
    for p in meta.get("parameters") or []:
        if not isinstance(p, Mapping):
            continue
        low, high = p.get("low"), p.get("high")
        span = (
            DASH
            if _is_missing(low) and _is_missing(high)
            else (f"{_format_value(low)} – {_format_value(high)}")
        )
        rows.append(
            {
                "name": str(p.get("name", "")),
                "unit": str(p.get("unit") or ""),
                "default": _format_value(p.get("default")),
                "range": span,
                "prior": gettext(PRIOR_NAMES[p["prior"]])
                if p.get("prior") in PRIOR_NAMES
                else str(p.get("prior") or DASH),
                "description": str(p.get("description") or ""),
                "source": str(p.get("source") or ""),
            }
        )
    return rows


# --- figures ------------------------------------------------------------------------------------

FIGURE_TITLES: tuple[tuple[str, str], ...] = (
    ("members", N_("Members of all groups")),
    ("deaths_weekly", N_("Weekly deaths")),
)


def build_figures(
    results: pl.DataFrame,
    scenarios: Sequence[str],
    restart: float | None,
    last_year: float | None,
    dpi: int = 100,
    gettext: Gettext = _english,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
    meanings: Mapping[str, object] | None = None,
) -> list[dict[str, str]]:
    """The report's figures as ``{"title", "caption", "src"}`` with ``src`` a PNG data URI.

    One figure over time per headline outcome (titled from :data:`FIGURE_TITLES` where known,
    else from the model's own description of the outcome), then the groups' figures if any.
    """
    _ = gettext
    known = dict(FIGURE_TITLES)
    meanings = meanings or {}
    national = set(results.filter(pl.col("group").is_null()).get_column("outcome").unique())
    figures: list[dict[str, str]] = []
    band = _("Lines are medians across runs; shaded bands span the 5th to 95th percentiles.")
    for outcome in outcomes:
        if outcome not in national:
            continue
        english = known.get(outcome)
        title = _(english) if english else str(meanings.get(outcome) or outcome).capitalize()
        png = outcome_over_time_png(
            results,
            outcome,
            restart_year=restart,
            scenarios=scenarios,
            title=_("{title}: median and 5–95% band").format(title=title),
            dpi=dpi,
            gettext=gettext,
        )
        caption = _(
            "{title} over time. {band} The dashed line marks the restart year; before it all "
            "scenarios share the same history (grey)."
        ).format(title=title, band=band)
        figures.append({"title": title, "caption": caption, "src": png_data_uri(png)})
    if restart is not None and last_year is not None:
        png = top_groups_png(
            results,
            restart_year=restart,
            last_year=last_year,
            scenarios=scenarios,
            dpi=dpi,
            gettext=gettext,
        )
        if png is not None:
            figures.append(
                {
                    "title": _("Largest groups"),
                    "caption": _(
                        "Share of all members held by each of the ten largest groups (mean over "
                        "runs), at the restart year and at the last report year under each "
                        "scenario."
                    ),
                    "src": png_data_uri(png),
                }
            )
    png = concentration_png(
        results, restart_year=restart, scenarios=scenarios, dpi=dpi, gettext=gettext
    )
    if png is not None:
        figures.append(
            {
                "title": _("Concentration"),
                "caption": _(
                    "Number of active groups and concentration of members over time. {band}"
                ).format(band=band),
                "src": png_data_uri(png),
            }
        )
    return figures


def claims_table(meta: Mapping[str, Any]) -> dict[str, list[Any]] | None:
    """The study's claims (``meta["claims"]``: a list of records), as columns and rows of text."""
    claims = [c for c in meta.get("claims") or [] if isinstance(c, Mapping)]
    if not claims:
        return None
    columns = list(dict.fromkeys(str(k) for c in claims for k in c))
    rows = [[_format_value(c.get(k)) for k in columns] for c in claims]
    return {"columns": columns, "rows": rows}


# --- rendering ----------------------------------------------------------------------------------


def _environment(lang: str = "en") -> jinja2.Environment:
    """The report's jinja2 environment in ``lang`` (see :func:`template_environment`)."""
    return template_environment("oclab.report", lang)


def _paragraphs(text: object) -> list[str]:
    """Text split into paragraphs at blank lines."""
    return [p.strip() for p in str(text or "").split("\n\n") if p.strip()]


def render_report(
    results: pl.DataFrame,
    summary: pl.DataFrame,
    meta: dict[str, object],
    dpi: int = 100,
    lang: str = "en",
    report_command: str | None = None,
    odd_dir: Path | None = None,
) -> str:
    """One self-contained HTML document reporting a finished study.

    ``results`` is the tidy results table, ``summary`` the paired summary table and ``meta`` the
    study's description (title, description, study, command, versions, created, parameters,
    outcomes, data_source, model_summary, claims; all optional). ``dpi`` sets the figures'
    resolution, ``lang`` the language (``en`` or ``es``). ``report_command`` is the command that
    rendered this report (shown beside the one that ran the study); ``odd_dir`` overrides where
    the models' ODD documents are looked up.
    """
    check_language(lang, "render_report")
    _ = translations(lang).gettext
    study = _study(meta)
    scenarios = scenario_order(results, summary, meta)
    restart = restart_year(summary, meta)
    last = last_report(summary)
    outcomes = _mapping(meta, "outcomes")
    versions = _mapping(meta, "versions")
    model = str(study.get("model") or "")
    headline = [str(o) for o in (meta.get("headline") or HEADLINE_OUTCOMES)]  # type: ignore[union-attr]
    context = {
        "lang": lang,
        "languages": LANGUAGES,
        "title": str(meta.get("title") or study.get("name") or _("oclab study report")),
        "description": _paragraphs(meta.get("description")),
        "runs": format_number(_ensemble_size(results, summary, meta)),
        "restart_year": format_year(restart),
        "last_year": format_year(last[1]) if last else DASH,
        "last_after": format_year(last[0]) if last else DASH,
        "baseline": BASELINE,
        "headline": headline_rows(summary, scenarios, _, headline),
        "figures": build_figures(
            results, scenarios, restart, last[1] if last else None, dpi, _, headline, outcomes
        ),
        "summary": summary_rows(summary, scenarios, [str(k) for k in outcomes], _, headline),
        "claims": claims_table(meta),
        "study": {
            "name": str(study.get("name") or ""),
            "model": model,
            "mode": _(MODE_NAMES[mode])
            if (mode := study.get("mode")) in MODE_NAMES
            else (mode or ""),
            "start_year": format_year(study.get("start_year")),
            "horizon_years": format_year(study.get("horizon_years")),
            "seed": str(study.get("seed", DASH)),
        },
        "model_summary": str(meta.get("model_summary") or ""),
        "generated": generated_paragraphs(meta, _),
        "odd": odd_html(model, lang, odd_dir),
        "references": references(meta),
        "scenarios": _scenario_rows(meta, _),
        "parameters": _parameter_rows(meta, _),
        "outcomes": [
            {"name": str(k), "label": outcome_label(str(k), _), "meaning": str(v)}
            for k, v in outcomes.items()
        ],
        "data_source": _paragraphs(meta.get("data_source")),
        "command": str(meta.get("command") or ""),
        "versions": [{"name": str(k), "version": str(v)} for k, v in versions.items()],
        "report_command": report_command or "",
        "report_versions": [
            {"name": "python", "version": platform.python_version()},
            {"name": "oclab", "version": __version__},
        ],
        "created": str(meta.get("created") or ""),
    }
    return _environment(lang).get_template("report.html.j2").render(**context)
