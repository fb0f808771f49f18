"""Route scenario files (TOML) and their runner: baseline, crackdowns and a diversion curve.

A scenario file::

    name = "mexico-tamaulipas"
    network = "mexico"        # bundled name, a folder (nodes.csv + edges.csv) or a .geojson,
                              # relative to the scenario file
    runs = 200                # parameter draws; 1 with no [priors] gives the default run
    seed = 1
    equilibrium = true        # false: least-cost (uncongested) routing
    tolerance = 1e-4          # Frank–Wolfe relative gap

    [params]                  # fixed values (see `oclab routes params`)
    risk_cost = 1.5

    [priors]                  # uncertain parameters, as in study files
    congestion_alpha = { kind = "uniform" }

    [[crackdowns]]            # each is compared with the baseline
    name = "Tamaulipas"
    nodes = { TAMPS = 5.0 }   # node id -> intensity k (adds k * risk_cost to entering it)
    groups = {}               # group label -> k
    edges = {}                # "TAIL->HEAD" -> k

    [curve]                   # optional: diverted share against intensity
    groups = { Mexico = 1.0 } # the pattern; each point scales it by the intensity
    intensities = [0, 2, 4, 8]

The runner returns tidy polars tables; :func:`run_scenario` writes them (and the figures)
atomically with :func:`oclab.core.results.write_outputs`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oclab.core.params import Prior, parse_prior
from oclab.core.results import csv_writer, json_writer, write_outputs
from oclab.core.rng import as_generator
from oclab.errors import InputError
from oclab.models import routes
from oclab.models.routes_network import BUNDLED, RouteNetwork, load_network

_KEYS = {"name", "network", "runs", "seed", "equilibrium", "tolerance"}
_TABLES = {"params", "priors", "crackdowns", "curve"}


@dataclass(frozen=True)
class RouteScenario:
    """A parsed scenario file."""

    name: str
    network: str
    runs: int = 1
    seed: int = 0
    equilibrium: bool = True
    tolerance: float = 1e-4
    params: Mapping[str, float] = field(default_factory=dict)
    priors: Mapping[str, Prior] = field(default_factory=dict)
    crackdowns: tuple[routes.Crackdown, ...] = ()
    curve_pattern: routes.Crackdown | None = None
    curve_intensities: tuple[float, ...] = ()
    source: str = "scenario"


def _mapping(value: object, source: str, field_name: str) -> dict:
    if not isinstance(value, dict):
        raise InputError(source, field_name, "a table such as { ID = 2.0 }", value)
    return dict(value)


def _crackdown(spec: object, source: str, where: str, default_name: str) -> routes.Crackdown:
    table = _mapping(spec, source, where)
    unknown = set(table) - {"name", "nodes", "groups", "edges", "intensities"}
    if unknown:
        raise InputError(source, f"{where}.{sorted(unknown)[0]}", "name, nodes, groups or edges")
    return routes.Crackdown(
        name=str(table.get("name", default_name)),
        nodes=_mapping(table.get("nodes", {}), source, f"{where}.nodes"),
        groups=_mapping(table.get("groups", {}), source, f"{where}.groups"),
        edges=_mapping(table.get("edges", {}), source, f"{where}.edges"),
    )


def parse_scenario(
    document: Mapping[str, Any], source: str, base: Path | None = None
) -> RouteScenario:
    """Validate a scenario table (already parsed from TOML)."""
    unknown = set(document) - _KEYS - _TABLES
    if unknown:
        raise InputError(source, sorted(unknown)[0], f"one of {', '.join(sorted(_KEYS | _TABLES))}")
    network = str(document.get("network", "mexico"))
    if base is not None and network not in BUNDLED:
        network = str((base / network).resolve())
    runs = document.get("runs", 1)
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(source, "runs", "a positive whole number", runs)
    seed = document.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(source, "seed", "a whole number >= 0", seed)
    equilibrium = document.get("equilibrium", True)
    if not isinstance(equilibrium, bool):
        raise InputError(source, "equilibrium", "true or false", equilibrium)
    tolerance = document.get("tolerance", 1e-4)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not 0 < tolerance < 1
    ):
        raise InputError(source, "tolerance", "a number in (0, 1)", tolerance)
    params = routes.PARAMS.validate(_mapping(document.get("params", {}), source, "params"), source)
    priors = {}
    for name, spec in _mapping(document.get("priors", {}), source, "priors").items():
        parameter = routes.PARAMS.require(name, source, "priors.")
        priors[name] = parse_prior(_mapping(spec, source, f"priors.{name}"), parameter, source)
    raw = document.get("crackdowns", [])
    if not isinstance(raw, list):
        raise InputError(source, "crackdowns", "an array of tables ([[crackdowns]])", raw)
    crackdowns = tuple(
        _crackdown(spec, source, f"crackdowns[{i}]", f"crackdown {i + 1}")
        for i, spec in enumerate(raw)
    )
    names = [c.name for c in crackdowns]
    if len(set(names)) != len(names) or "baseline" in names:
        raise InputError(source, "crackdowns.name", "unique names other than 'baseline'", names)
    pattern, intensities = None, ()
    if "curve" in document:
        curve = _mapping(document["curve"], source, "curve")
        values = curve.get("intensities", [])
        if (
            not isinstance(values, list)
            or not values
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in values
            )
        ):
            raise InputError(source, "curve.intensities", "a list of numbers >= 0", values)
        intensities = tuple(sorted(float(v) for v in values))
        pattern = _crackdown(
            {k: v for k, v in curve.items() if k != "intensities"}, source, "curve", "curve"
        )
    return RouteScenario(
        name=str(document.get("name", "routes")),
        network=network,
        runs=runs,
        seed=seed,
        equilibrium=equilibrium,
        tolerance=float(tolerance),
        params=params,
        priors=priors,
        crackdowns=crackdowns,
        curve_pattern=pattern,
        curve_intensities=intensities,
        source=source,
    )


def load_scenario(path: str | Path) -> RouteScenario:
    """Read and validate a scenario file."""
    target = Path(path)
    if not target.is_file():
        raise InputError(target, "file", "a scenario file (TOML; not found)")
    try:
        document = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(target, "file", f"valid TOML ({exc})") from None
    return parse_scenario(document, str(target), target.parent)


def scaled(pattern: routes.Crackdown, k: float) -> routes.Crackdown:
    """``pattern`` with every intensity multiplied by ``k``."""
    return replace(
        pattern,
        name=f"k={k:g}",
        nodes={n: v * k for n, v in pattern.nodes.items()},
        groups={g: v * k for g, v in pattern.groups.items()},
        edges={e: v * k for e, v in pattern.edges.items()},
    )


@dataclass(frozen=True)
class ScenarioOutput:
    """Every result of a scenario: solved flows and tidy tables."""

    scenario: RouteScenario
    network: RouteNetwork
    results: dict[str, routes.RouteResult]
    summary: pl.DataFrame
    edges: pl.DataFrame
    nodes: pl.DataFrame
    curve: pl.DataFrame | None


def _quantiles(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(values.mean()),
        "p05": float(np.quantile(values, 0.05)),
        "p95": float(np.quantile(values, 0.95)),
    }


def _check_crackdowns(scenario: RouteScenario, network: RouteNetwork) -> None:
    patterns = list(scenario.crackdowns) + (
        [scenario.curve_pattern] if scenario.curve_pattern else []
    )
    for crackdown in patterns:
        crackdown.node_intensity(network, scenario.source)
        crackdown.edge_intensity(network, scenario.source)


def _summary_rows(name: str, result: routes.RouteResult, moved: dict | None) -> list[dict]:
    net = result.network
    rows = [
        {"scenario": name, "outcome": "total_cost", "group": "", **_quantiles(result.total_cost)}
    ]
    for j, m in enumerate(net.markets):
        rows.append(
            {
                "scenario": name,
                "outcome": "delivered",
                "group": net.ids[m],
                **_quantiles(result.delivered[:, j]),
            }
        )
    for group in sorted(set(net.groups) - {""}):
        rows.append(
            {
                "scenario": name,
                "outcome": "group_flow",
                "group": group,
                **_quantiles(result.group_flow(group)),
            }
        )
    rows.append(
        {
            "scenario": name,
            "outcome": "relative_gap",
            "group": "",
            **_quantiles(result.relative_gap),
        }
    )
    for key in ("diverted", "diverted_share", "total_cost_change", "new_places"):
        values = moved[key] if moved else np.zeros(result.total_cost.size)
        rows.append({"scenario": name, "outcome": key, "group": "", **_quantiles(values)})
    return rows


def _transit_groups(network: RouteNetwork) -> list[str]:
    """Groups made only of transit nodes (corridors), sorted."""
    kinds: dict[str, set[str]] = {}
    for group, kind in zip(network.groups, network.kinds, strict=True):
        kinds.setdefault(group, set()).add(kind)
    return sorted(g for g, k in kinds.items() if g and k == {"transit"})


def solve_scenario(scenario: RouteScenario, network: RouteNetwork | None = None) -> ScenarioOutput:
    """Solve the baseline, every crackdown and the curve with common parameter draws."""
    network = network or load_network(scenario.network)
    _check_crackdowns(scenario, network)
    rng = as_generator(scenario.seed)
    params = routes.draw_params(scenario.runs, rng, scenario.params, scenario.priors)

    def solve(crackdown: routes.Crackdown) -> routes.RouteResult:
        return routes.solve(
            network,
            params,
            crackdown,
            equilibrium=scenario.equilibrium,
            tolerance=scenario.tolerance,
        )

    baseline = solve(routes.Crackdown())
    results = {"baseline": baseline}
    rows = _summary_rows("baseline", baseline, None)
    node_rows: list[dict] = []
    for crackdown in scenario.crackdowns:
        result = solve(crackdown)
        results[crackdown.name] = result
        moved = routes.displacement(baseline, result)
        rows += _summary_rows(crackdown.name, result, moved)
    edge_rows, base_active = [], baseline.active()
    for name, result in results.items():
        flow = result.edge_flow
        for e in range(network.n_edges):
            edge_rows.append(
                {
                    "scenario": name,
                    "source": network.ids[network.tail[e]],
                    "target": network.ids[network.head[e]],
                    "mode": network.mode[e],
                    **_quantiles(flow[:, e]),
                }
            )
        newly = (result.active() & ~base_active).mean(axis=0)
        for i in range(network.n_nodes):
            node_rows.append(
                {
                    "scenario": name,
                    "node": network.ids[i],
                    "name": network.names[i],
                    "group": network.groups[i],
                    "lon": float(network.lon[i]),
                    "lat": float(network.lat[i]),
                    "newly_active_share": float(newly[i]),
                    **_quantiles(result.node_flow[:, i]),
                }
            )
    curve = None
    if scenario.curve_pattern is not None:
        curve_rows = []
        for k in scenario.curve_intensities:
            crackdown = scaled(scenario.curve_pattern, k)
            result = solve(crackdown) if k > 0 else replace(baseline, crackdown=crackdown)
            moved = routes.displacement(baseline, result)
            row = {
                "intensity": k,
                **{
                    f"diverted_share_{q}": v for q, v in _quantiles(moved["diverted_share"]).items()
                },
            }
            row["diverted_mean"] = float(moved["diverted"].mean())
            row["new_places_mean"] = float(moved["new_places"].mean())
            for j, m in enumerate(network.markets):
                row[f"delivered_{network.ids[m]}"] = float(result.delivered[:, j].mean())
            for group in _transit_groups(network):
                row[f"flow_{group}"] = float(result.group_flow(group).mean())
            curve_rows.append(row)
        curve = pl.DataFrame(curve_rows)
    return ScenarioOutput(
        scenario,
        network,
        results,
        pl.DataFrame(rows),
        pl.DataFrame(edge_rows),
        pl.DataFrame(node_rows),
        curve,
    )


def write_scenario(output: ScenarioOutput, out_dir: Path, command: str = "") -> list[str]:
    """Write tables, figures and metadata into ``out_dir`` atomically; return the file names."""
    from oclab.models.routes_figures import curve_writer, map_writer

    scenario = output.scenario
    after = scenario.crackdowns[0].name if scenario.crackdowns else None
    writers = {
        "summary.csv": csv_writer(output.summary),
        "edges.csv": csv_writer(output.edges),
        "nodes.csv": csv_writer(output.nodes),
        "scenario.json": json_writer(
            {
                "name": scenario.name,
                "network": scenario.network,
                "runs": scenario.runs,
                "seed": scenario.seed,
                "equilibrium": scenario.equilibrium,
                "tolerance": scenario.tolerance,
                "params": dict(scenario.params),
                "priors": {k: vars(v) for k, v in scenario.priors.items()},
                "crackdowns": [
                    json.loads(json.dumps(vars(c), default=dict)) for c in scenario.crackdowns
                ],
                "command": command,
            }
        ),
        "map.png": map_writer(output, after),
    }
    if output.curve is not None:
        writers["curve.csv"] = csv_writer(output.curve)
        writers["curve.png"] = curve_writer(output)
    write_outputs(out_dir, writers)
    return list(writers)
