"""Who sees what in the observatory's web application and API, with the registry's roles,
tokens and audit log (:mod:`oclab.traces`).

Roles are the trace registry's. ``national`` (the administrator) and ``researcher`` (the
analyst) are the *record roles*: they read record-level, pseudonymised data and unsuppressed
aggregates. Everyone else (``police``, ``foreign``, a ``public`` user and the anonymous public)
sees only aggregates with small cells suppressed. Only the administrator reads the access log.
Every access that touches record-level data (records, unsuppressed aggregates, unsuppressed
downloads) is written to the registry's append-only access log, and so is every refusal.
Suppressed public views are not logged (they show no record, and logging each anonymous page
view would let anyone fill the log).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oclab.observatory.feed import judicial_calibration
from oclab.observatory.io import Dataset
from oclab.observatory.publish import aggregates, suppressed
from oclab.observatory.store import MODELS, ObservatoryStore
from oclab.observatory.training import STANDARD, load_training, training_gap
from oclab.traces.policy import RESTRICTED, Principal
from oclab.traces.store import Refused, Registry

#: Roles that read record-level (pseudonymised) data: administrator and analyst.
RECORD_ROLES: tuple[str, ...] = ("national", "researcher")
#: Roles that read the access log.
ADMIN_ROLES: tuple[str, ...] = RESTRICTED.admin_roles
#: Aggregate tables, each public once suppressed.
TABLES: tuple[str, ...] = (
    "indicators_national",
    "indicators_state",
    "indicators_court",
    "anomalies_dismissal",
    "anomalies_conviction",
    "transition",
    "training",
)
#: Record-level tables (record roles only).
RECORD_TABLES: tuple[str, ...] = (*MODELS, "quarantine")


class Observatory:
    """The store, the registry (tokens, roles, audit) and the public threshold together."""

    def __init__(
        self,
        store: ObservatoryStore,
        registry: Registry,
        threshold: int = 10,
        training: pl.DataFrame | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.threshold = threshold
        self.training_table = training if training is not None else load_training()
        self._cache: dict[tuple[int, int], tuple[dict, dict, Dataset]] = {}

    def _tables(self) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], Dataset]:
        version = self.store.version()
        if version not in self._cache:
            data = self.store.dataset()
            full = aggregates(data)
            self._cache = {version: (full, suppressed(full, self.threshold), data)}
        return self._cache[version]

    def reads_records(self, who: Principal) -> bool:
        return who.role in RECORD_ROLES

    def tables(self, who: Principal, what: str) -> tuple[dict[str, pl.DataFrame], bool]:
        """The aggregates ``who`` may see and whether they are suppressed (logged if not)."""
        full, public, _ = self._tables()
        if self.reads_records(who):
            self.registry.log(who, "aggregate", f"observatory:{what}", "allowed", "unsuppressed")
            return full, False
        return public, True

    def table(self, who: Principal, name: str) -> tuple[pl.DataFrame, bool]:
        """One aggregate table (``training`` included) for ``who``."""
        if name == "training":
            return self.training(), False
        tables, hidden = self.tables(who, name)
        return tables.get(name, pl.DataFrame()), hidden

    def training(self, standard: float = STANDARD.default) -> pl.DataFrame:
        """The police-training comparison (public facts, no personal data)."""
        return training_gap(self.training_table, standard)

    def feed(self, who: Principal) -> dict[str, Any]:
        """The integrated model's calibration, suppressed unless ``who`` reads records."""
        _, public, data = self._tables()
        if data.cases.height == 0:
            return {
                "source": "oclab.observatory store (no cases stored)",
                "years": None,
                "national": None,
                "by_state": [],
            }
        full = self.reads_records(who)
        if full:
            self.registry.log(who, "aggregate", "observatory:feed", "allowed", "unsuppressed")
        return judicial_calibration(
            data,
            threshold=1 if full else self.threshold,
            source="oclab.observatory store",
            public=None if full else public,
        )

    def records(
        self, who: Principal, table: str, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Record-level rows (pseudonymised), record roles only; logged either way."""
        if not self.reads_records(who):
            self.registry.log(who, "read_records", f"observatory:{table}", "refused", "role")
            raise Refused("this role reads suppressed aggregates only")
        if table == "quarantine":
            frame = self.store.quarantine().slice(offset, limit)
        else:
            frame = self.store.frame(table, limit, offset)
        self.registry.log(
            who, "read_records", f"observatory:{table}", "allowed", f"n={frame.height}"
        )
        return frame.to_dicts()
