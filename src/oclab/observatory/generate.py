"""Synthetic criminal-justice records calibrated to published aggregates (vectorised).

The generator lets the observatory be tried without sensitive data. One case is one reported
crime (an investigation file); a small share is charged before a court; charged cases end in a
conviction, an acquittal, a dismissal, an alternative resolution or remain pending. Calibration
targets (see :data:`CALIBRATION`) are the overall impunity rate and the share of people
processed held in pretrial detention; states switch to the accusatorial system in a year drawn
between 2008 and 2016 (the constitutional reform's eight-year transition). Optional anomalous
courts get a multiplied dismissal rate so the anomaly flags can be exercised. Every draw comes
from one injected generator; all records carry ``source = synthetic:seed=...``. Records are
observed on the last day of the ``years`` window: later events are missing (cases pending).
The impunity target is met by the share of reported cases eventually resolved (a cohort
measure); the yearly flow index of :mod:`oclab.observatory.indicators` equals it in a steady
state but runs lower during the transition, when faster accusatorial cases bunch resolutions.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from oclab.core.params import Parameter, ParamSet
from oclab.core.rng import as_generator
from oclab.observatory.schema import DATE_ORDER

CALIBRATION = ParamSet(
    [
        Parameter(
            "impunity",
            "share",
            0.96,
            0.92,
            0.98,
            source="México Evalúa, Hallazgos 2022 (published 2023): índice de impunidad about "
            "96% (figure from the issue brief; check exact value and table)",
            description="1 - (convictions + alternative resolutions) / reported crimes",
            maximum=1.0,
        ),
        Parameter(
            "pretrial_share",
            "share",
            0.57,
            0.45,
            0.65,
            source="México Evalúa, Hallazgos 2022: about 57% of people processed held in "
            "prisión preventiva (figure from the issue brief; check)",
            description="defendants in pretrial detention / defendants processed",
            maximum=1.0,
        ),
        Parameter(
            "charged_share",
            "share",
            0.08,
            0.03,
            0.15,
            source="assumption (order of magnitude of Hallazgos' share of investigation files "
            "that reach a judge; check)",
            description="reported crimes that are charged before a court",
            maximum=1.0,
        ),
        Parameter(
            "oc_pretrial",
            "share",
            0.95,
            0.8,
            1.0,
            source="assumption: organized crime carries mandatory pretrial detention (CPEUM "
            "art. 19, prisión preventiva oficiosa)",
            description="pretrial detention share for organized-crime defendants",
            maximum=1.0,
        ),
    ]
)

STATES = (
    "AGU", "BCN", "BCS", "CAM", "CHP", "CHH", "CMX", "COA", "COL", "DUR", "GUA", "GRO", "HID",
    "JAL", "MEX", "MIC", "MOR", "NAY", "NLE", "OAX", "PUE", "QUE", "ROO", "SLP", "SIN", "SON",
    "TAB", "TAM", "TLA", "VER", "YUC", "ZAC",
)  # fmt: skip
#: Offence, share of reported crimes, organized-crime flag, conviction odds multiplier.
OFFENCES = (
    ("robbery", 0.45, False, 1.0),
    ("fraud", 0.12, False, 0.6),
    ("homicide", 0.08, False, 1.6),
    ("extortion", 0.06, False, 0.8),
    ("kidnapping", 0.03, False, 1.4),
    ("drug_dealing", 0.10, False, 1.2),
    ("firearms", 0.06, False, 1.3),
    ("organized_crime", 0.04, True, 0.9),
    ("other", 0.06, False, 1.0),
)
#: Among charged and concluded cases: conviction, acquittal, dismissal, alternative (base mix).
CHARGED_MIX = np.array([0.45, 0.10, 0.20, 0.25])
PENDING_SHARE = 0.2  # of charged cases (assumption)


def _days(base: np.ndarray, rng: np.random.Generator, mean: float | np.ndarray) -> np.ndarray:
    return base + np.ceil(rng.exponential(mean, base.size)).astype("timedelta64[D]")


def generate(
    n_cases: int = 20_000,
    seed: int | np.random.Generator = 0,
    *,
    years: tuple[int, int] = (2006, 2022),
    courts_per_state: int = 3,
    anomalous_courts: int = 0,
    anomaly_factor: float = 2.5,
    params: dict[str, float] | None = None,
) -> dict[str, pl.DataFrame]:
    """Synthetic ``courts``, ``cases``, ``charges`` and ``defendants`` tables (schema format).

    The first ``anomalous_courts`` courts (in ``court_id`` order) have their dismissal odds
    multiplied by ``anomaly_factor``.
    """
    p = CALIBRATION.defaults() | CALIBRATION.validate(params or {}, "observatory generate")
    rng = as_generator(seed)
    source = f"synthetic:seed={seed if isinstance(seed, int) else 'generator'}"
    n_states = len(STATES)
    state_part = np.repeat(np.char.zfill(np.arange(n_states).astype(str), 2), courts_per_state)
    court_part = np.tile(np.arange(courts_per_state), n_states).astype(str)
    court_ids = np.char.add(np.char.add("C", state_part), np.char.add("-", court_part))
    courts = pl.DataFrame(
        {
            "court_id": court_ids,
            "state": np.repeat(STATES, courts_per_state),
            "name": np.char.add("Juzgado penal ", court_ids),
            "level": "state",
            "source": source,
        }
    )
    adoption = rng.integers(2008, 2017, n_states)  # accusatorial from this year (2008-2016)

    state = rng.integers(0, n_states, n_cases)
    court = state * courts_per_state + rng.integers(0, courts_per_state, n_cases)
    start = np.datetime64(f"{years[0]}-01-01")
    span = (np.datetime64(f"{years[1]}-12-31") - start).astype(int)
    report = start + rng.integers(0, span + 1, n_cases).astype("timedelta64[D]")
    year = report.astype("datetime64[Y]").astype(int) + 1970
    accusatorial = year >= adoption[state]
    shares = np.array([o[1] for o in OFFENCES])
    offence = rng.choice(len(OFFENCES), n_cases, p=shares / shares.sum())

    # Outcome of charged cases: base mix tilted by offence (conviction odds) and anomaly.
    weights = np.tile(CHARGED_MIX, (n_cases, 1))
    weights[:, 0] *= np.array([o[3] for o in OFFENCES])[offence]
    weights[court < anomalous_courts, 2] *= anomaly_factor
    weights /= weights.sum(axis=1, keepdims=True)
    u = rng.random(n_cases)[:, None]
    concluded_outcome = (u > np.cumsum(weights, axis=1)).sum(axis=1).clip(0, 3)
    charged = rng.random(n_cases) < p["charged_share"]
    pending = rng.random(n_cases) < PENDING_SHARE
    # Resolved = conviction or alternative; scale their probability to hit the impunity target.
    resolved = np.isin(concluded_outcome, (0, 3)) & ~pending
    expected_resolved = (
        p["charged_share"] * (1 - PENDING_SHARE) * (weights[:, 0] + weights[:, 3]).mean()
    )
    keep = rng.random(n_cases) < min(1.0, (1 - p["impunity"]) / expected_resolved)
    names = np.array(["conviction", "acquittal", "dismissal", "alternative"])
    outcome = np.where(pending, "pending", names[concluded_outcome])
    outcome = np.where(resolved & ~keep, "dismissal", outcome)
    # Uncharged cases: archived (dismissal) or still open.
    outcome = np.where(
        charged, outcome, np.where(rng.random(n_cases) < 0.6, "dismissal", "pending")
    )

    speed = np.where(accusatorial, 0.5, 1.0)  # oral trials are faster (assumption)
    investigation = _days(report, rng, 7.0)
    charge = _days(investigation, rng, 150.0 * speed)
    hearing = _days(charge, rng, 20.0)
    verdict = _days(hearing, rng, 400.0 * speed)
    archived = _days(investigation, rng, 200.0)
    # Records are observed on the last day of the window: later events have not happened yet.
    end = np.datetime64(f"{years[1]}-12-31")
    late_charge = charged & (charge > end)
    charged = charged & ~late_charge
    outcome = np.where(late_charge, "pending", outcome)
    conclusion = np.where(charged, verdict, archived)
    outcome = np.where(conclusion > end, "pending", outcome)
    nat = np.datetime64("NaT")
    verdict_date = np.where(outcome == "pending", nat, conclusion)
    hearing = np.where(hearing > end, nat, hearing)
    investigation = np.where(investigation > end, nat, investigation)
    cases = pl.DataFrame(
        {
            "case_id": np.char.add("K", np.char.zfill(np.arange(n_cases).astype(str), 7)),
            "state": np.array(STATES)[state],
            "court_id": court_ids[court],
            "system": np.where(accusatorial, "accusatorial", "inquisitorial"),
            "report_date": report,
            "investigation_date": investigation,
            "charge_date": np.where(charged, charge, nat),
            "first_hearing_date": np.where(charged, hearing, nat),
            "verdict_date": verdict_date,
            "outcome": outcome,
            "judge_id": np.char.add("J-", (court * 4 + rng.integers(0, 4, n_cases)).astype(str)),
            "prosecutor_id": np.char.add("P-", rng.integers(0, 500, n_cases).astype(str)),
            "source": source,
        }
    ).with_columns(
        # Uncharged cases have no court or judge yet.
        *(pl.when(pl.Series(charged)).then(pl.col(c)).alias(c) for c in ("court_id", "judge_id")),
        *(pl.col(c).cast(pl.Date) for c in DATE_ORDER),
    )

    charges = pl.DataFrame(
        {
            "case_id": cases["case_id"],
            "charge_no": 1,
            "offence": np.array([o[0] for o in OFFENCES])[offence],
            "organized_crime": np.array([o[2] for o in OFFENCES])[offence],
            "source": source,
        }
    )

    # Defendants: 1-3 per charged case; pretrial share solved so the overall mean is the target.
    idx = np.flatnonzero(charged)
    per_case = rng.choice([1, 2, 3], idx.size, p=[0.7, 0.2, 0.1])
    d_case = np.repeat(idx, per_case)
    oc = np.array([o[2] for o in OFFENCES])[offence[d_case]]
    oc_share = shares[[o[2] for o in OFFENCES]].sum() / shares.sum()
    other = (p["pretrial_share"] - oc_share * p["oc_pretrial"]) / (1 - oc_share)
    detained = rng.random(d_case.size) < np.where(oc, p["oc_pretrial"], other)
    defendants = pl.DataFrame(
        {
            "case_id": cases["case_id"].gather(d_case),
            "defendant_id": np.char.add("D-", np.arange(d_case.size).astype(str)),
            "pretrial_detention": detained,
            "counsel": rng.choice(["public", "private", "none"], d_case.size, p=[0.7, 0.28, 0.02]),
            "source": source,
        }
    )
    return {"courts": courts, "cases": cases, "charges": charges, "defendants": defendants}
