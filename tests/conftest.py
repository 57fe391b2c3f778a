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


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The whole pipeline run once for the seed and the synthetic report into a temporary OUT.

    Tests of figures, audit files and HTML read from here instead of rebuilding.
    """
    from helpers import run
    out = tmp_path_factory.mktemp("out")
    outcomes = [run.build_report(report, out) for report in (SEED, SYNTHETIC)]
    failures = [failure for outcome in outcomes for failure in outcome.failures]
    assert failures == [], failures
    return out
