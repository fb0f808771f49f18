"""Shared fixtures: where the real data lives (``../shared/data`` beside the repository)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The tests compile the numba kernels into a cache of their own, shared by the session's child
# processes: numba's disk cache notices edits to a kernel's own file but not to the helpers it
# calls from another module (oclab.finint.buckets), so an older cache could be tested instead
# of the source.
if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="oclab-numba-")
    atexit.register(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("OCLAB_SHARED_DATA", REPO.parent / "shared" / "data"))
PRIETO_CURIEL_2023 = SHARED_DATA / "prieto-curiel-2023"


@pytest.fixture(scope="session")
def real_network_dir() -> Path:
    """The real 2020 network of Prieto-Curiel et al. (2023); skip where it is absent."""
    if not (PRIETO_CURIEL_2023 / "BACRIM2020_Nodes.csv").is_file():
        pytest.skip(f"real data not found at {PRIETO_CURIEL_2023} (set OCLAB_SHARED_DATA)")
    return PRIETO_CURIEL_2023
