"""Shared fixtures: the seed report, the synthetic fixtures, and built outputs."""
from __future__ import annotations

import pandas as pd
import pytest

import fixture_build
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

    Tests of figures, audit files and HTML read from here instead of rebuilding; they must
    not change it (copy it first). One build serves the whole run, however many workers
    (pytest -n): it starts in its own process as the run starts (see fixture_build.py),
    while the tests that do not need it run first.
    """
    return fixture_build.wait(fixture_build.shared_root(tmp_path_factory))


@pytest.fixture(scope="session", autouse=True)
def _start_the_build(request, tmp_path_factory):
    """Start the session's build at once when any test of this run will need it."""
    if any("built" in item.fixturenames for item in request.session.items):
        fixture_build.start(fixture_build.shared_root(tmp_path_factory))


@pytest.hookimpl(tryfirst=True)     # before -m selects by marker
def pytest_collection_modifyitems(config, items):
    """Tests that need the session's build are `slow` and run last (the build runs while
    the others run), the `long` ones first among them: a long test handed out last would
    keep one worker busy while the other has ended. Every worker must collect the tests
    in the same order."""
    for item in items:
        if "built" in item.fixturenames:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: ("built" in item.fixturenames,
                                 item.get_closest_marker("long") is None))


@pytest.fixture(autouse=True)
def _notebooks_only_in_slow_tests(request, monkeypatch):
    """A test that starts a kernel (runs a notebook) in this process is marked `slow`, so that
    `make test-fast` (-m "not slow and not browser") runs none. (Tests that run notebooks in
    another process, through make or the runner's command line, are marked by hand.)"""
    if request.node.get_closest_marker("slow") is None:
        def refuse(*args, **kwargs):
            raise AssertionError(f"{request.node.nodeid} starts a kernel: mark it "
                                 "@pytest.mark.slow")
        monkeypatch.setattr("jupyter_client.provisioning.local_provisioner.LocalProvisioner."
                            "launch_kernel", refuse)


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
