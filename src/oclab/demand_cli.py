"""``oclab demand ...``: the demand side's tables and figures.

* ``oclab demand costs``: cost of a 1% cut in US cocaine users and consumption by program, the
  model (calibrated to Rydell & Everingham 1994) beside the published table, with the ratios.
* ``oclab demand control [--out DIR]``: the optimal prevention/treatment paths of Behrens et al.
  (2000), the switch year and the overlap; a figure with ``--out``.
* ``oclab demand budget STUDY [--out DIR]``: run a demand study (e.g. ``budget-2010``) and write
  results, summary, a comparison table (``budget.csv``) and a figure (``budget.png``).

Heavy imports (CasADi, matplotlib, the experiment layer) happen inside the handlers.
"""

from __future__ import annotations

import argparse
import io
import shlex
import sys
from pathlib import Path
from typing import Any

from oclab.cli_args import positive_number, whole_number
from oclab.errors import InputError

BUDGET_OUTCOMES: tuple[str, ...] = (
    "users",
    "heavy_users",
    "consumption_tonnes",
    "retail_expenditure",
    "revenue_mexican_dtos",
    "social_cost",
)
_TITLES = {
    "users": "US cocaine users (millions)",
    "consumption_tonnes": "consumption (pure tonnes / yr)",
    "revenue_mexican_dtos": "revenue reaching Mexican DTOs ($bn / yr)",
    "social_cost": "social cost ($bn / yr)",
}
_SHORT = {
    "users": "users (M)",
    "heavy_users": "heavy (M)",
    "consumption_tonnes": "tonnes",
    "retail_expenditure": "retail ($bn)",
    "revenue_mexican_dtos": "to DTOs ($bn)",
    "social_cost": "social ($bn)",
}
_UNIT = {
    "users": 1e6,
    "heavy_users": 1e6,
    "consumption_tonnes": 1.0,
    "retail_expenditure": 1e9,
    "revenue_mexican_dtos": 1e9,
    "social_cost": 1e9,
}
_SCALE = {"users": 1e6, "consumption_tonnes": 1.0, "revenue_mexican_dtos": 1e9, "social_cost": 1e9}


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demand costs``, ``demand control`` and ``demand budget``."""
    demand = sub.add_parser("demand", help="US drug demand: cost-effectiveness, control, budget")
    commands = demand.add_subparsers(dest="demand_command", required=True, metavar="COMMAND")
    costs = commands.add_parser("costs", help="cost of a 1%% cut in users/consumption by program")
    costs.set_defaults(handler=run_costs)
    control = commands.add_parser("control", help="optimal prevention vs treatment over time")
    control.add_argument("--years", type=positive_number, default=60.0, help="horizon (60)")
    control.add_argument("--intervals", type=whole_number(2), default=60, help="grid (60)")
    control.add_argument("--out", type=Path, help="folder for control.csv and control.png")
    control.set_defaults(handler=run_control)
    budget = commands.add_parser("budget", help="run a demand study and compare budget splits")
    budget.add_argument("study", type=Path, help="study file, e.g. scenarios/budget-2010.toml")
    budget.add_argument("--out", type=Path, help="results folder (default out/STUDY)")
    budget.add_argument("--engine", choices=("serial", "processes", "dask"), default="serial")
    budget.add_argument("--runs", type=whole_number(1), help="ensemble size (overrides the study)")
    budget.add_argument(
        "--share",
        type=float,
        action="append",
        default=[],
        metavar="X",
        help="add a scenario with demand share X of the same total budget (repeatable)",
    )
    budget.set_defaults(handler=run_budget)


def run_costs(args: argparse.Namespace) -> int:
    """Print the model's cost table beside Rydell & Everingham's."""
    from oclab.models import demand_costs as dc

    table = dc.cost_table()
    print("Extra spending ($M/yr) for a 1% cut, 15 years from 1992 (Rydell & Everingham 1994)")
    print(f"{'program':<24}{'users':>10}{'published':>11}{'consumption':>13}{'published':>11}")
    for program in dc.PROGRAMS:
        print(
            f"{dc.LABELS[program]:<24}{table.users[program]:>10,.0f}"
            f"{dc.PUBLISHED_USERS_MUSD[program]:>11,.0f}"
            f"{table.consumption[program]:>13,.0f}{dc.PUBLISHED_CONSUMPTION_MUSD[program]:>11,.0f}"
        )
    print("\nratio to treatment (model / published)")
    for which, published in (
        ("users", dc.PUBLISHED_USERS_MUSD),
        ("consumption", dc.PUBLISHED_CONSUMPTION_MUSD),
    ):
        ratios = table.ratios(which)
        cells = ", ".join(
            f"{p} {ratios[p]:.1f} / {published[p] / published['treatment']:.1f}"
            for p in dc.PROGRAMS[:-1]
        )
        print(f"  {which}: {cells}")
    print(
        "\nsupply consumption costs are calibrated (price elasticities); users costs and "
        "treatment (Behrens et al. 2000 treatment function) are predictions."
    )
    return 0


def run_control(args: argparse.Namespace) -> int:
    """Solve the Behrens et al. (2000) problem and print the paths."""
    import polars as pl

    from oclab.core.results import csv_writer, write_outputs
    from oclab.models import demand_control as dctl

    solution = dctl.solve(years=args.years, intervals=args.intervals)
    if not solution.success:
        print("oclab: warning: IPOPT did not converge; paths are the last iterate", file=sys.stderr)
    start = 1967.0
    print(f"{'year':>6}{'light (M)':>11}{'heavy (M)':>11}{'prevent ($M)':>14}{'treat ($M)':>12}")
    every = max(1, len(solution.years) // 30)
    for k in range(0, len(solution.years), every):
        print(
            f"{start + solution.years[k]:>6.1f}{solution.light[k] / 1e6:>11.2f}"
            f"{solution.heavy[k] / 1e6:>11.3f}{solution.prevention[k] / 1e6:>14.0f}"
            f"{solution.treatment[k] / 1e6:>12.0f}"
        )
    print(
        f"\ntreatment overtakes prevention in {start + solution.switch_year():.1f}; both above "
        f"10% of the budget for {solution.overlap_years():.1f} years; "
        f"discounted cost ${solution.objective / 1e9:,.0f}bn"
    )
    if args.out is not None:
        table = pl.DataFrame(
            {
                "year": start + solution.years,
                "light_users": solution.light,
                "heavy_users": solution.heavy,
                "prevention": solution.prevention,
                "treatment": solution.treatment,
                "budget": solution.budget,
            }
        )
        png = _control_png(table)
        write_outputs(
            args.out,
            {"control.csv": csv_writer(table), "control.png": lambda path: path.write_bytes(png)},
        )
        print(f"wrote {args.out}/control.csv and control.png")
    return 0


def run_budget(args: argparse.Namespace) -> int:
    """Run a demand study; write results, summary, budget.csv and budget.png."""
    import polars as pl

    from oclab.api import execute
    from oclab.core.results import csv_writer
    from oclab.study import load_study

    study = load_study(args.study).with_overrides(runs=args.runs)
    if study.model != "demand":
        raise InputError(args.study, "model", 'the demand model (model = "demand")', study.model)
    study = with_share_scenarios(study, args.share)
    out = args.out or Path("out") / args.study.stem

    def budget_files(results: Any, summary: Any) -> dict[str, Any]:
        png = budget_png(results, study.restart_year)
        return {
            "budget.csv": csv_writer(budget_table(summary)),
            "budget.png": lambda path: path.write_bytes(png),
        }

    _, summary = execute(
        study,
        out,
        engine=args.engine,
        command=shlex.join(["oclab", *sys.argv[1:]]),
        extra_outputs=budget_files,
    )
    table = budget_table(summary)
    last = table["years_after_restart"].max()
    print(f"{'scenario':<30}" + "".join(f"{_SHORT[o]:>17}" for o in BUDGET_OUTCOMES))
    for row in table.filter(pl.col("years_after_restart") == last).iter_rows(named=True):
        cells = "".join(
            f"{row[o] / _UNIT[o]:>9.2f}{row[f'{o}_vs_baseline_pct']:>+7.1f}%"
            for o in BUDGET_OUTCOMES
        )
        print(f"{str(row['scenario'])[:29]:<30}{cells}")
    print(f"(year {table['year'].max():g}; value and % vs baseline)")
    print(
        f"\nwrote {out}/results.parquet, summary.csv, study.json, report.html, budget.csv "
        "and budget.png"
    )
    return 0


def with_share_scenarios(study: Any, shares: list[float]) -> Any:
    """``study`` plus one scenario per demand share in ``shares`` (checked like a study file)."""
    from dataclasses import replace

    from oclab.models.demand import PARAMS
    from oclab.study import Scenario

    added = []
    for share in shares:
        value = PARAMS["budget_share"].check(share, "--share")
        name = f"split {100 * value:g}/{100 * (1 - value):g}"
        added.append(Scenario(name, set={"budget_share": value}))
    names = [s.name for s in (*study.scenarios, *added)]
    if len(set(names)) != len(names):
        raise InputError("--share", "share", "splits not already in the study", shares)
    return replace(study, scenarios=(*study.scenarios, *added))


def budget_table(summary: Any) -> Any:
    """One row per scenario and report year: the outcomes' means and % vs the baseline."""
    import polars as pl

    rows = summary.filter(pl.col("outcome").cast(pl.String).is_in(list(BUDGET_OUTCOMES)))
    wide = rows.with_columns(pl.col("outcome").cast(pl.String)).pivot(
        on="outcome",
        index=["scenario", "year", "years_after_restart"],
        values=["mean", "vs_baseline_pct"],
    )
    rename = {}
    for outcome in BUDGET_OUTCOMES:
        rename[f"mean_{outcome}"] = outcome
        rename[f"vs_baseline_pct_{outcome}"] = f"{outcome}_vs_baseline_pct"
    ordered = [c for o in BUDGET_OUTCOMES for c in (o, f"{o}_vs_baseline_pct")]
    return (
        wide.rename(rename)
        .select("scenario", "year", "years_after_restart", *ordered)
        .sort("years_after_restart", "scenario")
    )


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def budget_png(results: Any, restart_year: float) -> bytes:
    """Four panels over time (median over runs): users, consumption, DTO revenue, social cost."""
    import polars as pl

    from oclab.report.figures import scenario_style

    national = results.filter(pl.col("group").is_null())
    medians = (
        national.with_columns(pl.col("outcome").cast(pl.String), pl.col("scenario").cast(pl.String))
        .filter(pl.col("outcome").is_in(list(_TITLES)))
        .group_by("scenario", "outcome", "time")
        .agg(pl.col("value").median())
        .sort("time")
    )
    scenarios = list(dict.fromkeys(results["scenario"].cast(pl.String).to_list()))
    fig = _figure(10, 7)
    axes = fig.subplots(2, 2).ravel()
    for ax, outcome in zip(axes, _TITLES, strict=True):
        for k, name in enumerate(scenarios):
            rows = medians.filter((pl.col("scenario") == name) & (pl.col("outcome") == outcome))
            after = rows.filter(pl.col("time") >= restart_year) if k else rows
            colour, style = scenario_style(k)
            ax.plot(
                after["time"], after["value"] / _SCALE[outcome], color=colour, ls=style, label=name
            )
        ax.axvline(restart_year, color="#555555", ls="--", lw=0.8)
        ax.set_title(_TITLES[outcome], fontsize=10)
        ax.set_xlabel("year")
    axes[0].legend(fontsize=8)
    fig.suptitle("Budget splits at equal total spending (LHY model, medians over runs)")
    return _png(fig)


def _control_png(table: Any) -> bytes:
    fig = _figure(9, 6)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(table["year"], table["light_users"] / 1e6, label="light users")
    top.plot(table["year"], table["heavy_users"] / 1e6, label="heavy users")
    top.set_ylabel("millions")
    top.legend()
    bottom.step(table["year"], table["prevention"] / 1e6, where="post", label="prevention w")
    bottom.step(table["year"], table["treatment"] / 1e6, where="post", label="treatment u")
    bottom.plot(table["year"], table["budget"] / 1e6, color="#555555", ls=":", label="budget")
    bottom.set_ylabel("$M / yr")
    bottom.set_xlabel("year")
    bottom.legend()
    fig.suptitle("Optimal prevention and treatment (Behrens et al. 2000), direct collocation")
    return _png(fig)
