"""An outsider's audit of the public tables: can a hidden small count be pinned down from every
published number at once?

The suppression rules of :mod:`oclab.observatory.privacy` each close one attack (a row's own
counts, a total minus its shown parts, pooled anomaly rows minus shown years). This audit
checks them together, as cell-suppression audits in official statistics do: the hidden counts
of the court, state and national tables are unknowns (whole numbers, at least 0), and an
outsider knows

* the shown counts;
* the identities of the tables, year by year: a state's court-shared counts are the sums of its
  courts' (``privacy.COURT_GROUPS``), the nation's the sums of its states' (``privacy.GROUPS``);
* within a row: verdicts = convictions + acquittals; a rate's numerator is at most its
  denominator; convictions + acquittals + dismissals are at most the concluded cases;
  convictions are at most the resolved cases;
* a court's shown anomaly rows: its concluded cases, dismissals, verdicts and convictions summed
  over the years are at most the pooled counts (cases without a year make up the rest).

The protected quantities are the hidden counts, the complements of rates whose counts are hidden
(denominator minus numerator) and the implied counts (alternative resolutions). One whose true
value is 1 to ``threshold - 1`` is *disclosed* when every solution of the system above gives it a
value in that range. The audit works on the linear relaxation (scipy's HiGHS), with bounds
rounded inward to whole numbers: a quantity some solution sets to 0 or to ``threshold`` or more is
safe. Few linear programs are needed: one that minimises the sum of all candidates (each one it
sets to 0 is safe), one that maximises their sum capped at ``threshold`` (each one it lifts to
the cap is safe), repeated while they certify some, then two per candidate left. The integer
problem could pin a few more; the relaxation is the usual audit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, identity, vstack
from scipy.sparse.csgraph import connected_components

from oclab.observatory.indicators import rate_pairs
from oclab.observatory.privacy import COURT_GROUPS, GROUPS, IMPLIED

#: The yearly tables audited, finest first (court rows add up to states, states to the nation).
YEARLY: tuple[str, ...] = ("indicators_court", "indicators_state", "indicators_national")
#: Anomaly table -> {its column: the yearly court count it pools}.
POOLED_FROM: dict[str, dict[str, str]] = {
    "anomalies_dismissal": {"n": "n_concluded", "observed": "n_dismissals"},
    "anomalies_conviction": {"n": "n_verdicts", "observed": "n_convictions"},
}
_ROW = ["table", "state", "court_id", "year"]
_TOL = 1e-6


@dataclass(frozen=True)
class _System:
    """``A_eq x = b_eq``, ``A_ub x <= b_ub``, ``x >= 0`` over the hidden cells."""

    a_eq: csr_matrix
    b_eq: np.ndarray
    a_ub: csr_matrix
    b_ub: np.ndarray

    @property
    def n(self) -> int:
        return self.a_eq.shape[1]

    def components(self) -> np.ndarray:
        """A label per unknown: unknowns linked through some relation share it."""
        rows = vstack([abs(self.a_eq), abs(self.a_ub)]).tocsr()
        return connected_components(rows.T @ rows, directed=False)[1]

    def restricted(self, keep: np.ndarray) -> _System:
        """The relations among the unknowns ``keep`` (a union of whole components)."""

        def part(a: csr_matrix, b: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
            sub = a[:, keep]
            rows = np.flatnonzero(np.diff(sub.indptr) > 0)
            return sub[rows], b[rows]

        return _System(*part(self.a_eq, self.b_eq), *part(self.a_ub, self.b_ub))


def _long(frame: pl.DataFrame, name: str, counts: list[str], value: str) -> pl.DataFrame:
    """The ``counts`` of a yearly table, one row per cell (keys absent at a level are "")."""
    keys = [pl.col(k) if k in frame.columns else pl.lit("") for k in ("state", "court_id")]
    return frame.select(
        pl.lit(name).alias("table"),
        keys[0].alias("state"),
        keys[1].alias("court_id"),
        pl.col("year"),
        *[pl.col(c).cast(pl.Float64) for c in counts],
    ).unpivot(index=_ROW, variable_name="column", value_name=value)


def cells(tables: dict[str, pl.DataFrame], public: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every count of the yearly tables in long form: its row, ``column``, the public ``value``
    (null when hidden), the ``truth`` and ``var`` (its unknown's index when hidden)."""
    parts = []
    for name in YEARLY:
        if name in public:
            counts = [c for c in public[name].columns if c.startswith("n_") or c == "backlog"]
            shown = _long(public[name], name, counts, "value")
            parts.append(
                shown.join(_long(tables[name], name, counts, "truth"), on=[*_ROW, "column"])
            )
    table = pl.concat(parts).with_row_index("cell")
    hidden = table["value"].is_null()
    return table.with_columns(var=pl.when(hidden).then(hidden.cast(pl.Int64).cum_sum() - 1))


def _row_terms(cells_: pl.DataFrame, label: str, coefs: dict[str, float]) -> pl.DataFrame:
    """Terms ``key, cell, coef`` of one relation among counts, for every row with them all."""
    terms = pl.concat(
        cells_.filter(pl.col("column") == column).select(
            "cell",
            key=pl.concat_str(pl.lit(label), *_ROW, separator="|"),
            coef=pl.lit(float(coef)),
        )
        for column, coef in coefs.items()
    )
    complete = terms.group_by("key").len().filter(pl.col("len") == len(coefs)).select("key")
    return terms.join(complete, on="key")


def _sum_terms(
    cells_: pl.DataFrame, finer: str, coarser: str, by: list[str], columns: list[str]
) -> pl.DataFrame:
    """Terms of ``coarser = sum of finer`` for each ``by`` and column (finer +1, coarser -1)."""
    key = pl.concat_str(pl.lit(f"{finer}>{coarser}"), *by, "column", separator="|")
    pick = pl.col("column").is_in(columns)
    return pl.concat(
        [
            cells_.filter((pl.col("table") == finer) & pick).select(
                "cell", key=key, coef=pl.lit(1.0)
            ),
            cells_.filter((pl.col("table") == coarser) & pick).select(
                "cell", key=key, coef=pl.lit(-1.0)
            ),
        ]
    )


def _pooled_terms(cells_: pl.DataFrame, public: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Terms of ``sum over years of a court's count <= its shown pooled count`` (with ``const``)."""
    parts = []
    courts = cells_.filter(pl.col("table") == "indicators_court")
    for name, columns in POOLED_FROM.items():
        if name not in public or public[name].height == 0:
            continue
        shown = public[name].filter(pl.col("flag") != "suppressed")
        for pooled, column in columns.items():
            key = pl.concat_str(pl.lit(f"{name}|{pooled}"), "court_id", separator="|")
            rows = shown.filter(pl.col(pooled).is_not_null()).select(
                "court_id", key=key, const=pl.col(pooled).cast(pl.Float64)
            )
            years = courts.filter(pl.col("column") == column).join(rows, on="court_id")
            parts.append(years.select("cell", "key", coef=pl.lit(1.0)))
            parts.append(rows.select("key", coef=pl.lit(-1.0), const="const"))
    return pl.concat(parts, how="diagonal") if parts else pl.DataFrame()


def _matrix(terms: pl.DataFrame, cells_: pl.DataFrame, n_var: int) -> tuple[csr_matrix, np.ndarray]:
    """Rows ``sum coef * x <= or = rhs`` from terms: hidden cells become entries, shown cells
    (and a term's own ``const``) move to the right-hand side. Rows with no unknown are dropped."""
    if "const" not in terms.columns:
        terms = terms.with_columns(const=pl.lit(None, pl.Float64))
    joined = terms.join(cells_.select("cell", "value", "var"), on="cell", how="left").with_columns(
        known=pl.coalesce("value", "const")
    )
    rows = (
        joined.group_by("key", maintain_order=True)
        .agg(has_var=pl.col("var").is_not_null().any())
        .filter("has_var")
        .with_row_index("row")
        .select("key", "row")
    )
    joined = joined.join(rows, on="key")
    entries = joined.filter(pl.col("var").is_not_null())
    rhs = np.zeros(rows.height)
    known = (
        joined.filter(pl.col("var").is_null())
        .group_by("row")
        .agg(rhs=-(pl.col("coef") * pl.col("known")).sum())
    )
    rhs[known["row"].to_numpy()] = known["rhs"].to_numpy()
    return _sparse(entries, rows.height, n_var), rhs


def _sparse(entries: pl.DataFrame, n_rows: int, n_var: int) -> csr_matrix:
    """The matrix with ``coef`` at (``row``, ``var``) of each entry."""
    return csr_matrix(
        (entries["coef"].to_numpy(), (entries["row"].to_numpy(), entries["var"].to_numpy())),
        shape=(n_rows, n_var),
    )


def system(cells_: pl.DataFrame, public: dict[str, pl.DataFrame]) -> _System:
    """What an outsider knows about the hidden cells (see the module docstring)."""
    n_var = cells_["var"].drop_nulls().len()  # the hidden cells are numbered 0, 1, ...
    court_cols = [c for g in COURT_GROUPS for c in g]
    all_cols = [c for g in GROUPS for c in g]
    equal = [
        _sum_terms(cells_, "indicators_court", "indicators_state", ["state", "year"], court_cols),
        _sum_terms(cells_, "indicators_state", "indicators_national", ["year"], all_cols),
        _row_terms(cells_, "verdicts", {"n_verdicts": 1, "n_convictions": -1, "n_acquittals": -1}),
    ]
    at_most = [
        _row_terms(cells_, f"{total}>=", {**{p: 1 for p in parts}, total: -1})
        for total, parts in IMPLIED
    ]
    at_most += [
        _row_terms(cells_, f"{num}<={den}", {num: 1, den: -1}) for num, den in _rate_pairs(public)
    ]
    pooled = _pooled_terms(cells_, public)
    if pooled.height:
        at_most.append(pooled)
    a_eq, b_eq = _matrix(pl.concat(equal), cells_, n_var)
    a_ub, b_ub = _matrix(pl.concat(at_most, how="diagonal"), cells_, n_var)
    return _System(a_eq, b_eq, a_ub, b_ub)


def _rate_pairs(public: dict[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """(numerator, denominator) of every rate of the yearly tables (per table: the
    accusatorial share is over cases at court level, over reports at state level)."""
    pairs = {
        p for name in YEARLY if name in public for p in rate_pairs(public[name].columns).values()
    }
    return sorted(pairs)


def protected(cells_: pl.DataFrame, pairs: list[tuple[str, str]]) -> pl.DataFrame:
    """The protected quantities with at least one hidden count, as terms ``key`` (row and
    quantity), ``cell``, ``coef``: hidden counts, the complements of the rates ``pairs``,
    implied counts."""
    hidden = cells_.filter(pl.col("var").is_not_null())
    own = hidden.select("cell", key=pl.concat_str(*_ROW, "column", separator="|"), coef=pl.lit(1.0))
    relations = [(f"{den} - {num}", {den: 1, num: -1}) for num, den in pairs]
    relations += [
        (f"{total} - " + " - ".join(parts), {total: 1, **{p: -1 for p in parts}})
        for total, parts in IMPLIED
    ]
    derived = []
    for name, coefs in relations:
        terms = _row_terms(cells_, name, coefs)
        with_hidden = (
            terms.join(cells_.select("cell", "var"), on="cell")
            .group_by("key")
            .agg(pl.col("var").is_not_null().any())
            .filter("var")
            .select("key")
        )
        derived.append(terms.join(with_hidden, on="key"))
    return pl.concat([own, *derived])


def _batch_certify(
    sys_: _System, forms: csr_matrix, const: np.ndarray, open_: np.ndarray, threshold: int
) -> np.ndarray:
    """Candidates (``open_``) no solution certifies as safe after the batch programs."""
    open_ = open_.copy()
    while open_.any():  # one solution setting many candidates to 0
        c = np.asarray(forms[open_].sum(axis=0)).ravel()
        res = _solve(c, sys_)
        safe = open_ & (forms @ res + const <= _TOL)
        if not safe.any():
            break
        open_ &= ~safe
    while open_.any():  # one solution lifting many to the threshold: y_f <= form_f, y_f <= cap
        idx = np.flatnonzero(open_)
        k = idx.size
        a_ub = vstack(
            [
                hstack([sys_.a_ub, csr_matrix((sys_.a_ub.shape[0], k))]),
                hstack([-forms[idx], identity(k, format="csr")]),
            ]
        ).tocsr()
        wide = _System(
            hstack([sys_.a_eq, csr_matrix((sys_.a_eq.shape[0], k))]).tocsr(),
            sys_.b_eq,
            a_ub,
            np.concatenate([sys_.b_ub, const[idx]]),
        )
        c = np.concatenate([np.zeros(sys_.n), -np.ones(k)])
        bounds = [(0, None)] * sys_.n + [(0, threshold)] * k
        y = _solve(c, wide, bounds)[sys_.n :]
        lifted = y >= threshold - _TOL  # the integer maximum is the threshold or more
        if not lifted.any():
            break
        open_[idx[lifted]] = False
    return open_


def _program(c: np.ndarray, sys_: _System, bounds=(0, None)):
    def given(a: csr_matrix, b: np.ndarray):
        return (a, b) if a.shape[0] else (None, None)

    a_ub, b_ub = given(sys_.a_ub, sys_.b_ub)
    a_eq, b_eq = given(sys_.a_eq, sys_.b_eq)
    return linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")


def _failed(res) -> RuntimeError:
    return RuntimeError(f"audit: the outsider's linear program failed ({res.message})")


def _solve(c: np.ndarray, sys_: _System, bounds=(0, None)) -> np.ndarray:
    res = _program(c, sys_, bounds)
    if res.status != 0:
        raise _failed(res)
    return res.x


def _bound(sys_: _System, form: np.ndarray, sign: float) -> float:
    """The smallest (``sign`` 1) or largest (-1) value of ``form`` over the solutions."""
    res = _program(sign * form, sys_)
    if res.status == 3:  # unbounded: only a maximum can be
        return np.inf
    if res.status != 0:
        raise _failed(res)
    return sign * res.fun


def audit(
    tables: dict[str, pl.DataFrame], public: dict[str, pl.DataFrame], threshold: int
) -> pl.DataFrame:
    """The protected quantities with a small true value, and what an outsider can deduce.

    ``tables`` are the aggregates before suppression, ``public`` after
    (:func:`oclab.observatory.publish.suppressed`). One row per candidate: ``key`` (table,
    state, court, year and quantity), ``truth``, ``lower`` and ``upper`` (null when a batch
    solution already showed it safe) and ``disclosed``. The result holds true small counts:
    it is for the data's owner, never for publication.
    """
    long = cells(tables, public)
    sys_ = system(long, public)
    terms = protected(long, _rate_pairs(public)).join(
        long.select("cell", "value", "truth", "var"), on="cell"
    )
    keys = terms.group_by("key", maintain_order=True).agg(
        truth=(pl.col("coef") * pl.col("truth")).sum(),
        const=(pl.col("coef") * pl.col("value").fill_null(0)).sum(),
    )
    keys = keys.filter((pl.col("truth") >= 1) & (pl.col("truth") <= threshold - 1))
    schema = {
        "key": pl.String,
        "truth": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "disclosed": pl.Boolean,
    }
    if keys.height == 0:
        return pl.DataFrame(schema=schema)
    keys = keys.with_row_index("row")
    entries = terms.join(keys.select("key", "row"), on="key").filter(pl.col("var").is_not_null())
    forms = _sparse(entries, keys.height, sys_.n)
    const = keys["const"].to_numpy()
    left = _batch_certify(sys_, forms, const, np.ones(keys.height, dtype=bool), threshold)
    lower = np.full(keys.height, np.nan)
    upper = np.full(keys.height, np.nan)
    label = sys_.components() if left.any() else np.zeros(0)
    for i in np.flatnonzero(left):  # the few no batch solution cleared: exact bounds, each on
        keep = np.isin(label, label[forms[i].indices])  # the components the quantity touches
        part = sys_.restricted(keep)
        form = forms[i].toarray().ravel()[keep]
        lower[i] = _bound(part, form, 1.0) + const[i]
        upper[i] = _bound(part, form, -1.0) + const[i]
    disclosed = (np.ceil(lower - _TOL) >= 1) & (np.floor(upper + _TOL) <= threshold - 1)
    return keys.select("key", "truth").with_columns(
        lower=pl.Series(lower).fill_nan(None),
        upper=pl.Series(upper).fill_nan(None),
        disclosed=pl.Series(disclosed),
    )
