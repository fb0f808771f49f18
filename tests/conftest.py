"""Shared fixtures: where the real data lives (``../shared/data`` beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("OCLAB_SHARED_DATA", REPO.parent / "shared" / "data"))
PRIETO_CURIEL_2023 = SHARED_DATA / "prieto-curiel-2023"


@pytest.fixture(scope="session")
def real_network_dir() -> Path:
    """The real 2020 network of Prieto-Curiel et al. (2023); skip where it is absent."""
    if not (PRIETO_CURIEL_2023 / "BACRIM2020_Nodes.csv").is_file():
        pytest.skip(f"real data not found at {PRIETO_CURIEL_2023} (set OCLAB_SHARED_DATA)")
    return PRIETO_CURIEL_2023
