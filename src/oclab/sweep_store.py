"""A sweep on disk: one Parquet file per chunk, a manifest of finished chunks, and loaders.

Layout of a sweep folder::

    sweep.json        what was swept (study, method, factors and priors, seed, chunking)
    design.parquet    one row per sample: the factors' unit coordinates and values
    manifest.json     the chunks finished so far (and "complete" once all are)
    chunks/chunk-000012.parquet

Every file is written under a temporary name and moved into place with :func:`os.replace`
(atomic on POSIX), so an interruption leaves either the whole file or none of it. A chunk counts
as finished only once the manifest lists it; a chunk file written just before an interruption
but not yet in the manifest is simply computed again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from oclab.errors import InputError

SPEC = "sweep.json"
DESIGN = "design.parquet"
MANIFEST = "manifest.json"
CHUNKS = "chunks"
_TMP = ".tmp"


def chunk_path(folder: Path, index: int) -> Path:
    """Where chunk ``index`` of the sweep in ``folder`` is stored."""
    return folder / CHUNKS / f"chunk-{index:06d}.parquet"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write`` into a temporary file, then move it into place."""
    tmp = path.with_name(path.name + _TMP)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, document: dict[str, Any]) -> None:
    """``document`` as indented JSON at ``path``, atomically."""
    text = json.dumps(document, indent=2, default=str)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, table: pl.DataFrame) -> None:
    """``table`` as zstd-compressed Parquet at ``path``, atomically."""
    atomic_write(path, lambda p: table.write_parquet(p, compression="zstd"))


def read_json(path: Path) -> dict[str, Any]:
    """A JSON document written by this module, or an :class:`InputError` naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path.parent, path.name, "a sweep folder written by oclab sweep") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(path, "contents", f"readable JSON ({exc})") from None


def finished_chunks(folder: Path) -> set[int]:
    """Chunks the manifest lists whose file is present (removing stale temporary files)."""
    for stale in (folder / CHUNKS).glob(f"*{_TMP}"):
        stale.unlink(missing_ok=True)
    if not (folder / MANIFEST).is_file():
        return set()
    listed = read_json(folder / MANIFEST).get("finished", [])
    return {int(k) for k in listed if chunk_path(folder, int(k)).is_file()}


def record_finished(folder: Path, finished: set[int], total: int) -> None:
    """Rewrite the manifest with ``finished`` chunks out of ``total``."""
    write_json(
        folder / MANIFEST,
        {"finished": sorted(finished), "chunks": total, "complete": len(finished) == total},
    )


def load_spec(folder: str | Path) -> dict[str, Any]:
    """The ``sweep.json`` of a sweep folder."""
    return read_json(Path(folder) / SPEC)


def scan_sweep(folder: str | Path, allow_partial: bool = False) -> pl.LazyFrame:
    """The results of a sweep as a lazy table (never all in memory unless collected).

    One row per run and scenario: ``scenario, run, sample, replicate``, the factors, then one
    column per outcome and reporting year (see :func:`oclab.sweep.outcome_column`). An
    unfinished sweep is an :class:`InputError` unless ``allow_partial``.
    """
    root = Path(folder)
    spec = load_spec(root)
    done = finished_chunks(root)
    total = int(spec["chunks"])
    if not done or (len(done) < total and not allow_partial):
        raise InputError(
            root,
            MANIFEST,
            "a finished sweep (run the same oclab sweep command again to finish it)",
            f"{len(done)} of {total} chunks",
        )
    return pl.scan_parquet([chunk_path(root, k) for k in sorted(done)])


def load_design(folder: str | Path) -> pl.DataFrame:
    """The design of a sweep: ``sample``, then each factor's value and ``u_<factor>``."""
    path = Path(folder) / DESIGN
    if not path.is_file():
        raise InputError(Path(folder), DESIGN, "a sweep folder written by oclab sweep")
    return pl.read_parquet(path)
