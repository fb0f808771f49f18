"""Strategies: named lever values, optionally scheduled over time, under a yearly budget.

A strategy file (see ``scenarios/strategies/``)::

    name = "sequenced"
    title = "Suppression first, institutions later"
    section = "II.A"                         # the report section it comes from
    description = "..."
    budget = 26e9                            # USD a year: a cap on every phase's spending
    [levers]                                 # from the restart year on
    "suppression.intensity" = 1.8
    [[schedule]]                             # sequencing: later changes, on top
    year = 2027
    ramp_years = 3                           # optional: reached in yearly steps
    levers = { "suppression.intensity" = 1.0, "judicial.reform" = 1.0 }

``status_quo = true`` marks the strategy that is the baseline (every lever at its status quo).
Every field is checked; a problem is an :class:`~oclab.errors.InputError` naming the file and
field. A strategy becomes a study :class:`~oclab.study.Scenario`, so every tool that runs studies
(sweeps, sensitivity, reports) runs strategies too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oclab.errors import InputError
from oclab.levers import get_lever
from oclab.models.integrated_budget import total_spending
from oclab.study import WEEKS_PER_YEAR, LaterChange, Scenario

_KEYS = {"name", "title", "section", "description", "budget", "status_quo", "levers", "schedule"}
_PHASE_KEYS = {"year", "ramp_years", "levers"}


@dataclass(frozen=True)
class Phase:
    """Lever changes from ``year`` on (reached over ``ramp_years``)."""

    year: float
    values: dict[str, float]  # parameter name -> value
    ramp_years: int = 0


@dataclass(frozen=True)
class Strategy:
    """A validated strategy."""

    name: str
    title: str
    section: str
    description: str
    budget: float
    values: dict[str, float]  # parameter name -> value, from the restart
    schedule: tuple[Phase, ...] = ()
    status_quo: bool = False
    source: str = "<strategy>"

    def phases(self) -> list[dict[str, float]]:
        """The parameter values set in each phase (cumulative: each on top of the previous)."""
        current = dict(self.values)
        out = [dict(current)]
        for phase in self.schedule:
            current |= phase.values
            out.append(dict(current))
        return out

    def spending(self, params: Mapping[str, float]) -> list[float]:
        """Yearly public spending of each phase under ``params`` (defaults and fixed values)."""
        return [float(np.max(total_spending(params | phase))) for phase in self.phases()]

    def check_budget(self, params: Mapping[str, float]) -> None:
        """Raise :class:`InputError` when a phase spends more than the budget."""
        for k, spent in enumerate(self.spending(params)):
            if spent > self.budget * (1 + 1e-9):
                where = "levers" if k == 0 else f"schedule[{k - 1}]"
                raise InputError(
                    self.source,
                    where,
                    f"spending within the budget of {self.budget:,.0f} USD a year",
                    f"{spent:,.0f}",
                )

    def scenario(self, restart_year: float) -> Scenario:
        """The strategy as a study scenario branching at ``restart_year``."""
        later = tuple(
            LaterChange(
                week=round((phase.year - restart_year) * WEEKS_PER_YEAR),
                set=dict(phase.values),
                ramp_weeks=round(phase.ramp_years * WEEKS_PER_YEAR),
            )
            for phase in self.schedule
        )
        for phase, change in zip(self.schedule, later, strict=True):
            if change.week <= 0:
                raise InputError(
                    self.source, "schedule.year", f"a year after {restart_year:g}", phase.year
                )
        description = f"{self.title} (report {self.section}). {self.description}".strip()
        return Scenario(self.name, set=dict(self.values), description=description, later=later)


def _text(raw: Mapping[str, Any], key: str, source: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise InputError(source, key, "a non-empty string", value)
    return value.strip()


def _lever_values(raw: object, source: str, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise InputError(source, where, 'a table of lever values ("lever.name" = number)', raw)
    values: dict[str, float] = {}
    for name, value in raw.items():
        lever = get_lever(name, source, f"{where}.{name}")
        values[lever.parameter.name] = lever.parameter.check(value, source)
    return values


def _phase(raw: object, source: str, k: int) -> Phase:
    where = f"schedule[{k}]"
    if not isinstance(raw, Mapping):
        raise InputError(source, where, "a table with year, levers and optional ramp_years", raw)
    unknown = set(raw) - _PHASE_KEYS
    if unknown:
        raise InputError(source, f"{where}.{sorted(unknown)[0]}", "year, levers or ramp_years")
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int | float):
        raise InputError(source, f"{where}.year", "a year (number)", year)
    ramp = raw.get("ramp_years", 0)
    if isinstance(ramp, bool) or not isinstance(ramp, int) or ramp < 0:
        raise InputError(source, f"{where}.ramp_years", "a whole number of years >= 0", ramp)
    values = _lever_values(raw.get("levers"), source, f"{where}.levers")
    return Phase(float(year), values, ramp)


def strategy_from_dict(raw: Mapping[str, Any], source: str = "<strategy>") -> Strategy:
    """Validate a parsed strategy document."""
    unknown = set(raw) - _KEYS
    if unknown:
        raise InputError(source, sorted(unknown)[0], f"a known key ({', '.join(sorted(_KEYS))})")
    budget = raw.get("budget")
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
        raise InputError(source, "budget", "a yearly budget in USD (> 0)", budget)
    status_quo = raw.get("status_quo", False)
    if not isinstance(status_quo, bool):
        raise InputError(source, "status_quo", "true or false", status_quo)
    schedule = raw.get("schedule", [])
    if not isinstance(schedule, list):
        raise InputError(source, "schedule", "a list of [[schedule]] tables", schedule)
    phases = tuple(_phase(entry, source, k) for k, entry in enumerate(schedule))
    if [p.year for p in phases] != sorted(p.year for p in phases):
        raise InputError(source, "schedule", "phases in order of year")
    values = _lever_values(raw.get("levers", {}), source, "levers")
    if status_quo and (values or phases):
        raise InputError(source, "status_quo", "no lever changes in the status quo strategy")
    name = _text(raw, "name", source, Path(source).stem)
    return Strategy(
        name=name,
        title=_text(raw, "title", source, name),
        section=_text(raw, "section", source),
        description=str(raw.get("description", "")).strip(),
        budget=float(budget),
        values=values,
        schedule=phases,
        status_quo=status_quo,
        source=source,
    )


def load_strategy(path: str | Path) -> Strategy:
    """Read and validate a strategy TOML file."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError):
        raise InputError(file, "path", "an existing strategy file (.toml)") from None
    except UnicodeDecodeError:
        raise InputError(file, "encoding", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(file, "syntax", f"valid TOML ({exc})") from None
    return strategy_from_dict(raw, str(file))
