"""Seeded synthetic transactions in the AMLworld format, with ground truth.

Legitimate activity: payroll (weekly or biweekly ACH from an employer), retail card purchases,
monthly bills, cash deposits by cash-intensive businesses, supplier payments and reinvestment
self-transfers. Laundering: the eight AMLworld/AMLSim typologies (fan-out, fan-in, cycle,
random, bipartite, stack, scatter-gather, gather-scatter; Altman et al. 2023, Fig. 2) plus
structuring (cash deposits just under the reporting threshold across branches and days), cash
consolidation at border branches (many depositors, then a wire to Mexico) and black-market peso
exchange (dollar cash to a broker who pays a US exporter on behalf of a Mexican importer, who pays
the broker in pesos) — Wilson Center (2009) report, section I.A.3.

Everything is drawn with numpy from one injected generator (each day's legitimate activity from
a child of it, ``rng.spawn``) and built with array arithmetic (counts per account, ``np.repeat``,
offsets), never a Python loop per row; the only loops run over days, the eleven typologies and
the handful of legitimate activity kinds. :class:`Synthetic` streams the set day by day in
batches (bounded memory); :func:`generate` returns it whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from oclab.finint.io import (
    CURRENCIES,
    CURRENCY,
    FORMAT,
    PAYMENT_FORMATS,
    TX_COLUMNS,
    USD_PER_UNIT,
)

TYPOLOGIES: tuple[str, ...] = (
    "FAN-OUT",
    "FAN-IN",
    "CYCLE",
    "RANDOM",
    "BIPARTITE",
    "STACK",
    "SCATTER-GATHER",
    "GATHER-SCATTER",
    "STRUCTURING",
    "CASH-CONSOLIDATION",
    "PESO-EXCHANGE",
)
#: Laundering transactions per transaction in HI-Small (5,177 of 5,078,345; Altman et al. 2023).
HI_SMALL_ILLICIT_RATIO = 5177 / 5078345
_FMT = {name: i for i, name in enumerate(PAYMENT_FORMATS)}
_CUR = {name: i for i, name in enumerate(CURRENCIES)}
_USD = np.array([USD_PER_UNIT[c] for c in CURRENCIES])
MINUTES_PER_DAY = 1440
_CURRENCY_VALUES = pl.Series(CURRENCIES, dtype=CURRENCY)
_FORMAT_VALUES = pl.Series(PAYMENT_FORMATS, dtype=FORMAT)


@dataclass(frozen=True)
class Generated:
    """A synthetic data set: transactions, accounts, pattern blocks and bank branches."""

    transactions: pl.DataFrame
    accounts: pl.DataFrame
    patterns: pl.DataFrame
    branches: pl.DataFrame


@dataclass
class _World:
    rng: np.random.Generator
    days: int
    threshold: float
    bank: np.ndarray  # account -> bank
    business: np.ndarray  # account -> bool
    currency: np.ndarray  # account -> currency index
    border_bank: np.ndarray  # bank -> bool
    mexico_bank: np.ndarray  # bank -> bool
    pool: np.ndarray  # accounts controlled by launderers

    @property
    def n(self) -> int:
        return self.bank.size


@dataclass
class _Edges:
    """Columns of a batch of transactions (account indices, minutes since start, amount)."""

    src: np.ndarray
    dst: np.ndarray
    minute: np.ndarray
    amount: np.ndarray  # in the sender's currency
    fmt: np.ndarray
    attempt: np.ndarray | None = None


def _segments(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment id and position inside the segment for segments of the given sizes."""
    seg = np.repeat(np.arange(sizes.size), sizes)
    starts = np.cumsum(sizes) - sizes
    return seg, np.arange(seg.size) - starts[seg]


def _minutes(rng: np.random.Generator, day: np.ndarray, lo_h: float, hi_h: float) -> np.ndarray:
    return day * MINUTES_PER_DAY + rng.integers(int(lo_h * 60), int(hi_h * 60), day.size)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return np.round(median * np.exp(sigma * rng.standard_normal(n)), 2)


def _weighted(rng: np.random.Generator, candidates: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws from ``candidates`` with heavy-tailed popularity (a few big employers/shops)."""
    weights = rng.pareto(1.5, candidates.size) + 1.0
    return rng.choice(candidates, size=n, p=weights / weights.sum())


@dataclass(frozen=True)
class _Kind:
    """One Poisson activity: who pays, daily rate, counterparty popularity, amount, format."""

    who: np.ndarray
    rate: float  # per account and day
    targets: np.ndarray | None  # counterparties (None: the payer's own account)
    cdf: np.ndarray | None  # cumulative popularity of ``targets`` (heavy-tailed)
    median: float
    sigma: float
    fmt: str


@dataclass(frozen=True)
class _Legit:
    """Legitimate activity fixed for the whole period: payroll schedules and activity kinds."""

    employed: np.ndarray
    interval: np.ndarray  # 7 or 14 days
    offset: np.ndarray  # first pay day
    employer: np.ndarray
    kinds: tuple[_Kind, ...]

    def expected_rows(self, days: int, activity: float) -> float:
        """Payroll rows (exact) plus the expected Poisson rows over ``days`` days."""
        pay = np.maximum(0, -(-(days - self.offset) // self.interval)).sum()
        return float(pay) + sum(k.rate * activity * days * k.who.size for k in self.kinds)


def _popularity(rng: np.random.Generator, candidates: np.ndarray) -> np.ndarray:
    """Cumulative heavy-tailed popularity of ``candidates`` (a few big employers/shops)."""
    return np.cumsum(rng.pareto(1.5, candidates.size) + 1.0)


def _pick(rng: np.random.Generator, targets: np.ndarray, cdf: np.ndarray, n: int) -> np.ndarray:
    at = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return targets[np.minimum(at, targets.size - 1)]


def _legit_plan(w: _World) -> _Legit:
    rng = w.rng
    people = np.flatnonzero(~w.business)
    firms = np.flatnonzero(w.business)
    # Payroll: weekly or biweekly, first pay day at a random offset, one employer each.
    employed = people[rng.random(people.size) < 0.8]
    interval = np.where(rng.random(employed.size) < 0.5, 7, 14)
    offset = rng.integers(0, interval)
    employer = _pick(rng, firms, _popularity(rng, firms), employed.size)
    billers = firms[: max(1, firms.size // 10)]
    cash_firms = firms[rng.random(firms.size) < 0.4]
    # (who, rate/day, counterparties or None for self, median, sigma, format)
    spec: list[tuple[np.ndarray, float, np.ndarray | None, float, float, str]] = [
        (people, 0.8, firms, 45.0, 1.0, "Credit Card"),
        (people, 0.1, billers, 120.0, 0.5, "ACH"),
        (people, 0.1, None, 400.0, 1.0, "Reinvestment"),
        (people, 0.04, None, 300.0, 0.8, "Cash"),
        (firms, 0.6, firms, 6000.0, 1.2, "Wire"),
        (firms, 0.3, firms, 2500.0, 1.0, "Cheque"),
        (cash_firms, 0.7, None, 1500.0, 0.9, "Cash"),
    ]
    kinds = tuple(
        _Kind(who, rate, to, None if to is None else _popularity(rng, to), med, sig, fmt)
        for who, rate, to, med, sig, fmt in spec
    )
    return _Legit(employed, interval, offset, employer, kinds)


def _legit_day(plan: _Legit, day: int, rng: np.random.Generator, activity: float) -> list[_Edges]:
    """Legitimate transactions of one day, drawn from that day's own generator."""
    out: list[_Edges] = []
    paid = (day >= plan.offset) & ((day - plan.offset) % plan.interval == 0)
    n_paid = int(paid.sum())
    days = np.full(n_paid, day)
    out.append(
        _Edges(
            plan.employer[paid],
            plan.employed[paid],
            _minutes(rng, days, 6, 10),
            _lognormal(rng, 1200.0, 0.4, n_paid) * (plan.interval[paid] / 7),
            np.full(n_paid, _FMT["ACH"], dtype=np.int8),
        )
    )
    for k in plan.kinds:
        src = np.repeat(k.who, rng.poisson(k.rate * activity, k.who.size))
        dst = src if k.targets is None or k.cdf is None else _pick(rng, k.targets, k.cdf, src.size)
        lo, hi = (9, 17) if k.fmt == "Cash" else (0, 24)
        out.append(
            _Edges(
                src,
                dst,
                _minutes(rng, np.full(src.size, day), lo, hi),
                _lognormal(rng, k.median, k.sigma, src.size),
                np.full(src.size, _FMT[k.fmt], dtype=np.int8),
            )
        )
    return out


def _draw(w: _World, n: int, source: np.ndarray | None = None) -> np.ndarray:
    return w.rng.choice(w.pool if source is None else source, size=n)


def _chain_times(w: _World, att: np.ndarray, pos: np.ndarray, n_att: int, spread_h: float):
    """Start minute per attempt plus ordered hops of 1 to ``spread_h`` hours."""
    start = w.rng.integers(0, max(1, w.days * MINUTES_PER_DAY - int(spread_h * 60) * 4), n_att)
    gap = w.rng.integers(60, int(spread_h * 60) + 61, n_att)
    return start[att] + pos * gap[att] + w.rng.integers(0, 30, att.size)


def _base_amount(w: _World, n_att: int) -> np.ndarray:
    return _lognormal(w.rng, 5000.0, 0.8, n_att)


def _star(w: _World, n_att: int, inward: bool) -> tuple[_Edges, list[str]]:
    k = w.rng.integers(3, 17, n_att)
    att, _pos = _segments(k)
    hub = _draw(w, n_att)[att]
    leaf = _draw(w, att.size)
    src, dst = (leaf, hub) if inward else (hub, leaf)
    minute = _chain_times(w, att, np.zeros_like(att), n_att, 1) + w.rng.integers(0, 2880, att.size)
    amount = _base_amount(w, n_att)[att] * w.rng.uniform(0.7, 1.3, att.size)
    word = "Fan-In" if inward else "Fan-Out"
    fmt = np.full(att.size, _FMT["ACH"])
    return _Edges(src, dst, minute, amount, fmt, att), [f"Max {m}-degree {word}" for m in k]


def _path(w: _World, n_att: int, closed: bool) -> tuple[_Edges, list[str]]:
    k = w.rng.integers(2, 9, n_att)
    att, pos = _segments(k)
    nodes_per = k + (0 if closed else 1)
    node_att, _ = _segments(nodes_per)
    nodes = _draw(w, node_att.size)
    first = np.cumsum(nodes_per) - nodes_per
    nxt = np.where(closed & (pos + 1 == k[att]), 0, pos + 1)
    src, dst = nodes[first[att] + pos], nodes[first[att] + nxt]
    minute = _chain_times(w, att, pos, n_att, 12)
    amount = _base_amount(w, n_att)[att] * (0.97**pos)
    fmt = w.rng.choice([_FMT["ACH"], _FMT["Wire"], _FMT["Cheque"]], att.size)
    return _Edges(src, dst, minute, amount, fmt, att), [f"Max {m} hops" for m in k]


def _layers(w: _World, n_att: int, n_layers: int) -> tuple[_Edges, list[str]]:
    """Complete bipartite hops between consecutive layers of 2-4 accounts (bipartite/stack)."""
    sizes = w.rng.integers(2, 5, (n_att, n_layers))
    srcs, dsts, atts, hops = [], [], [], []
    layer_nodes = [_draw(w, int(sizes[:, j].sum())) for j in range(n_layers)]
    firsts = [np.cumsum(sizes[:, j]) - sizes[:, j] for j in range(n_layers)]
    for j in range(n_layers - 1):
        a, b = sizes[:, j], sizes[:, j + 1]
        att, pos = _segments(a * b)
        srcs.append(layer_nodes[j][firsts[j][att] + pos // b[att]])
        dsts.append(layer_nodes[j + 1][firsts[j + 1][att] + pos % b[att]])
        atts.append(att)
        hops.append(np.full(att.size, j))
    att, hop = np.concatenate(atts), np.concatenate(hops)
    minute = _chain_times(w, att, hop, n_att, 10) + w.rng.integers(0, 240, att.size)
    amount = _base_amount(w, n_att)[att] * w.rng.uniform(0.8, 1.2, att.size)
    fmt = np.full(att.size, _FMT["ACH"])
    details = ["x".join(map(str, row)) + " layers" for row in sizes]
    return _Edges(np.concatenate(srcs), np.concatenate(dsts), minute, amount, fmt, att), details


def _two_step(w: _World, n_att: int, scatter_first: bool) -> tuple[_Edges, list[str]]:
    """Scatter-gather (one source, k middles, one sink) or gather-scatter (k in, hub, k out)."""
    k = w.rng.integers(3, 11, n_att)
    att, _pos = _segments(k)
    a, b = _draw(w, n_att), _draw(w, n_att)
    mids = _draw(w, att.size)
    if scatter_first:  # a -> middles -> b
        first, second = (a[att], mids), (mids, b[att])
    else:  # middles -> a -> fresh accounts
        first, second = (mids, a[att]), (a[att], _draw(w, att.size))
    t0 = _chain_times(w, att, np.zeros_like(att), n_att, 1)
    amount = _base_amount(w, n_att)[att] * w.rng.uniform(0.8, 1.2, att.size)
    m1 = t0 + w.rng.integers(0, 360, att.size)
    m2 = t0 + 360 + w.rng.integers(0, 720, att.size)
    fmt = np.full(2 * att.size, _FMT["ACH"])
    edges = _Edges(
        np.concatenate([first[0], second[0]]),
        np.concatenate([first[1], second[1]]),
        np.concatenate([m1, m2]),
        np.concatenate([amount, amount * 0.97]),
        fmt,
        np.concatenate([att, att]),
    )
    word = "Scatter-Gather" if scatter_first else "Gather-Scatter"
    return edges, [f"{m}-way {word}" for m in k]


def _cash_deposits(w: _World, n_att: int, lo: float, hi: float, k_lo: int, k_hi: int, days: int):
    """``k`` cash deposits per attempt by recruited depositors, amounts in [lo, hi)·threshold."""
    k = w.rng.integers(k_lo, k_hi + 1, n_att)
    att, _pos = _segments(k)
    people = np.flatnonzero(~w.business)
    depositor = w.rng.choice(people, att.size)
    start_day = w.rng.integers(0, max(1, w.days - days), n_att)
    day = np.minimum(start_day[att] + w.rng.integers(0, days, att.size), w.days - 1)
    minute = _minutes(w.rng, day, 9, 17)
    usd = w.threshold * w.rng.uniform(lo, hi, att.size)
    return k, att, depositor, minute, usd


def _structuring(w: _World, n_att: int) -> tuple[_Edges, list[str]]:
    k, att, _dep, minute, usd = _cash_deposits(w, n_att, 0.80, 0.995, 4, 12, 5)
    smurfs = _draw(w, 3 * n_att).reshape(n_att, 3)
    receivers = _draw(w, 3 * n_att).reshape(n_att, 3)  # accounts at up to 3 banks
    pick = w.rng.integers(0, 3, (2, att.size))
    src, dst = smurfs[att, pick[0]], receivers[att, pick[1]]
    edges = _Edges(src, dst, minute, usd / _USD[w.currency[src]], np.full(att.size, _FMT["Cash"]))
    edges.attempt = att
    return edges, [f"{m} cash deposits under {w.threshold:,.0f} USD" for m in k]


def _border_accounts(w: _World) -> np.ndarray:
    border = np.flatnonzero(w.border_bank[w.bank] & ~w.mexico_bank[w.bank])
    return border if border.size else w.pool


def _to_mexico(w: _World, n: int) -> np.ndarray:
    mx = np.flatnonzero(w.mexico_bank[w.bank])
    return w.rng.choice(mx if mx.size else w.pool, n)


def _consolidation(w: _World, n_att: int) -> tuple[_Edges, list[str]]:
    k, att, depositor, minute, usd = _cash_deposits(w, n_att, 0.3, 0.95, 8, 30, 7)
    hub = w.rng.choice(_border_accounts(w), n_att)
    dep = _Edges(
        depositor,
        hub[att],
        minute,
        usd / _USD[w.currency[depositor]],
        np.full(att.size, _FMT["Cash"]),
        att,
    )
    total = np.bincount(att, weights=usd, minlength=n_att)
    last = np.zeros(n_att, dtype=np.int64)
    np.maximum.at(last, att, minute)
    wire = _Edges(
        hub,
        _to_mexico(w, n_att),
        last + w.rng.integers(60, 2880, n_att),
        0.9 * total / _USD[w.currency[hub]],
        np.full(n_att, _FMT["Wire"]),
        np.arange(n_att),
    )
    return _concat([dep, wire]), [f"{m} depositors at a border branch" for m in k]


def _peso_exchange(w: _World, n_att: int) -> tuple[_Edges, list[str]]:
    k, att, depositor, minute, usd = _cash_deposits(w, n_att, 0.3, 0.95, 3, 10, 4)
    broker_us = w.rng.choice(_border_accounts(w), n_att)
    broker_mx, importer = _to_mexico(w, n_att), _to_mexico(w, n_att)
    exporter = w.rng.choice(np.flatnonzero(w.business), n_att)
    total = np.bincount(att, weights=usd, minlength=n_att)
    last = np.zeros(n_att, dtype=np.int64)
    np.maximum.at(last, att, minute)
    deposits = _Edges(
        depositor,
        broker_us[att],
        minute,
        usd / _USD[w.currency[depositor]],
        np.full(att.size, _FMT["Cash"]),
        att,
    )
    pay = last + w.rng.integers(60, 1440, n_att)
    ids = np.arange(n_att)
    third_party = _Edges(
        broker_us,
        exporter,
        pay,
        0.95 * total / _USD[w.currency[broker_us]],
        np.full(n_att, _FMT["Wire"]),
        ids,
    )
    pesos = _Edges(
        importer,
        broker_mx,
        pay + w.rng.integers(0, 2880, n_att),
        total / _USD[w.currency[importer]],
        np.full(n_att, _FMT["Wire"]),
        ids,
    )
    return _concat([deposits, third_party, pesos]), [f"{m} cash deposits, peso broker" for m in k]


_BUILDERS: dict[str, Callable[[_World, int], tuple[_Edges, list[str]]]] = {
    "FAN-OUT": lambda w, n: _star(w, n, inward=False),
    "FAN-IN": lambda w, n: _star(w, n, inward=True),
    "CYCLE": lambda w, n: _path(w, n, closed=True),
    "RANDOM": lambda w, n: _path(w, n, closed=False),
    "BIPARTITE": lambda w, n: _layers(w, n, 2),
    "STACK": lambda w, n: _layers(w, n, 3),
    "SCATTER-GATHER": lambda w, n: _two_step(w, n, scatter_first=True),
    "GATHER-SCATTER": lambda w, n: _two_step(w, n, scatter_first=False),
    "STRUCTURING": _structuring,
    "CASH-CONSOLIDATION": _consolidation,
    "PESO-EXCHANGE": _peso_exchange,
}
#: Mean transactions per attempt of each builder (to size the laundering share).
_MEAN_ROWS = 10.0


def _concat(parts: list[_Edges]) -> _Edges:
    att = [p.attempt if p.attempt is not None else np.full(p.src.size, -1) for p in parts]
    return _Edges(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("src", "dst", "minute")),
        np.concatenate([p.amount for p in parts]),
        np.concatenate([p.fmt for p in parts]),
        np.concatenate(att),
    )


def _world(rng: np.random.Generator, n_accounts: int, days: int, threshold: float) -> _World:
    n_banks = max(12, n_accounts // 300)
    bank_size = rng.pareto(1.2, n_banks) + 1.0
    bank = rng.choice(n_banks, n_accounts, p=bank_size / bank_size.sum())
    mexico = rng.random(n_banks) < 0.10
    mexico[1] = True  # at least one Mexican and one US border bank in every world
    border = (rng.random(n_banks) < 0.15) | mexico
    border[2], mexico[2] = True, False
    other = rng.choice(
        [_CUR["Euro"], _CUR["UK Pound"], _CUR["Yuan"], _CUR["Canadian Dollar"]], n_banks
    )
    bank_currency = np.where(
        mexico, _CUR["Mexican Peso"], np.where(rng.random(n_banks) < 0.9, _CUR["US Dollar"], other)
    )
    business = rng.random(n_accounts) < 0.15
    business[:2] = True
    pool = rng.choice(n_accounts, max(20, n_accounts // 30), replace=False)
    return _World(rng, days, threshold, bank, business, bank_currency[bank], border, mexico, pool)


_HEX_DIGITS = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _hex(values: np.ndarray, width: int) -> pl.Series:
    """Upper-case hex text of non-negative integers below ``16**width``, exactly ``width`` long."""
    shifts = np.arange(4 * (width - 1), -1, -4, dtype=np.int64)
    digits = _HEX_DIGITS[(values.astype(np.int64)[:, None] >> shifts) & 15]
    return pl.Series(np.ascontiguousarray(digits).view(f"S{width}").ravel()).cast(pl.String)


def _account_ids(n: int, rng: np.random.Generator) -> pl.Series:
    """Hex account numbers in the AMLworld style (e.g. ``8000EBD30``), unique."""
    return _hex(0x800000000 + rng.choice(0x7FFFFFFF, n, replace=False).astype(np.int64) * 16, 9)


#: Rows per written batch: the text of one batch is the largest transient allocation.
BATCH_ROWS = 500_000


class Synthetic:
    """A synthetic data set drawn one day at a time, so it can be streamed to disk.

    Everything fixed for the whole period (banks, accounts, payroll schedules, counterparty
    popularity, the laundering attempts and their rows) is drawn first from the injected
    generator; then day ``d``'s legitimate transactions come from its own child generator
    (``rng.spawn``), so a day's rows do not depend on how days or rows are batched. Laundering
    rows are few (HI-Small's rate, about 0.1 %) and held in memory for the patterns file.
    Memory: the accounts (O(accounts)), two days of transactions as numeric arrays (about 40
    bytes a row; the next day is drawn while the current one is written) and one batch of text;
    not the whole period.
    """

    def __init__(
        self,
        n_accounts: int,
        days: int,
        rng: np.random.Generator,
        *,
        threshold: float = 10_000.0,
        illicit_ratio: float = HI_SMALL_ILLICIT_RATIO,
        activity: float = 1.0,
        min_attempts: int = 3,
        start: datetime = datetime(2022, 9, 1),
    ) -> None:
        if n_accounts < 50 or days < 2:
            raise ValueError("need at least 50 accounts and 2 days")
        w = _world(rng, n_accounts, days, threshold)
        self._world, self._activity, self.days = w, activity, days
        self._legit = _legit_plan(w)
        expected = self._legit.expected_rows(days, activity)
        per_type = max(min_attempts, round(illicit_ratio * expected / _MEAN_ROWS / 11))
        parts, meta = [], []
        offset = 0
        for name in TYPOLOGIES:
            edges, details = _BUILDERS[name](w, per_type)
            edges.attempt = edges.attempt + offset
            parts.append(edges)
            meta += [(offset + i, name, d) for i, d in enumerate(details)]
            offset += per_type
        dirty = _concat(parts)
        # A laundering hop from an account to itself is re-pointed to the next pool account.
        fix = dirty.src == dirty.dst
        pool = np.sort(w.pool)
        dirty.dst[fix] = pool[(np.searchsorted(pool, dirty.dst[fix]) + 1) % pool.size]
        dirty.minute = np.clip(dirty.minute, 0, days * MINUTES_PER_DAY - 1)
        # Time order (ties by attempt, then drawing order), as in the transactions file.
        self._laundering = _take(dirty, np.lexsort((dirty.attempt, dirty.minute)))
        self._laundering_day = self._laundering.minute // MINUTES_PER_DAY
        self._day_rngs = rng.spawn(days)
        ids = _account_ids(n_accounts, rng)
        self._ids = ids
        self._epoch_ms = (start - datetime(1970, 1, 1)) // timedelta(milliseconds=1)
        self.accounts = _accounts(w, ids)
        self.branches = _branches(w)
        meta_df = pl.DataFrame(meta, schema=["attempt", "typology", "detail"], orient="row")
        tx = self._frame(self._laundering)
        self.patterns = (
            tx.join(meta_df, on="attempt", maintain_order="left")
            .select("attempt", "typology", "detail", *TX_COLUMNS)
            .sort("attempt", "ts", maintain_order=True)
        )

    def _frame(self, e: _Edges) -> pl.DataFrame:
        """Typed transactions (:data:`~oclab.finint.io.TX_COLUMNS` and ``attempt``)."""
        w = self._world
        pay_cur, recv_cur = w.currency[e.src], w.currency[e.dst]
        amount_paid = np.round(np.maximum(e.amount, 0.01), 2)
        minute = pl.Series(e.minute, dtype=pl.Int64)
        attempt = e.attempt if e.attempt is not None else np.full(e.src.size, -1)
        return pl.DataFrame(
            {
                "ts": (minute * 60_000 + self._epoch_ms).cast(pl.Datetime("ms")),
                "from_bank": w.bank[e.src].astype(np.int64) + 10,
                "from_account": self._ids.gather(e.src),
                "to_bank": w.bank[e.dst].astype(np.int64) + 10,
                "to_account": self._ids.gather(e.dst),
                "amount_received": np.round(amount_paid * _USD[pay_cur] / _USD[recv_cur], 2),
                "receiving_currency": _CURRENCY_VALUES.gather(recv_cur),
                "amount_paid": amount_paid,
                "payment_currency": _CURRENCY_VALUES.gather(pay_cur),
                "payment_format": _FORMAT_VALUES.gather(e.fmt),
                "is_laundering": (attempt >= 0).astype(np.int8),
                "attempt": attempt,
            }
        )

    def day(self, d: int) -> _Edges:
        """Day ``d``'s transactions (legitimate and laundering) in file order."""
        parts = _legit_day(self._legit, d, self._day_rngs[d], self._activity)
        parts.append(_take(self._laundering, np.flatnonzero(self._laundering_day == d)))
        edges = _concat(parts)
        return _take(edges, np.lexsort((edges.attempt, edges.minute)))

    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """The transactions in file order, as typed frames of at most ``batch_rows`` rows.

        The next day is drawn on a second thread (numpy) while the caller writes the current
        one (Polars), so at most two days of numeric arrays are held.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            upcoming = pool.submit(self.day, 0)
            for d in range(self.days):
                edges = upcoming.result()
                if d + 1 < self.days:
                    upcoming = pool.submit(self.day, d + 1)
                for lo in range(0, edges.src.size, batch_rows):
                    part = _take(edges, slice(lo, lo + batch_rows))
                    yield self._frame(part).drop("attempt")


def _take(e: _Edges, index: np.ndarray | slice) -> _Edges:
    attempt = None if e.attempt is None else e.attempt[index]
    return _Edges(
        e.src[index], e.dst[index], e.minute[index], e.amount[index], e.fmt[index], attempt
    )


def generate(
    n_accounts: int,
    days: int,
    rng: np.random.Generator,
    *,
    threshold: float = 10_000.0,
    illicit_ratio: float = HI_SMALL_ILLICIT_RATIO,
    activity: float = 1.0,
    min_attempts: int = 3,
    start: datetime = datetime(2022, 9, 1),
) -> Generated:
    """A synthetic AMLworld-format data set of ``n_accounts`` accounts over ``days`` days.

    ``illicit_ratio`` sets laundering transactions per legitimate one (HI-Small by default), with
    at least ``min_attempts`` attempts of each typology; ``activity`` scales legitimate rates.
    The whole set in memory; :class:`Synthetic` streams the same rows in batches.
    """
    s = Synthetic(
        n_accounts,
        days,
        rng,
        threshold=threshold,
        illicit_ratio=illicit_ratio,
        activity=activity,
        min_attempts=min_attempts,
        start=start,
    )
    transactions = pl.concat(list(s.batches()), rechunk=True)
    return Generated(transactions, s.accounts, s.patterns, s.branches)


def _accounts(w: _World, ids: pl.Series) -> pl.DataFrame:
    names = pl.Series([f"Bank #{b + 10}" for b in range(w.border_bank.size)])
    entity = pl.Series(np.arange(w.n))
    kind = pl.Series(np.where(w.business, "Corporation", "Person"))
    return pl.DataFrame(
        {
            "Bank Name": names.gather(w.bank),
            "Bank ID": w.bank.astype(np.int64) + 10,
            "Account Number": ids,
            "Entity ID": _hex(0x80000000 + entity.to_numpy(), 8),
            "Entity Name": pl.select(
                pl.concat_str(pl.lit(kind), pl.lit(" #"), pl.lit(entity))
            ).to_series(),
        }
    )


def _branches(w: _World) -> pl.DataFrame:
    n = w.border_bank.size
    return pl.DataFrame(
        {
            "Bank ID": np.arange(n, dtype=np.int64) + 10,
            "Bank Name": [f"Bank #{b + 10}" for b in range(n)],
            "Country": np.where(w.mexico_bank, "MX", "US"),
            "Region": np.where(w.border_bank, "border", "interior"),
        }
    )
