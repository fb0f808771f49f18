"""A study: the model, the uncertain world (fixed values and priors), the scenarios and the clock.

Studies are written as TOML files (see ``scenarios/``). Every field is checked on load, and a
problem is an :class:`~oclab.errors.InputError` naming the file and the field::

    name = "mexico-2022"
    model = "cartels"
    mode = "stochastic"            # a model option (``oclab models`` lists them)
    runs = 200                     # ensemble size
    seed = 2023                    # root of every random stream
    start_year = 2012.0            # the simulation starts here ...
    restart_year = 2022.0          # ... scenarios branch from the state reached here ...
    horizon_years = 10             # ... and run this many years
    report_years = [5, 10]         # summary rows: years after the restart

    [params]                       # fixed values replacing defaults
    eta = 110

    [priors]                       # parameters drawn per run (same draws in every scenario)
    rho = { kind = "uniform", low = 2.4e-3, high = 2.65e-3 }

    [[scenarios]]
    name = "baseline"

    [[scenarios]]
    name = "incapacitation x2"
    multiply = { eta = 2.0 }       # or: set = { rho = 0.0 }

    [[scenarios]]
    name = "arrests first, then prevention"
    multiply = { eta = 2.0 }
    [[scenarios.later]]            # sequencing: changes on top, from a later year
    year = 2027.0
    multiply = { rho = 0.5 }
    ramp_years = 3                 # optional: reached in yearly steps
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from oclab.core.params import ParamSet, Prior, parse_prior
from oclab.errors import InputError
from oclab.models.registry import get_model

WEEKS_PER_YEAR = 52
BASELINE = "baseline"
_TOP_KEYS = {
    "name",
    "description",
    "model",
    "runs",
    "seed",
    "chunk_runs",
    "start_year",
    "restart_year",
    "horizon_years",
    "record_every_weeks",
    "report_years",
    "data",
    "params",
    "priors",
    "scenarios",
}


def _change(
    values: Mapping[str, Any],
    multiply: Mapping[str, float],
    fixed: Mapping[str, float],
    fraction: float = 1.0,
) -> dict[str, Any]:
    """``values`` multiplied and set as given, ``fraction`` of the way (1: the full change)."""
    changed = dict(values)
    for name, factor in multiply.items():
        changed[name] = changed[name] * (1.0 + (factor - 1.0) * fraction)
    for name, target in fixed.items():
        changed[name] = changed[name] + (target - changed[name]) * fraction
    return changed


@dataclass(frozen=True)
class LaterChange:
    """A change from ``week`` weeks after the restart, reached linearly over ``ramp_weeks``."""

    week: int
    multiply: dict[str, float] = field(default_factory=dict)
    set: dict[str, float] = field(default_factory=dict)
    ramp_weeks: int = 0

    def fraction(self, week: int) -> float:
        """How much of the change is in effect ``week`` weeks after the restart."""
        if week < self.week:
            return 0.0
        if self.ramp_weeks == 0:
            return 1.0
        steps = -(-self.ramp_weeks // WEEKS_PER_YEAR)  # ramps advance once a year
        done = min(steps, (week - self.week) // WEEKS_PER_YEAR + 1)
        return done / steps

    def change_weeks(self) -> list[int]:
        """Weeks after the restart at which this change moves the parameters."""
        steps = max(1, -(-self.ramp_weeks // WEEKS_PER_YEAR))
        return [self.week + k * WEEKS_PER_YEAR for k in range(steps)]


@dataclass(frozen=True)
class Scenario:
    """A named change to the parameters from the restart year on, and optional later changes.

    Later changes (sequencing: "suppression first, prevention from 2027") come in order, each on
    top of the parameters as they stood before it; a ramp reaches the change in yearly steps.
    """

    name: str
    multiply: dict[str, float] = field(default_factory=dict)
    set: dict[str, float] = field(default_factory=dict)
    description: str = ""
    later: tuple[LaterChange, ...] = ()

    def apply(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Parameter values (scalars or per-run arrays) with this scenario's first changes."""
        return _change(values, self.multiply, self.set)

    def params_at(self, values: Mapping[str, Any], week: int) -> dict[str, Any]:
        """Parameter values in effect ``week`` weeks after the restart."""
        current = self.apply(values)
        for later in self.later:
            fraction = later.fraction(week)
            if fraction > 0:
                current = _change(current, later.multiply, later.set, fraction)
        return current

    def change_weeks(self) -> list[int]:
        """Weeks after the restart at which the parameters change (besides the restart)."""
        return sorted({w for later in self.later for w in later.change_weeks() if w > 0})


@dataclass(frozen=True)
class Study:
    """Everything needed to run an ensemble, already validated."""

    name: str
    model: str
    options: dict[str, str]
    runs: int
    seed: int
    scenarios: tuple[Scenario, ...]
    description: str = ""
    chunk_runs: int = 100
    start_year: float = 2012.0
    restart_year: float = 2022.0
    horizon_years: float = 10.0
    record_every_weeks: int = 4
    report_years: tuple[float, ...] = (5.0, 10.0)
    params: dict[str, float] = field(default_factory=dict)
    priors: dict[str, Prior] = field(default_factory=dict)
    data: str | None = None
    source: str = "<study>"

    @property
    def restart_week(self) -> int:
        return round((self.restart_year - self.start_year) * WEEKS_PER_YEAR)

    @property
    def end_week(self) -> int:
        return self.restart_week + round(self.horizon_years * WEEKS_PER_YEAR)

    def with_overrides(
        self, runs: int | None = None, seed: int | None = None, data: str | None = None
    ) -> Study:
        """The same study with command-line overrides, checked like the file's values."""
        study = self
        if runs is not None:
            study = replace(study, runs=_positive_int(runs, "--runs", "runs"))
        if seed is not None:
            study = replace(study, seed=_non_negative_int(seed, "--seed", "seed"))
        if data is not None:
            study = replace(study, data=data)
        return study


def _positive_int(value: object, source: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(source, name, "a positive whole number", value)
    return value


def _non_negative_int(value: object, source: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(source, name, "a whole number >= 0", value)
    return value


def _number(value: object, source: str, name: str, minimum: float = -math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(source, name, "a number", value)
    if value < minimum:
        raise InputError(source, name, f"a number >= {minimum:g}", value)
    return float(value)


def _table(value: object, source: str, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(source, name, "a table", value)
    return value


def _whole_weeks(years: float, source: str, name: str) -> None:
    weeks = years * WEEKS_PER_YEAR
    if abs(weeks - round(weeks)) > 1e-9:
        raise InputError(source, name, "a whole number of weeks (years × 52)", years)


def _parse_changes(
    entry: Mapping[str, Any], params: ParamSet, source: str, where: str
) -> tuple[dict[str, float], dict[str, float]]:
    multiply = {}
    for key, factor in _table(entry.get("multiply", {}), source, f"{where}.multiply").items():
        params.require(key, source, f"{where}.multiply.")
        multiply[key] = _number(factor, source, f"{where}.multiply.{key}", minimum=0.0)
    fixed = _table(entry.get("set", {}), source, f"{where}.set")
    for key in fixed:
        params.require(key, source, f"{where}.set.")
    return multiply, {k: params[k].check(v, f"{source}: {where}.set") for k, v in fixed.items()}


def _parse_later(
    raw: object, params: ParamSet, source: str, where: str, timing: tuple[float, float]
) -> tuple[LaterChange, ...]:
    restart_year, horizon = timing
    if not isinstance(raw, list):
        raise InputError(source, f"{where}.later", "an array of tables ([[scenarios.later]])", raw)
    changes = []
    for k, entry in enumerate(raw):
        at = f"{where}.later[{k}]"
        entry = _table(entry, source, at)
        unknown = set(entry) - {"year", "multiply", "set", "ramp_years"}
        if unknown:
            raise InputError(
                source, f"{at}.{sorted(unknown)[0]}", "year, multiply, set or ramp_years"
            )
        year = _number(entry.get("year"), source, f"{at}.year", minimum=restart_year)
        if year > restart_year + horizon:
            raise InputError(source, f"{at}.year", f"a year up to {restart_year + horizon:g}", year)
        _whole_weeks(year - restart_year, source, f"{at}.year")
        ramp = _number(entry.get("ramp_years", 0.0), source, f"{at}.ramp_years", minimum=0.0)
        _whole_weeks(ramp, source, f"{at}.ramp_years")
        multiply, setting = _parse_changes(entry, params, source, at)
        week = round((year - restart_year) * WEEKS_PER_YEAR)
        changes.append(LaterChange(week, multiply, setting, round(ramp * WEEKS_PER_YEAR)))
    if [c.week for c in changes] != sorted(c.week for c in changes):
        raise InputError(source, f"{where}.later", "changes in chronological order")
    return tuple(changes)


def _parse_scenarios(
    raw: object, params: ParamSet, source: str, timing: tuple[float, float]
) -> tuple[Scenario, ...]:
    """The scenarios as written in the file (the caller adds a baseline if none is named)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise InputError(source, "scenarios", "a non-empty array of tables ([[scenarios]])", raw)
    scenarios: list[Scenario] = []
    for k, entry in enumerate(raw):
        where = f"scenarios[{k}]"
        entry = _table(entry, source, where)
        unknown = set(entry) - {"name", "multiply", "set", "description", "later"}
        if unknown:
            raise InputError(
                source, f"{where}.{sorted(unknown)[0]}", "name, multiply, set, description or later"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(source, f"{where}.name", "a non-empty string", name)
        multiply, setting = _parse_changes(entry, params, source, where)
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise InputError(source, f"{where}.description", "a string", description)
        later = _parse_later(entry.get("later", []), params, source, where, timing)
        scenarios.append(Scenario(name.strip(), multiply, setting, description, later))
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError(source, "scenarios.name", "unique scenario names", names)
    return tuple(scenarios)


def _check_scenario_ranges(
    scenarios: tuple[Scenario, ...],
    params: ParamSet,
    fixed: Mapping[str, float],
    priors: Mapping[str, Prior],
    source: str,
) -> None:
    """A multiplied parameter must stay in its domain for every value the runs can take."""
    for k, scenario in enumerate(scenarios):
        changes = [("", scenario.multiply)]
        changes += [(f".later[{j}]", later.multiply) for j, later in enumerate(scenario.later)]
        for where, multiply in changes:
            for name, factor in multiply.items():
                p = params[name]
                if name in priors:
                    low, high = priors[name].low, priors[name].high
                else:
                    low = high = fixed.get(name, p.default)
                if not (p.minimum <= low * factor and high * factor <= p.maximum):
                    raise InputError(
                        source,
                        f"scenarios[{k}]{where}.multiply.{name}",
                        f"a factor keeping {name} within [{p.minimum:g}, {p.maximum:g}]",
                        factor,
                    )


def study_from_dict(raw: Mapping[str, Any], source: str = "<study>") -> Study:
    """Validate a parsed TOML document and build the :class:`Study`."""
    unknown = set(raw) - _TOP_KEYS
    model_name = raw.get("model", "cartels")
    if not isinstance(model_name, str):
        raise InputError(source, "model", "a model name", model_name)
    model = get_model(model_name, source)
    options: dict[str, str] = {}
    for option, allowed in model.OPTIONS.items():
        unknown.discard(option)
        value = raw.get(option, allowed[0])
        if value not in allowed:
            raise InputError(source, option, f"one of {', '.join(allowed)}", value)
        options[option] = value
    if unknown:
        raise InputError(
            source, sorted(unknown)[0], f"a known key ({', '.join(sorted(_TOP_KEYS))})"
        )
    params: ParamSet = model.PARAMS
    fixed = params.validate(_table(raw.get("params", {}), source, "params"), source)
    priors = {
        name: parse_prior(
            _table(spec, source, f"priors.{name}"), params.require(name, source, "priors."), source
        )
        for name, spec in _table(raw.get("priors", {}), source, "priors").items()
    }
    start = _number(raw.get("start_year", 2012.0), source, "start_year")
    restart = _number(raw.get("restart_year", start), source, "restart_year", minimum=start)
    horizon = _number(raw.get("horizon_years", 10.0), source, "horizon_years", minimum=0.0)
    _whole_weeks(restart - start, source, "restart_year")
    _whole_weeks(horizon, source, "horizon_years")
    report_raw = raw.get("report_years", [y for y in (5.0, 10.0) if y <= horizon] or [horizon])
    if not isinstance(report_raw, list) or not report_raw:
        raise InputError(
            source, "report_years", "a non-empty list of years after the restart", report_raw
        )
    report_years = tuple(_number(y, source, "report_years", minimum=0.0) for y in report_raw)
    for y in report_years:
        _whole_weeks(y, source, "report_years")
        if y > horizon:
            raise InputError(source, "report_years", f"years within horizon_years ({horizon:g})", y)
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        raise InputError(source, "data", "a folder path", data)
    if (
        data is not None
        and data != "default"
        and not Path(data).is_absolute()
        and source != "<study>"
    ):
        data = str((Path(source).parent / data).resolve())
    description = raw.get("description", "")
    name = raw.get("name", Path(source).stem)
    if not isinstance(name, str) or not isinstance(description, str):
        raise InputError(source, "name", "a string", name)
    scenarios = _parse_scenarios(raw.get("scenarios"), params, source, (restart, horizon))
    _check_scenario_ranges(scenarios, params, fixed, priors, source)
    if BASELINE not in [s.name for s in scenarios]:
        scenarios = (Scenario(BASELINE), *scenarios)
    return Study(
        name=name,
        description=description,
        model=model_name,
        options=options,
        runs=_positive_int(raw.get("runs", 100), source, "runs"),
        seed=_non_negative_int(raw.get("seed", 0), source, "seed"),
        chunk_runs=_positive_int(raw.get("chunk_runs", 100), source, "chunk_runs"),
        start_year=start,
        restart_year=restart,
        horizon_years=horizon,
        record_every_weeks=_positive_int(
            raw.get("record_every_weeks", 4), source, "record_every_weeks"
        ),
        report_years=report_years,
        params=fixed,
        priors=priors,
        scenarios=scenarios,
        data=None if data == "default" else data,
        source=source,
    )


def load_study(path: str | Path) -> Study:
    """Read and validate a study TOML file."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(file, "path", "an existing study file (.toml)") from None
    except IsADirectoryError:
        raise InputError(file, "path", "a study file (.toml), not a folder") from None
    except UnicodeDecodeError:
        raise InputError(file, "encoding", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(file, "syntax", f"valid TOML ({exc})") from None
    return study_from_dict(raw, str(file))
