"""Parameters and priors: validation, quantile functions, the documented ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oclab.core.params import Parameter, ParamSet, Prior, parse_prior
from oclab.errors import InputError

RHO = Parameter("rho", "1/week", 2.5e-3, 2e-3, 3e-3, source="test")


def test_validate_accepts_numbers_and_names_the_field_otherwise() -> None:
    ps = ParamSet([RHO])
    assert ps.validate({"rho": 0.0025}, "f.toml") == {"rho": 0.0025}
    with pytest.raises(InputError, match=r"f\.toml: rho: expected a number in \[0, inf\]"):
        ps.validate({"rho": -1.0}, "f.toml")
    with pytest.raises(InputError, match=r"f\.toml: kappa: expected one of rho"):
        ps.validate({"kappa": 1.0}, "f.toml")
    with pytest.raises(InputError, match="rho"):
        ps.validate({"rho": "fast"}, "f.toml")
    with pytest.raises(InputError, match="rho"):
        ps.validate({"rho": True}, "f.toml")


def test_default_outside_range_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="outside its domain"):
        Parameter("x", "-", 5.0, 0.0, 1.0, source="test")


@pytest.mark.parametrize("kind", ["uniform", "triangular", "loguniform", "truncnormal"])
def test_priors_stay_in_range_and_cover_it(kind: str) -> None:
    prior = parse_prior({"kind": kind}, RHO, "f.toml")
    draws = prior.sample(np.random.default_rng(1), 20_000)
    assert draws.min() >= RHO.low and draws.max() <= RHO.high
    assert draws.max() - draws.min() > 0.8 * (RHO.high - RHO.low)


def test_uniform_prior_mean_and_triangular_mode_default_to_parameter_default() -> None:
    draws = Prior("uniform", 1.0, 3.0).sample(np.random.default_rng(2), 100_000)
    assert abs(draws.mean() - 2.0) < 0.01  # analytic mean 2, sd/sqrt(n) ~ 0.002
    triangular = parse_prior({"kind": "triangular"}, RHO, "f.toml")
    assert triangular.mode == RHO.default


@given(st.floats(0, 1, exclude_max=True))
def test_ppf_is_monotone(u: float) -> None:
    prior = Prior("loguniform", 1e-3, 1e-1)
    lower, upper = prior.ppf(np.array([u * 0.5, u]))
    assert lower <= upper


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "gamma"}, "priors.rho.kind"),
        ({"low": -1.0}, "rho"),
        ({"low": 3e-3, "high": 2e-3}, "priors.rho"),
        ({"kind": "triangular", "mode": 1.0}, "priors.rho.mode"),
        ({"sd": -1.0, "kind": "truncnormal"}, "priors.rho.sd"),
        ({"shape": 1.0}, "priors.rho.shape"),
    ],
)
def test_bad_priors_name_the_field(spec: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_prior(spec, RHO, "f.toml")
    assert info.value.field == field


def test_markdown_table_lists_every_parameter() -> None:
    text = ParamSet([RHO]).markdown_table()
    assert "| `rho` | 1/week | 0.0025 | 0.002 – 0.003 | uniform |" in text
