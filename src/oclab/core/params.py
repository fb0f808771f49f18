"""Parameters that carry their evidence: unit, default, plausible range, prior and source.

A :class:`Parameter` has two kinds of bounds. The *valid domain* (``minimum``..``maximum``) is what
the model can accept at all (a rate cannot be negative); a value outside it is an input error.
The *plausible range* (``low``..``high``) is what the literature supports; it is the default
prior when a parameter is sampled across an ensemble, and reports show it beside the default.

Priors are uniform, triangular, log-uniform or normal truncated to the plausible range. Each
maps a uniform variate to a value through its quantile function (``ppf``), so Latin hypercube
and Sobol designs can use them unchanged.

>>> rho = Parameter("rho", "1/week", 2.5e-3, 2e-3, 3e-3, source="authors' model file")
>>> ps = ParamSet([rho])
>>> ps.validate({"rho": 2.6e-3}, source="study.toml")
{'rho': 0.0026}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from oclab.errors import InputError

PriorKind = Literal["uniform", "triangular", "loguniform", "truncnormal"]
PRIOR_KINDS: tuple[str, ...] = ("uniform", "triangular", "loguniform", "truncnormal")


@dataclass(frozen=True)
class Prior:
    """A distribution on ``[low, high]`` defined by its quantile function."""

    kind: PriorKind
    low: float
    high: float
    mode: float | None = None  # triangular
    mean: float | None = None  # truncated normal
    sd: float | None = None  # truncated normal

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantiles for uniform variates ``u`` in [0, 1)."""
        u = np.asarray(u, dtype=float)
        lo, hi = self.low, self.high
        if hi == lo:
            return np.full_like(u, lo)
        if self.kind == "uniform":
            return lo + u * (hi - lo)
        if self.kind == "loguniform":
            return np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        # scipy.stats is imported here, not at module level: it costs about 1.5 s of start-up
        # for every command, and only these two prior kinds need it.
        from scipy import stats

        if self.kind == "triangular":
            mode = self.mode if self.mode is not None else 0.5 * (lo + hi)
            c = (mode - lo) / (hi - lo)
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        mean = self.mean if self.mean is not None else 0.5 * (lo + hi)
        sd = self.sd if self.sd is not None else (hi - lo) / 4.0
        a, b = (lo - mean) / sd, (hi - mean) / sd
        return stats.truncnorm.ppf(u, a, b, loc=mean, scale=sd)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws from ``rng``."""
        return self.ppf(rng.random(n))


@dataclass(frozen=True)
class Parameter:
    """One model parameter with its unit, default, plausible range, valid domain and source."""

    name: str
    unit: str
    default: float
    low: float
    high: float
    source: str
    description: str = ""
    minimum: float = 0.0
    maximum: float = math.inf
    prior: Prior | None = field(default=None)

    def __post_init__(self) -> None:
        if not (self.minimum <= self.low <= self.default <= self.high <= self.maximum):
            raise ValueError(f"parameter {self.name}: default or range outside its domain")

    @property
    def default_prior(self) -> Prior:
        """The declared prior, or uniform over the plausible range."""
        return self.prior or Prior("uniform", self.low, self.high)

    def check(self, value: object, source: str | object) -> float:
        """Return ``value`` as a float, or raise :class:`InputError` if it is not valid here."""
        expected = f"a number in [{self.minimum:g}, {self.maximum:g}] ({self.unit})"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(str(source), self.name, expected, value)
        number = float(value)
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise InputError(str(source), self.name, expected, value)
        return number


class ParamSet:
    """An ordered, named collection of :class:`Parameter`."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        self._by_name: dict[str, Parameter] = {}
        for p in parameters:
            if p.name in self._by_name:
                raise ValueError(f"duplicate parameter {p.name}")
            self._by_name[p.name] = p

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        """Parameter names in declaration order."""
        return list(self._by_name)

    def defaults(self) -> dict[str, float]:
        """Default value of every parameter."""
        return {p.name: p.default for p in self}

    def require(self, name: str, source: str | object, field_prefix: str = "") -> Parameter:
        """The parameter called ``name``, or an :class:`InputError` listing the known ones."""
        if name not in self._by_name:
            raise InputError(
                str(source), f"{field_prefix}{name}", f"one of {', '.join(self.names)}", None
            )
        return self._by_name[name]

    def validate(self, values: Mapping[str, object], source: str | object) -> dict[str, float]:
        """Check names and values of ``values``; return them as floats."""
        return {name: self.require(name, source).check(v, source) for name, v in values.items()}

    def table(self) -> list[dict[str, object]]:
        """One row per parameter, for the CLI, reports and ODD documents."""
        return [
            {
                "name": p.name,
                "unit": p.unit,
                "default": p.default,
                "low": p.low,
                "high": p.high,
                "prior": p.default_prior.kind,
                "description": p.description,
                "source": p.source,
            }
            for p in self
        ]

    def markdown_table(self) -> str:
        """The parameter table as GitHub-flavoured Markdown."""
        lines = [
            "| name | unit | default | range | prior | meaning | source |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in self.table():
            lines.append(
                f"| `{row['name']}` | {row['unit']} | {row['default']:.6g} | "
                f"{row['low']:.6g} – {row['high']:.6g} | {row['prior']} | "
                f"{row['description']} | {row['source']} |"
            )
        return "\n".join(lines) + "\n"


def parse_prior(spec: Mapping[str, object], parameter: Parameter, source: str) -> Prior:
    """Build a :class:`Prior` from a scenario-file table such as ``{kind="uniform", low=..}``.

    Missing bounds default to the parameter's plausible range; bounds must lie in its domain.
    """
    field_name = f"priors.{parameter.name}"
    kind = spec.get("kind", "uniform")
    if kind not in PRIOR_KINDS:
        raise InputError(source, f"{field_name}.kind", f"one of {', '.join(PRIOR_KINDS)}", kind)
    low = parameter.check(spec.get("low", parameter.low), source)
    high = parameter.check(spec.get("high", parameter.high), source)
    if low > high:
        raise InputError(source, field_name, "low <= high", (low, high))
    if kind == "loguniform" and low <= 0:
        raise InputError(source, f"{field_name}.low", "a positive lower bound for loguniform", low)
    extras: dict[str, float] = {}
    if low <= parameter.default <= high:  # centre on the default unless the file says otherwise
        extras |= {"mode": parameter.default} if kind == "triangular" else {}
        extras |= {"mean": parameter.default} if kind == "truncnormal" else {}
    for key in ("mode", "mean", "sd"):
        if key in spec:
            value = spec[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(source, f"{field_name}.{key}", "a number", value)
            extras[key] = float(value)
    if "mode" in extras and not low <= extras["mode"] <= high:
        raise InputError(
            source, f"{field_name}.mode", f"a value in [{low:g}, {high:g}]", extras["mode"]
        )
    if "sd" in extras and extras["sd"] <= 0:
        raise InputError(source, f"{field_name}.sd", "a positive number", extras["sd"])
    unknown = set(spec) - {"kind", "low", "high", "mode", "mean", "sd"}
    if unknown:
        raise InputError(
            source, f"{field_name}.{sorted(unknown)[0]}", "kind, low, high, mode, mean or sd"
        )
    return Prior(kind, low, high, **extras)  # type: ignore[arg-type]
