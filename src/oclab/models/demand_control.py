"""When to prevent and when to treat: the optimal control of Behrens et al. (2000).

Behrens D.A., Caulkins J.P., Tragler G., Feichtinger G. (2000) "Optimal control of drug
epidemics: prevent and treat — but not at the same time?", Management Science 46(3):333–347.
The LH model (years; parameters of the OCMat model files ``lh.ocm``/``cocainebc.ocm``)::

    dL/dt = psi(w) (tau + s L exp(-q H / L)) - (a + b) L,    psi(w) = h + (1 - h) exp(-m w)
    dH/dt = b L - g H - c (u / (H + eps))^z H
    min  integral e^(-r t) [kappa (k_L L + k_H H) + u + w] dt
    s.t. u, w >= 0,  u + w <= gamma (k_L L + k_H H)      (budget grows with the problem)

Method: direct collocation (Radau IIA, degree 3, on ``intervals`` equal intervals; controls
constant on each interval), solved with IPOPT through CasADi. Why not Pontryagin's boundary-value
problem (the paper's and OCMat's route): it needs the arc structure guessed in advance, while the
structure — which control is active when — is exactly what we want to find; a direct method
finds it from a neutral start. The infinite horizon is truncated at ``years`` (with a 4%
discount the tail beyond 60 years weighs e^-2.4 ≈ 9% per unit cost and shifts early decisions
little); report only the first decades.

Units inside the NLP: people in millions, dollars in billions, time in years.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: Radau IIA collocation points of degree 3 on (0, 1].
_RADAU3 = (0.155051025721682, 0.644948974278318, 1.0)


@dataclass(frozen=True)
class LHParams:
    """Parameters of the LH control model (OCMat ``lh.ocm``, Behrens et al. 2000)."""

    r: float = 0.04
    h: float = 0.84
    m: float = 2.37e-9
    z: float = 0.6
    a: float = 0.163
    b: float = 0.024
    c: float = 5e-4
    tau: float = 50_000.0
    eps: float = 1e-5
    g: float = 0.062
    kappa: float = 113.0
    k_heavy: float = 118.93
    k_light: float = 16.42
    gamma: float = 5.31
    s: float = 0.61
    q: float = 7.0
    light0: float = 1.4e6  # 1967 (TARGETS.md §2, check against the paper)
    heavy0: float = 0.13e6


@dataclass(frozen=True)
class ControlSolution:
    """Optimal paths at the interval starts (controls) and nodes (states)."""

    years: np.ndarray  # interval starts, years after the start
    light: np.ndarray  # people, at interval starts
    heavy: np.ndarray
    treatment: np.ndarray  # u, $/yr on each interval
    prevention: np.ndarray  # w, $/yr on each interval
    budget: np.ndarray  # gamma (k_L L + k_H H), $/yr
    objective: float  # discounted cost, $
    success: bool

    def switch_year(self) -> float:
        """First interval start at which treatment spending exceeds prevention spending."""
        later = np.flatnonzero(self.treatment > self.prevention)
        return float(self.years[later[0]]) if later.size else float("nan")

    def overlap_years(self, share: float = 0.1) -> float:
        """Years during which both controls use more than ``share`` of the budget."""
        both = (self.treatment > share * self.budget) & (self.prevention > share * self.budget)
        dt = np.diff(self.years, append=2 * self.years[-1] - self.years[-2])
        return float(dt[both].sum())


def _dynamics(p: LHParams, x: Any, v: Any) -> Any:  # CasADi symbols
    import casadi as ca

    light, heavy = x[0], x[1]
    treat, prevent = v[0], v[1]
    psi = p.h + (1 - p.h) * ca.exp(-p.m * 1e9 * prevent)
    init = psi * (p.tau / 1e6 + p.s * light * ca.exp(-p.q * heavy / light))
    # (u / H)^z with u in $ and H in people = (1e3 u~ / H~)^z; the tiny shift keeps the
    # derivative of u^z finite at u = 0 without changing the model visibly.
    shift = 1e-6
    per_head = 1e3 * (treat + shift) / (heavy + p.eps / 1e6)
    treated = p.c * (per_head**p.z - (1e3 * shift / (heavy + p.eps / 1e6)) ** p.z) * heavy
    return ca.vertcat(init - (p.a + p.b) * light, p.b * light - p.g * heavy - treated)


def solve(
    params: LHParams | None = None,
    years: float = 60.0,
    intervals: int = 60,
    print_level: int = 0,
) -> ControlSolution:
    """Solve the discounted problem by direct collocation; see the module docstring."""
    import casadi as ca

    p = params or LHParams()
    dt = years / intervals
    tau = np.array([0.0, *_RADAU3])
    # Lagrange basis derivatives on the collocation nodes (collocation matrix).
    deriv = np.zeros((4, 4))
    for j in range(4):
        coeffs = np.poly1d([1.0])
        for k in range(4):
            if k != j:
                coeffs *= np.poly1d([1.0, -tau[k]]) / (tau[j] - tau[k])
        deriv[j] = np.polyder(coeffs)(tau)
    quad = np.array([0.376403062700467, 0.512485826188421, 0.111111111111111])  # Radau weights

    # Decision vector: per interval the start state (2), three collocation states (6) and the
    # controls (2), then the final state. Variable bounds (not constraints) keep IPOPT's iterates
    # strictly inside u, w >= 0 and L, H > 0, where the model is defined.
    per = 10
    z = ca.SX.sym("z", per * intervals + 2)
    states_lb, states_ub = 1e-4, 1e3
    lbz = np.full(z.shape[0], states_lb)
    ubz = np.full(z.shape[0], states_ub)
    x0 = np.array([p.light0, p.heavy0]) / 1e6
    guess = _simulate_guess(p, years, intervals)
    z0 = np.empty(z.shape[0])
    g, cost = [], 0
    for i in range(intervals):
        base = per * i
        start_state = z[base : base + 2]
        nodes = [start_state] + [z[base + 2 + 2 * j : base + 4 + 2 * j] for j in range(3)]
        control = z[base + 8 : base + 10]
        lbz[base + 8 : base + 10] = 0.0
        ubz[base + 8 : base + 10] = ca.inf
        z0[base : base + 8] = np.tile(guess[:, i], 4)
        z0[base + 8 : base + 10] = 1e-3
        for j in range(1, 4):
            slope = sum(deriv[k, j] * nodes[k] for k in range(4))
            g.append(slope - dt * _dynamics(p, nodes[j], control))
            t = (i + tau[j]) * dt
            problem = p.k_light * nodes[j][0] + p.k_heavy * nodes[j][1]  # tonnes
            running = p.kappa * 1e-3 * problem + control[0] + control[1]  # $ billions / yr
            cost += dt * quad[j - 1] * np.exp(-p.r * t) * running
        following = z[base + per : base + per + 2]
        g.append(following - nodes[3])
        budget = p.gamma * 1e-3 * (p.k_light * start_state[0] + p.k_heavy * start_state[1])
        g.append(budget - control[0] - control[1])
    lbz[:2] = ubz[:2] = x0
    z0[-2:] = guess[:, -1]
    g_all = ca.vertcat(*g)
    lbg = np.zeros(g_all.shape[0])
    ubg = np.zeros(g_all.shape[0])
    ubg[8::9] = ca.inf  # each interval's budget row: budget - u - w >= 0; the rest are equalities
    solver = ca.nlpsol(
        "lh",
        "ipopt",
        {"x": z, "f": cost, "g": g_all},
        {
            "print_time": False,
            "ipopt": {
                "print_level": print_level,
                "max_iter": 3000,
                "tol": 1e-9,
                "sb": "yes",
                "bound_relax_factor": 0.0,
            },
        },
    )
    result = solver(x0=z0, lbx=lbz, ubx=ubz, lbg=lbg, ubg=ubg)
    success = bool(solver.stats()["success"])
    zs = np.asarray(result["x"]).ravel()
    starts = np.stack([zs[per * i : per * i + 2] for i in range(intervals + 1)], axis=1)
    controls = np.stack([zs[per * i + 8 : per * i + 10] for i in range(intervals)], axis=1)
    xs = starts * 1e6
    vs = controls * 1e9
    objective = float(result["f"])
    budget = p.gamma * (p.k_light * xs[0, :-1] + p.k_heavy * xs[1, :-1])
    return ControlSolution(
        years=np.arange(intervals) * dt,
        light=xs[0, :-1],
        heavy=xs[1, :-1],
        treatment=vs[0],
        prevention=vs[1],
        budget=budget,
        objective=objective * 1e9,
        success=success,
    )


def _simulate_guess(p: LHParams, years: float, intervals: int) -> np.ndarray:
    """The uncontrolled path at the interval ends, as a starting guess (millions)."""
    from scipy.integrate import solve_ivp

    def f(_t: float, y: np.ndarray) -> list[float]:
        light, heavy = y
        init = p.tau / 1e6 + p.s * light * np.exp(-p.q * heavy / max(light, 1e-9))
        return [init - (p.a + p.b) * light, p.b * light - p.g * heavy]

    t = np.linspace(0.0, years, intervals + 1)
    out = solve_ivp(f, (0.0, years), [p.light0 / 1e6, p.heavy0 / 1e6], t_eval=t, rtol=1e-8)
    return out.y


def simulate(p: LHParams, solution: ControlSolution, years: float) -> np.ndarray:
    """Integrate the LH model under the solution's piecewise-constant controls (check)."""
    from scipy.integrate import solve_ivp

    dt = solution.years[1] - solution.years[0]

    def f(t: float, y: np.ndarray) -> list[float]:
        k = min(int(t / dt), len(solution.years) - 1)
        u, w = solution.treatment[k], solution.prevention[k]
        light, heavy = y
        psi = p.h + (1 - p.h) * np.exp(-p.m * w)
        init = psi * (p.tau + p.s * light * np.exp(-p.q * heavy / light))
        treated = p.c * (u / (heavy + p.eps)) ** p.z * heavy
        return [init - (p.a + p.b) * light, p.b * light - p.g * heavy - treated]

    out = solve_ivp(f, (0.0, years), [p.light0, p.heavy0], rtol=1e-8, atol=1.0, max_step=dt)
    return out.y[:, -1]


def describe(params: LHParams | None = None) -> dict[str, float]:
    """The parameters as a plain dict (for tables and reports)."""
    return asdict(params or LHParams())
