"""Shared fixtures: the seed report, the synthetic fixtures, and built outputs."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers import ingest, paths

SEED = paths.RAW / "thai-nguyen_2022_bc-301-ubnd.txt"
FIXTURES = paths.PROJ_ROOT / "tests" / "fixtures"
GOLDEN = paths.PROJ_ROOT / "tests" / "golden"
SYNTHETIC = FIXTURES / "synthetic_bac-kan_2023.txt"
# The same invented report under another province, its assessment worded differently
SYNTHETIC_WORDING = FIXTURES / "synthetic_wording_lang-son_2023.txt"


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
    """The whole pipeline run once for the seed and two synthetic reports (Bắc Kạn and Lạng
    Sơn 2023: a comparison across provinces) into a temporary OUT.

    Tests of figures, audit files and HTML read from here instead of rebuilding.
    """
    from helpers import run
    out = tmp_path_factory.mktemp("out")
    outcomes = run.build_reports((SEED, SYNTHETIC, SYNTHETIC_WORDING), out)   # one build
    failures = [failure for outcome in outcomes for failure in outcome.failures]
    assert failures == [], failures
    return out


# Synthetic fixtures for comparisons: two years of Bắc Kạn, two provinces in 2023.
SYNTHETIC_NEXT_YEAR = FIXTURES / "synthetic_bac-kan_2024.txt"
SYNTHETIC_OTHER_PROVINCE = FIXTURES / "synthetic_cao-bang_2023.txt"


@pytest.fixture(scope="session")
def several(tmp_path_factory):
    """An OUT holding the processed tables of three synthetic reports (no notebooks run):
    Bắc Kạn 2023 and 2024 from text, Cao Bằng 2023 entered in the data-entry workbook."""
    from test_workbook import filled_template
    out = tmp_path_factory.mktemp("several")
    entry = tmp_path_factory.mktemp("entry")
    for report in (SYNTHETIC, SYNTHETIC_NEXT_YEAR):
        ingest.run(report, out)
    ingest.run(filled_template(ingest.read(SYNTHETIC_OTHER_PROVINCE), entry), out)
    return out
