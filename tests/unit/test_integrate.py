"""The shared-step batch integrator against closed-form solutions and SciPy."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from oclab.core.integrate import integrate


def test_logistic_batch_matches_closed_form() -> None:
    r = np.array([0.5, 1.0, 2.0])  # one growth rate per run
    y0 = np.full((1, 3), 0.1)
    sol = integrate(lambda _t, y: r * y * (1 - y), y0, 0.0, 5.0, rtol=1e-9, atol=1e-12)
    exact = 1.0 / (1.0 + (1.0 / 0.1 - 1.0) * np.exp(-r * 5.0))
    np.testing.assert_allclose(sol.y[0], exact, rtol=1e-7)


def test_coupled_system_matches_solve_ivp() -> None:
    a = np.array([[-0.3, 0.1], [0.2, -0.4]])

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return a @ y + 0.05 * y**2

    y0 = np.array([[1.0, 2.0], [0.5, 0.1]])  # two states, two runs
    sol = integrate(rhs, y0, 0.0, 3.0, rtol=1e-10, atol=1e-12)
    for run in range(2):
        ref = solve_ivp(
            lambda t, y: rhs(t, y[:, None])[:, 0], (0, 3), y0[:, run], rtol=1e-11, atol=1e-13
        )
        np.testing.assert_allclose(sol.y[:, run], ref.y[:, -1], rtol=1e-8)


def test_continuing_from_a_previous_step_gives_the_same_answer() -> None:
    y0 = np.ones((1, 2))
    whole = integrate(lambda _t, y: -0.7 * y, y0, 0.0, 2.0, rtol=1e-10, atol=1e-12)
    half = integrate(lambda _t, y: -0.7 * y, y0, 0.0, 1.0, rtol=1e-10, atol=1e-12)
    rest = integrate(lambda _t, y: -0.7 * y, half.y, 1.0, 2.0, rtol=1e-10, atol=1e-12, h0=half.h)
    np.testing.assert_allclose(rest.y, whole.y, rtol=1e-9)
    np.testing.assert_allclose(whole.y, np.exp(-1.4), rtol=1e-9)
