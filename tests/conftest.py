"""Shared fixtures: the seed report, the synthetic fixtures, and built outputs."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import ingest, paths

SEED = paths.RAW / "thai-nguyen_2022_bc-301-ubnd.txt"
FIXTURES = paths.PROJ_ROOT / "tests" / "fixtures"
GOLDEN = paths.PROJ_ROOT / "tests" / "golden"
SYNTHETIC = FIXTURES / "synthetic_bac-kan_2023.txt"


def read_golden(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="session")
def seed():
    return ingest.read(SEED)


@pytest.fixture(scope="session")
def synthetic():
    return ingest.read(SYNTHETIC)
