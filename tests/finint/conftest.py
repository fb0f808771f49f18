"""Shared fixtures for the finint tests: one small seeded synthetic data set, written once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oclab.finint import io
from oclab.finint.generate import Generated, generate


@pytest.fixture(scope="session")
def small() -> Generated:
    """About 17,000 transactions: 1,500 accounts over 10 days, every typology present."""
    return generate(1500, 10, np.random.default_rng(20230616))


@pytest.fixture(scope="session")
def small_dir(small: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small data set in the AMLworld files (transactions, accounts, patterns)."""
    folder = tmp_path_factory.mktemp("finint_small")
    io.write_transactions(small.transactions, folder / "Small_Trans.csv")
    io.write_accounts(small.accounts, folder / "Small_accounts.csv")
    io.write_patterns(small.patterns, folder / "Small_Patterns.txt")
    small.branches.write_csv(folder / "branches.csv")
    return folder
