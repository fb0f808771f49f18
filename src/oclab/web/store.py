"""Stored studies under the dashboard's results root: listing, safe paths, and read-only views.

Everything the dashboard shows is read from the files a run wrote (``results.parquet``,
``summary.csv``, ``study.json``); nothing is simulated on view. Quantile bands are aggregations of
the stored runs (polars, vectorised); comparisons come straight from the stored summary.

A study is addressed by its folder name, which must match :data:`NAME_PATTERN` and resolve to a
folder directly inside the root, so no request can reach a file outside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from oclab.core.results import META, REPORT, RESULTS, SUMMARY

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Files of a results folder that may be downloaded, with their media types.
DOWNLOADS: dict[str, str] = {
    RESULTS: "application/vnd.apache.parquet",
    SUMMARY: "text/csv; charset=utf-8",
    META: "application/json",
    REPORT: "text/html; charset=utf-8",
}
BASELINE = "baseline"
#: Central intervals offered by the explorer: coverage in percent -> (lower, upper) quantile.
INTERVALS: dict[int, tuple[float, float]] = {50: (0.25, 0.75), 80: (0.1, 0.9), 90: (0.05, 0.95)}


class NotFound(LookupError):
    """A study or file that does not exist under the root (or may not be reached)."""


def valid_name(name: object) -> bool:
    """Whether ``name`` is an acceptable study folder name (no separators, no ``..``)."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None and ".." not in name


def study_dir(root: Path, name: str) -> Path:
    """The folder of study ``name`` inside ``root``; :class:`NotFound` if absent or unsafe."""
    if not valid_name(name):
        raise NotFound(name)
    base = root.resolve()
    folder = (base / name).resolve()
    if folder.parent != base or not (folder / META).is_file():
        raise NotFound(name)
    return folder


def download_path(root: Path, name: str, filename: str) -> Path:
    """A downloadable file of a study (only the names in :data:`DOWNLOADS`)."""
    if filename not in DOWNLOADS:
        raise NotFound(filename)
    path = study_dir(root, name) / filename
    if not path.is_file():
        raise NotFound(filename)
    return path


@dataclass(frozen=True)
class StudyInfo:
    """One stored study, as listed on the home page."""

    name: str
    title: str
    created: str
    runs: int | None
    scenarios: int
    model: str


def list_studies(root: Path) -> list[StudyInfo]:
    """The studies stored directly under ``root`` (folders with a ``study.json``), newest first."""
    if not root.is_dir():
        return []
    found = []
    base = root.resolve()
    for folder in root.iterdir():
        if not (valid_name(folder.name) and folder.is_dir() and (folder / META).is_file()):
            continue
        if folder.resolve().parent != base:  # a link to elsewhere: not part of this root
            continue
        try:
            meta = _meta(folder / META, (folder / META).stat().st_mtime_ns)
        except (OSError, ValueError):
            continue
        study = meta.get("study") if isinstance(meta.get("study"), dict) else {}
        runs = study.get("runs")
        found.append(
            StudyInfo(
                name=folder.name,
                title=str(meta.get("title") or folder.name),
                created=str(meta.get("created") or ""),
                runs=runs if isinstance(runs, int) else None,
                scenarios=len(study.get("scenarios") or []),
                model=str(study.get("model") or ""),
            )
        )
    return sorted(found, key=lambda s: (s.created, s.name), reverse=True)


@lru_cache(maxsize=32)
def _meta(path: Path, _mtime: int) -> dict[str, Any]:
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError("study.json is not an object")
    return value


RESULT_COLUMNS = frozenset({"scenario", "run", "time", "outcome", "value", "group", "week"})
SUMMARY_COLUMNS = frozenset({"scenario", "outcome", "year", "years_after_restart", "mean"})


def _read(reader: Any, path: Path, columns: frozenset[str]) -> pl.DataFrame:
    """A stored table, or :class:`NotFound` when it is unreadable or lacks oclab's columns."""
    try:
        table = reader(path)
    except (pl.exceptions.PolarsError, OSError):
        raise NotFound(path.parent.name) from None
    if not columns <= set(table.columns):
        raise NotFound(path.parent.name)
    return table


@lru_cache(maxsize=8)
def _results(path: Path, _mtime: int) -> pl.DataFrame:
    # Categorical columns (enum) become plain strings so filters with user values never fail.
    return _read(pl.read_parquet, path, RESULT_COLUMNS).with_columns(
        pl.col("scenario").cast(pl.String),
        pl.col("outcome").cast(pl.String),
        pl.col("group").cast(pl.String),
    )


@lru_cache(maxsize=32)
def _summary(path: Path, _mtime: int) -> pl.DataFrame:
    return _read(pl.read_csv, path, SUMMARY_COLUMNS)


def _stamp(path: Path) -> int:
    if not path.is_file():
        raise NotFound(path.name)
    return path.stat().st_mtime_ns


class StoredStudy:
    """Read-only access to one results folder (cached while its files are unchanged)."""

    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.folder = study_dir(root, name)

    @property
    def meta(self) -> dict[str, Any]:
        path = self.folder / META
        return _meta(path, _stamp(path))

    @property
    def results(self) -> pl.DataFrame:
        path = self.folder / RESULTS
        return _results(path, _stamp(path))

    @property
    def summary(self) -> pl.DataFrame:
        path = self.folder / SUMMARY
        return _summary(path, _stamp(path))

    @property
    def study(self) -> dict[str, Any]:
        value = self.meta.get("study")
        return value if isinstance(value, dict) else {}

    @property
    def restart_year(self) -> float:
        value = self.study.get("restart_year")
        if isinstance(value, int | float):
            return float(value)
        return float(
            self.summary.select(pl.col("year") - pl.col("years_after_restart")).min().item()
        )

    def scenarios(self) -> list[str]:
        """Scenario names: baseline first, then in the study's order."""
        present = set(self.results.get_column("scenario").unique().to_list())
        listed = [BASELINE] + [
            str(s.get("name")) for s in self.study.get("scenarios") or [] if isinstance(s, dict)
        ]
        ordered = [s for s in dict.fromkeys(listed) if s in present]
        return ordered + sorted(present - set(ordered))

    def outcomes(self) -> list[str]:
        """National outcomes (those without a group), in stored order."""
        national = self.results.filter(pl.col("group").is_null())
        return national.get_column("outcome").unique(maintain_order=True).to_list()

    def year_range(self) -> tuple[float, float]:
        times = self.results.get_column("time")
        return float(times.min()), float(times.max())

    def report_years(self) -> list[float]:
        return sorted(set(self.summary.get_column("year").to_list()))

    def selection(
        self, outcome: str, scenarios: Sequence[str], start: float, end: float
    ) -> pl.DataFrame:
        """The stored rows of a national outcome for the chosen scenarios and years.

        The shared history (stored once, under the baseline) is included whenever any scenario is
        chosen, so every chosen scenario is shown with the past it branched from.
        """
        restart = self.restart_year
        rows = self.results.filter(
            (pl.col("outcome") == outcome)
            & pl.col("group").is_null()
            & pl.col("time").is_between(start - 1e-9, end + 1e-9)
        )
        chosen = rows.filter(pl.col("scenario").is_in(list(scenarios)))
        history = rows.filter((pl.col("scenario") == BASELINE) & (pl.col("time") < restart - 1e-9))
        if BASELINE not in scenarios:
            chosen = pl.concat([history, chosen])
        return chosen.sort("scenario", "run", "week")

    def bands(
        self,
        outcome: str,
        scenarios: Sequence[str],
        start: float,
        end: float,
        interval: int,
        history_label: str,
    ) -> pl.DataFrame:
        """Median and central ``interval`` of the outcome per series and time.

        Columns ``series, time, low, median, high, runs``; rows before the restart year form one
        series named ``history_label``, shared by all scenarios.
        """
        lower, upper = INTERVALS[interval]
        restart = self.restart_year
        rows = self.selection(outcome, scenarios, start, end).with_columns(
            series=pl.when(pl.col("time") < restart - 1e-9)
            .then(pl.lit(history_label))
            .otherwise(pl.col("scenario"))
        )
        return (
            rows.group_by("series", "time")
            .agg(
                pl.col("value").quantile(lower, "linear").alias("low"),
                pl.col("value").median().alias("median"),
                pl.col("value").quantile(upper, "linear").alias("high"),
                pl.len().alias("runs"),
            )
            .sort("series", "time")
        )

    def comparison(self, outcome: str, year: float, scenarios: Sequence[str]) -> pl.DataFrame:
        """The stored summary rows of ``outcome`` at ``year`` for ``scenarios``, in their order."""
        rank = {s: i for i, s in enumerate(scenarios)}
        return (
            self.summary.filter(
                (pl.col("outcome") == outcome)
                & ((pl.col("year") - year).abs() < 1e-9)
                & pl.col("scenario").is_in(list(scenarios))
            )
            .with_columns(_rank=pl.col("scenario").replace_strict(rank, default=len(rank)))
            .sort("_rank")
            .drop("_rank")
        )
