"""The self-contained HTML report, on small synthetic results (the model is never run)."""

from __future__ import annotations

import base64
import re

import numpy as np
import polars as pl
import pytest

from oclab.analysis.summary import summarize
from oclab.report import png_data_uri, render_report
from oclab.report.figures import outcome_bands
from oclab.report.html import format_number, format_percent

START, RESTART, HORIZON = 2012.0, 2022.0, 10
WEEKS = np.arange(0, 1041, 52, dtype=np.int32)
RESTART_WEEK, REPORT_WEEKS = 520, (780, 1040)
GROUP_WEEKS = (0, 520, 1040)
RUNS = 5
SCENARIOS = ("baseline", "recruitment x0.5")
GROUPS = tuple(f"G{i:02d}" for i in range(12))
COMMAND = "oclab run scenarios/mexico-2022.toml --runs 5 --seed 7 --out 'results dir'"


def _national(rng: np.random.Generator, scenario_effect: dict[str, float]) -> pl.DataFrame:
    """National outcomes: a shared history, then one trajectory per scenario."""
    frames = []
    base = {
        "members": 150_000.0,
        "deaths_weekly": 120.0,
        "active_groups": 150.0,
        "largest_share": 0.2,
    }
    for outcome, level in base.items():
        noise = rng.normal(1.0, 0.05, size=(RUNS, WEEKS.size))
        history = level * noise * (1.0 + 0.02 * WEEKS / 52.0)
        for scenario, effect in scenario_effect.items():
            after = np.clip((WEEKS - RESTART_WEEK) / 520.0, 0.0, None)
            values = history * (1.0 + effect * after)
            frames.append(
                pl.DataFrame(
                    {
                        "scenario": scenario,
                        "run": np.repeat(np.arange(RUNS, dtype=np.int32), WEEKS.size),
                        "week": np.tile(WEEKS, RUNS),
                        "outcome": outcome,
                        "value": values.ravel(),
                    }
                )
            )
    return pl.concat(frames).with_columns(group=pl.lit(None, dtype=pl.String))


def _groups(rng: np.random.Generator, scenarios: tuple[str, ...]) -> pl.DataFrame:
    """Group members at the start, the restart and the last report year."""
    sizes = rng.pareto(1.5, size=(RUNS, len(GROUPS))) * 1000.0 + 10.0
    rows = []
    for scenario in scenarios:
        for week in GROUP_WEEKS:
            factor = 1.0 if week <= RESTART_WEEK or scenario == "baseline" else 0.7
            rows.append(
                pl.DataFrame(
                    {
                        "scenario": scenario,
                        "run": np.repeat(np.arange(RUNS, dtype=np.int32), len(GROUPS)),
                        "week": np.int32(week),
                        "outcome": "group_members",
                        "value": (sizes * factor * (1 + week / 1040)).ravel(),
                        "group": np.tile(np.array(GROUPS), RUNS),
                    }
                )
            )
    return pl.concat(rows)


def make_results(scenarios: tuple[str, ...] = SCENARIOS, seed: int = 1) -> pl.DataFrame:
    """A tidy results table in the engine's format."""
    rng = np.random.default_rng(seed)
    effects = {s: (0.0 if s == "baseline" else -0.3) for s in scenarios}
    table = pl.concat([_national(rng, effects), _groups(rng, scenarios)])
    return table.with_columns(
        pl.col("run").cast(pl.Int32),
        pl.col("week").cast(pl.Int32),
        time=START + pl.col("week").cast(pl.Float64) / 52.0,
    ).select("scenario", "run", "time", "outcome", "value", "group", "week")


def make_summary(results: pl.DataFrame) -> pl.DataFrame:
    """The summary the engine writes for these results (paired against today and the baseline)."""
    return summarize(results, START, RESTART, [(w - RESTART_WEEK) / 52.0 for w in REPORT_WEEKS])


def make_meta() -> dict[str, object]:
    """A complete meta dict."""
    return {
        "title": "Mexico 2022: what reduces cartel violence?",
        "description": "A synthetic study for tests.\n\nSecond paragraph.",
        "study": {
            "name": "mexico-2022",
            "model": "cartels",
            "mode": "stochastic",
            "runs": RUNS,
            "seed": 7,
            "start_year": START,
            "restart_year": RESTART,
            "horizon_years": HORIZON,
            "scenarios": [
                {"name": "baseline", "multiply": {}, "set": {}},
                {"name": "recruitment x0.5", "multiply": {"rho": 0.5}, "set": {}},
            ],
        },
        "command": COMMAND,
        "versions": {"oclab": "0.1.0", "numpy": np.__version__, "polars": pl.__version__},
        "created": "2024-05-01T12:00:00+00:00",
        "parameters": [
            {
                "name": "rho",
                "unit": "1/week",
                "default": 2.5e-3,
                "low": 2.4e-3,
                "high": 2.65e-3,
                "prior": "uniform",
                "description": "recruitment rate",
                "source": "Prieto-Curiel 2023",
            },
            {
                "name": "eta",
                "unit": "people/week",
                "default": 110,
                "low": None,
                "high": None,
                "prior": None,
                "description": "incapacitation",
                "source": "fit",
            },
        ],
        "outcomes": {"members": "members of all groups", "deaths_weekly": "deaths per week"},
        "data_source": "Synthetic data made up for the tests.",
    }


@pytest.fixture(scope="module")
def tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    results = make_results()
    return results, make_summary(results)


@pytest.fixture(scope="module")
def report(tables: tuple[pl.DataFrame, pl.DataFrame]) -> str:
    results, summary = tables
    return render_report(results, summary, make_meta())


def _section(html: str, section: str) -> str:
    return html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]


def test_full_html_document(report: str) -> None:
    assert report.lstrip().startswith("<!DOCTYPE html>")
    assert "<html" in report and report.rstrip().endswith("</html>")
    assert "<head>" in report and "<body>" in report and "<style>" in report
    assert "@media print" in report
    for section in ("headline", "figures", "summary", "methods", "reproducibility"):
        assert f'<section id="{section}">' in report


def test_no_external_resources_or_scripts(report: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", report, re.IGNORECASE)
    assert not re.search(r"<script", report, re.IGNORECASE)
    assert "@import" not in report and "url(" not in report


def test_embedded_figures_are_png(report: str) -> None:
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', report)
    assert len(uris) >= 3
    for uri in uris:
        assert base64.b64decode(uri, validate=True).startswith(b"\x89PNG\r\n\x1a\n")


def test_scenarios_command_and_methods_appear(report: str) -> None:
    for name in SCENARIOS:
        assert name in _section(report, "headline")
        assert name in _section(report, "summary")
    # The command is HTML-escaped text: quotes become entities, the rest is verbatim.
    assert COMMAND.replace("'", "&#39;") in _section(report, "reproducibility")
    methods = _section(report, "methods")
    assert "Prieto-Curiel 2023" in methods and "rho × 0.5" in methods
    assert "2024-05-01T12:00:00+00:00" in report


def test_headline_numbers_match_summary(
    report: str, tables: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    _, summary = tables
    row = summary.filter(
        (pl.col("scenario") == "recruitment x0.5")
        & (pl.col("outcome") == "members")
        & (pl.col("years_after_restart") == 10.0)
    ).row(0, named=True)
    headline = _section(report, "headline")
    assert f"{row['mean']:,.0f}" == format_number(row["mean"])
    assert f"{row['mean']:,.0f}" in headline
    assert f"{row['p05']:,.0f} to {row['p95']:,.0f}" in headline
    pct = f"{row['vs_baseline_pct']:+.1f}%".replace("-", "\u2212")
    assert pct == format_percent(row["vs_baseline_pct"])
    assert pct in headline
    assert "2032" in headline  # the last report year


def test_unsafe_names_are_escaped_and_meta_is_optional() -> None:
    evil = "<script>alert(1)</script>"
    results = make_results(("baseline", evil), seed=2)
    html = render_report(results, make_summary(results), {})
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("data:image/png;base64,") >= 3


def test_png_data_uri_and_bands(tables: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    assert png_data_uri(b"\x89PNG") == "data:image/png;base64,iVBORw=="
    results, _ = tables
    bands = outcome_bands(results, "members")
    assert bands.height == len(SCENARIOS) * WEEKS.size
    assert (bands["p05"] <= bands["p50"]).all() and (bands["p50"] <= bands["p95"]).all()
