"""The runner against what broke it before: file names the shell would read, one broken
report among good ones, make's stamps, removed reports, a kill while publishing, partial
builds, and the small cases that used to end in a traceback.

Builds that run notebooks use a small pipeline (the real ingest, a step that compares
reports, a one-cell HTML page) over copies of the synthetic reports (invented figures),
so that each takes seconds; tests on the full pipeline copy the session's built OUT.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import (FIXTURES, SEED, SYNTHETIC, SYNTHETIC_NEXT_YEAR, SYNTHETIC_OTHER_PROVINCE,
                      SYNTHETIC_WORDING)
from derived import MATH_PROVINCE, with_decoy, with_province
from helpers import combine, ingest, paths, run
from helpers.errors import ReportError
from helpers.run import publishing, stamps
from test_run import make, write_notebook

SCRIPT = paths.PROJ_ROOT / "scripts" / "up-to-date.sh"
MINI = (
    run.Step("01_ingest.ipynb", raw=True),
    run.Step("compare.ipynb", needs=("01_ingest.ipynb",), compares=True),
    run.Step("page.ipynb", per_language=True, html="brief"),
)
INGEST_ONLY = (run.Step("01_ingest.ipynb", raw=True),)
PAGES = (run.Step("01_ingest.ipynb", raw=True),
         run.Step("page.ipynb", per_language=True, html="brief"))


@pytest.fixture(scope="module")
def mini_notebooks(tmp_path_factory) -> Path:
    """The project's ingest notebook, a comparing step that records which reports it saw,
    and an HTML page that shows a hash of the report's indicators."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(paths.NOTEBOOKS / "01_ingest.ipynb", folder)
    write_notebook(folder / "compare.ipynb",
                   'report_id: str = "x"  # help: r\nout: str = ""  # help: o',
                   "import json, os\nfrom pathlib import Path\n"
                   "seen = sorted(n for n in os.listdir(Path(out, 'data', 'processed'))"
                   " if not n.startswith('.'))\n"
                   "folder = Path(out, 'figures', report_id)\n"
                   "folder.mkdir(parents=True, exist_ok=True)\n"
                   "(folder / 'compared.json').write_text(json.dumps(seen))")
    write_notebook(folder / "page.ipynb",
                   'report_id: str = "x"  # help: r\nout: str = ""  # help: o\n'
                   'lang: str = "vi"  # help: l',
                   "import hashlib\nfrom pathlib import Path\nfrom IPython.display import HTML\n"
                   "data = Path(out, 'data', 'processed', report_id, 'indicators.csv')"
                   ".read_bytes()\n"
                   "HTML(f'<p>{report_id} {lang} data {hashlib.sha256(data).hexdigest()}</p>')")
    return folder


@pytest.fixture
def mini(mini_notebooks, monkeypatch) -> Path:
    monkeypatch.setattr(paths, "NOTEBOOKS", mini_notebooks)
    return mini_notebooks


def copy_report(source: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copy(source, target)
    return target


def edit_data(report: Path) -> None:
    """Change one value of a copy of the synthetic report (Form 7, row 6.4)."""
    text = report.read_text(encoding="utf-8")
    assert "*100=45\\%$" in text
    report.write_text(text.replace("*100=45\\%$", "*100=46\\%$"), encoding="utf-8")


def indicators_hash(out: Path, report_id: str) -> str:
    import hashlib
    return hashlib.sha256((paths.processed_dir(report_id, out) / "indicators.csv")
                          .read_bytes()).hexdigest()


def up_to_date(folder: Path, *reports: str, cwd: Path = paths.PROJ_ROOT) -> bool:
    return subprocess.run(["bash", str(SCRIPT), str(folder), *reports], cwd=cwd).returncode == 0


# --- file names are built or refused by name, never executed -----------------------------

ODD_NAMES = ["$(touch INJECTED).txt", "`touch INJECTED2`.txt", "a b.txt", "it's.txt",
             "back\\slash.txt", "new\nline.txt", "carriage\rreturn.txt", "-dash.txt",
             "tab\there.txt"]


def test_the_stamp_lists_what_find_prints_for_any_file_name(tmp_path, monkeypatch):
    project = tmp_path / "project"
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    for index, name in enumerate(ODD_NAMES):
        (raw / name).write_text(f"report {index}", encoding="utf-8")
    (raw / "zero.txt").symlink_to("/dev/zero")      # never hashed: not a regular file
    (raw / "gone.txt").symlink_to(raw / "nowhere")
    (project / "notebooks").mkdir()
    (project / "notebooks" / "a.ipynb").write_text("{}", encoding="utf-8")
    (project / "src" / "helpers" / "__pycache__").mkdir(parents=True)
    (project / "src" / "helpers" / "x.py").write_text("x = 1\n", encoding="utf-8")
    (project / "src" / "helpers" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (project / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PROJ_ROOT", project)
    folder = tmp_path / "stamps"

    snapshot = stamps.take_snapshot([], run.Hashes())
    stamps.write_stamp(folder, snapshot.listed,
                       {path: digest for path, (_, digest) in snapshot.files.items()}, "ok")
    assert up_to_date(folder, cwd=project)
    assert not list(project.rglob("INJECTED*")) and not list(tmp_path.rglob("INJECTED*"))

    # another content with an older date is a change; the same content back is not
    odd = raw / ODD_NAMES[0]
    odd.write_text("edited", encoding="utf-8")
    os.utime(odd, (1_000_000_000, 1_000_000_000))
    assert not up_to_date(folder, cwd=project)
    odd.write_text("report 0", encoding="utf-8")
    assert up_to_date(folder, cwd=project)
    (raw / "new report.txt").write_text("x", encoding="utf-8")   # a new file
    assert not up_to_date(folder, cwd=project)
    (raw / "new report.txt").unlink()
    assert up_to_date(folder, cwd=project)
    assert not up_to_date(folder, "data/raw/a b.txt", cwd=project)   # other reports asked for
    (raw / "zero.txt").unlink()
    (raw / "zero.txt").symlink_to("/dev/null")                   # a link pointed elsewhere
    assert not up_to_date(folder, cwd=project)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The project copied (its own data/raw/ holding the seed, and its notebooks), sharing the
    .venv; its pipeline leaves out the appendix (the corpus below reads the brief)."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("Makefile", "pyproject.toml", "scripts", "src", "notebooks"):
        source = paths.PROJ_ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info",
                                                          ".ipynb_checkpoints"))
        else:
            shutil.copy(source, copy / name)
    (copy / ".venv").symlink_to(paths.PROJ_ROOT / ".venv")
    raw = copy / "data" / "raw"
    shutil.copytree(paths.REFERENCE, raw / "reference")
    for source in (SEED, ingest.sidecar_of(SEED)):
        shutil.copy(source, raw)
    pipeline = copy / "src" / "helpers" / "run" / "pipeline.py"
    text = pipeline.read_text(encoding="utf-8")
    assert "\n@dataclass\nclass Task:" in text
    pipeline.write_text(text.replace(
        "\n@dataclass\nclass Task:",
        "\nPIPELINE = tuple(step for step in PIPELINE if step.html != 'appendix')\n\n\n"
        "@dataclass\nclass Task:", 1), encoding="utf-8")
    return copy


def make_in(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    environment["PYTHONPATH"] = str(project / "src")   # the copy's helpers, not ours
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed",
                           *arguments], cwd=project, capture_output=True, text=True,
                          env=environment)


def card(brief: str, heading: str) -> str:
    """The text of the brief's card whose heading starts with `heading`."""
    for article in re.findall(r'<article class="card[^"]*">(.*?)</article>', brief, re.S):
        if re.search(r"<h3>" + re.escape(heading), article):
            return " ".join(re.sub(r"<[^>]+>", " ", article).split())
    raise AssertionError(f"no card {heading!r}")


@pytest.mark.slow
def test_one_make_report_builds_the_corpus_refuses_what_is_broken_runs_nothing(
        project_copy):
    """The corpus, in one build of the pipeline (the appendix left out): a report named
    like shell commands, which is also a decoy (a district's index sentences before the
    province's); a province written with TeX's math marks; a corrupt workbook. The two
    reports are synthetic (tests/derived.py). The seed, which the session's build builds,
    is taken out of this copy: it would add a third of the build and nothing hostile."""
    raw = project_copy / "data" / "raw"
    for seed_file in (SEED, ingest.sidecar_of(SEED)):
        (raw / seed_file.name).unlink()
    with_decoy(SYNTHETIC_WORDING, raw / "$(touch INJECTED) `touch INJECTED2`; it's.txt")
    with_province(SYNTHETIC, raw / "synthetic_math_2023.txt", "Bắc Kạn")
    copy_report(FIXTURES / "bad" / "workbook_broken_sheet.xlsx", raw)
    first = make_in(project_copy, "report")
    assert first.returncode != 0
    assert "Traceback" not in first.stdout + first.stderr
    refused = [line for line in first.stderr.splitlines() if line.startswith("FAILED")]
    assert len(refused) == 1 and "workbook_broken_sheet.xlsx" in refused[0]
    assert "cannot be read as a data-entry workbook" in refused[0]
    built = ("lang-son_2023", "cao-frac-bang_2023")
    for report_id in built:
        assert (paths.processed_dir(report_id, project_copy) / "indicators.csv").is_file()
        assert run.html_path(report_id, "en", project_copy).is_file()
    assert not list(project_copy.rglob("INJECTED*"))
    assert not list(paths.PROJ_ROOT.glob("INJECTED*"))

    # the decoy: its headline is the province's own figure, in facts.csv and on the card
    # (read by hand from the Lạng Sơn fixture, lines 17-19: 84,37 points, 41st of 63, down
    # 2 places and up 1,62 points)
    stated = pd.read_csv(paths.processed_dir("lang-son_2023", project_copy) / "facts.csv")
    stated = stated.set_index("fact_id")
    assert (stated.loc["par_index_score", "value"], stated.loc["par_index_rank", "value"],
            stated.loc["par_index_rank_of", "value"]) == (84.37, 41, 63)
    brief = run.html_path("lang-son_2023", "en", project_copy).read_text(encoding="utf-8")
    shown = card(brief, "PAR Index")
    assert shown.startswith("PAR Index, 2022 84.37 points ")
    assert "41st of 63, down 2 places on 2021" in shown and "up 1.62 points" in shown
    assert "70.50" not in brief and "70,50" not in brief   # the district's score, nowhere
    vietnamese = run.html_path("lang-son_2023", "vi", project_copy).read_text(encoding="utf-8")
    shown = card(vietnamese, "Chỉ số CCHC")
    assert "84,37 điểm" in shown and "xếp thứ 41/63" in shown
    issues = pd.read_csv(paths.processed_dir("lang-son_2023", project_copy) /
                         "parse_issues.csv")
    assert list(issues["kind"]) == ["fact_other_subject"]

    # the math-text province: built, its name drawn as written (with math text on,
    # matplotlib refuses '$\frac{' outright), in the charts' texts and in the pages
    figures = paths.figures_dir("cao-frac-bang_2023", project_copy)
    # an SVG keeps each line of text it draws as a comment beside the line's glyphs
    drawn = [svg.name for svg in figures.glob("*.svg") if MATH_PROVINCE in " ".join(
        re.findall(r"<!-- (.*?) -->", svg.read_text(encoding="utf-8")))]
    assert {"par_index_en.svg", "par_index_vi.svg", "sipas_en.svg"} <= set(drawn)
    manifest = json.loads((figures / "figures.json").read_text(encoding="utf-8"))
    titles = [figure[lang]["title"] for figure in manifest["figures"]
              for lang in ("vi", "en") if figure["name"] == "par_index"]
    assert titles and all(MATH_PROVINCE in title for title in titles)
    page = run.html_path("cao-frac-bang_2023", "vi", project_copy).read_text(encoding="utf-8")
    assert MATH_PROVINCE in page

    (raw / "workbook_broken_sheet.xlsx").unlink()
    second = make_in(project_copy, "report")
    assert second.returncode == 0, second.stderr
    third = make_in(project_copy, "report")   # the stamp holds the odd name: nothing to do
    assert third.stdout.strip() == f"2 report(s) up to date in {project_copy}"
    assert not list(project_copy.rglob("INJECTED*"))


# --- one broken report among good ones ---------------------------------------------------

@pytest.mark.slow
def test_a_report_that_crashes_its_reader_fails_alone(tmp_path, mini, monkeypatch):
    def crash(path):
        raise IndexError("list index out of range")
    monkeypatch.setitem(ingest.READERS, ".xlsx", crash)
    broken = copy_report(FIXTURES / "bad" / "workbook_bad_shared_string.xlsx", tmp_path)
    good = copy_report(SYNTHETIC, tmp_path / "raw")
    outcomes = run.build_reports([broken, good], tmp_path / "out", pipeline=INGEST_ONLY)
    assert outcomes[0].failures and str(broken) in outcomes[0].failures[0]
    assert "IndexError" in outcomes[0].failures[0]
    assert outcomes[1].failures == [] and outcomes[1].ran == ["01_ingest"]


# --- stamps record what was built ----------------------------------------------------------

@pytest.mark.slow
def test_a_raw_file_edited_during_a_build_is_built_again(tmp_path, mini, monkeypatch):
    report = copy_report(SYNTHETIC, tmp_path / "raw")
    out, folder = tmp_path / "out", tmp_path / "out" / ".build" / "stamps"
    original = run.build.run_task

    def edit_after_running(*arguments, **options):
        result = original(*arguments, **options)
        edit_data(report)
        return result

    monkeypatch.setattr(run.build, "run_task", edit_after_running)
    first = run.build_reports([report], out, pipeline=INGEST_ONLY, stamps=folder)
    assert first[0].failures == []
    assert (folder / "inputs.list").is_file()
    assert not up_to_date(folder, str(report))   # built from the old text: make runs again
    monkeypatch.undo()
    monkeypatch.setattr(paths, "NOTEBOOKS", mini)
    again = run.build_reports([report], out, pipeline=INGEST_ONLY, stamps=folder)
    assert again[0].ran == ["01_ingest"]
    assert up_to_date(folder, str(report))


@pytest.mark.slow
def test_two_files_with_one_report_id_fail_every_build(tmp_path, mini):
    first = copy_report(SYNTHETIC, tmp_path / "raw", "a.txt")
    twin = copy_report(SYNTHETIC, tmp_path / "raw", "b.txt")
    folder = tmp_path / "out" / ".build" / "stamps"
    outcomes = run.build_reports([first, twin], tmp_path / "out", pipeline=INGEST_ONLY,
                                 stamps=folder)
    assert outcomes[0].failures == []
    assert "already built from" in outcomes[1].failures[0]
    assert not (folder / "inputs.list").exists()   # so that make tries again, and says it


# --- removed reports ------------------------------------------------------------------------

@pytest.mark.slow
def test_a_removed_report_leaves_the_index_the_combined_tables_and_the_comparisons(
        tmp_path, mini):
    raw, out = tmp_path / "raw", tmp_path / "out"
    kept = copy_report(SYNTHETIC, raw)
    gone = copy_report(SYNTHETIC_NEXT_YEAR, raw)
    first = run.build_reports([kept, gone], out, langs=("vi",), pipeline=MINI)
    assert [o.failures for o in first] == [[], []]
    compared = paths.figures_dir("bac-kan_2023", out) / "compared.json"
    assert json.loads(compared.read_text()) == ["bac-kan_2023", "bac-kan_2024"]

    gone.unlink()
    notes = []
    again = run.build_reports([kept], out, langs=("vi",), pipeline=MINI, say=notes.append)
    assert again[0].failures == []
    assert any(note.startswith("removed bac-kan_2024: its raw file") for note in notes)
    assert "compare" in again[0].ran                       # it compared with a copy before
    assert json.loads(compared.read_text()) == ["bac-kan_2023"]
    for public in publishing.public_paths("bac-kan_2024", out):
        assert not os.path.lexists(public)
    assert (out / ".build" / "removed" / "bac-kan_2024").is_dir()   # moved aside, not lost
    assert list(combine.load("reports", out)["report_id"]) == ["bac-kan_2023"]
    index = (paths.reports_dir(out) / "index.html").read_text(encoding="utf-8")
    assert "bac-kan_2023_vi.html" in index and "bac-kan_2024" not in index


@pytest.mark.slow
def test_a_partial_build_in_one_language_rebuilds_the_other_when_the_data_changed(
        tmp_path, mini):
    report, out = copy_report(SYNTHETIC, tmp_path / "raw"), tmp_path / "out"
    run.build_reports([report], out, pipeline=PAGES)
    edit_data(report)
    outcome = run.build_report(report, out, langs=("en",), pipeline=PAGES)
    assert outcome.failures == []
    assert {"page_vi", "page_en"} <= set(outcome.ran)
    new = indicators_hash(out, "bac-kan_2023")
    for lang in ("vi", "en"):
        assert new in run.html_path("bac-kan_2023", lang, out).read_text(encoding="utf-8")


# --- publishing survives a kill at any instant ----------------------------------------------

def fake_build(out: Path, report_id: str, mark: str) -> Path:
    """A staged build whose every output says which build it is."""
    staging = publishing.stage(report_id, out, copy_current=False)
    for folder in run.pipeline.report_dirs(report_id, staging):
        folder.mkdir(parents=True)
        (folder / "mark.txt").write_text(mark)
    paths.processed_dir("other_2022", staging).mkdir()   # what a comparing step was shown
    for lang in ("vi", "en"):
        run.html_path(report_id, lang, staging).write_text(f"<p>{mark}</p>")
    return staging


def marks_in_view(out: Path, report_id: str) -> set[str]:
    marks = {(folder / "mark.txt").read_text() for folder in
             run.pipeline.report_dirs(report_id, out)}
    marks |= {re.sub("</?p>", "", run.html_path(report_id, lang, out).read_text())
              for lang in ("vi", "en")}
    manifest = publishing.read_manifest(report_id, out)
    return marks | {manifest["mark"]}


MUTATIONS = ("replace", "rename", "symlink", "unlink", "rmdir", "mkdir")


def publish_killed_after(out: Path, report_id: str, staging: Path, steps: int) -> bool:
    """Publish in a child process killed (SIGKILL) before its file-system step number
    `steps`; True when it finished first."""
    child = os.fork()
    if child == 0:   # pragma: no cover - the child
        count = [0]

        def counted(function):
            def wrapper(*args, **kwargs):
                count[0] += 1
                if count[0] == steps:
                    os.kill(os.getpid(), signal.SIGKILL)
                return function(*args, **kwargs)
            return wrapper

        for name in MUTATIONS:
            setattr(os, name, counted(getattr(os, name)))
        try:
            publishing.publish(report_id, staging, out, {"mark": "new"})
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return not os.WIFSIGNALED(status)


def test_a_kill_at_any_instant_of_publishing_leaves_one_build_in_view(tmp_path):
    report_id, step = "bac-kan_2023", 1
    while True:
        out = tmp_path / f"out{step}"
        publishing.publish(report_id, fake_build(out, report_id, "old"), out, {"mark": "old"})
        new = fake_build(out, report_id, "new")
        finished = publish_killed_after(out, report_id, new, step)
        assert marks_in_view(out, report_id) in ({"old"}, {"new"}), step
        publishing.recover(out)          # what the next build does first
        assert marks_in_view(out, report_id) in ({"old"}, {"new"}), step
        versions = publishing.versions_dir(report_id, out)
        current = os.readlink(versions / "current")
        assert {p.name for p in versions.iterdir()} == {"current", current}, step
        assert not (out / ".build" / "staging").exists()
        assert not [p for p in out.rglob(".*") if ".build" not in p.parts]
        shutil.rmtree(out)
        if finished:
            break
        step += 1
    assert step > 8   # it was killed at every step of the switch and the clean-up


@pytest.mark.slow
def test_a_kill_during_a_real_build_is_repaired_by_the_next(tmp_path, mini):
    report, out = copy_report(SYNTHETIC, tmp_path / "raw"), tmp_path / "out"
    run.build_reports([report], out, pipeline=PAGES)
    before = indicators_hash(out, "bac-kan_2023")
    edit_data(report)
    code = ("import sys; from pathlib import Path; from helpers import paths, run; "
            "paths.NOTEBOOKS = Path(sys.argv[1]); "
            "pipeline = (run.Step('01_ingest.ipynb', raw=True), "
            "run.Step('page.ipynb', per_language=True, html='brief')); "
            "run.build_reports([sys.argv[2]], sys.argv[3], pipeline=pipeline)")
    process = subprocess.Popen([str(paths.PROJ_ROOT / ".venv" / "bin" / "python"), "-c", code,
                                str(mini), str(report), str(out)])
    staging = out / ".build" / "staging"
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline and \
            not list(staging.rglob("*.ipynb")):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    in_view = indicators_hash(out, "bac-kan_2023")          # one build, whichever it is
    for lang in ("vi", "en"):
        assert in_view in run.html_path("bac-kan_2023", lang, out).read_text(encoding="utf-8")
    outcome = run.build_report(report, out, pipeline=PAGES)
    assert outcome.failures == [] and not list(staging.iterdir())
    after = indicators_hash(out, "bac-kan_2023")
    assert after != before
    for lang in ("vi", "en"):
        assert after in run.html_path("bac-kan_2023", lang, out).read_text(encoding="utf-8")


# --- small cases: a clear message, never a traceback -----------------------------------------

@pytest.mark.slow
def test_an_out_that_cannot_be_written_is_a_clear_message(tmp_path, monkeypatch):
    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(run.build, "locked", refuse)
    outcomes = run.build_reports([SEED, SYNTHETIC], tmp_path / "out")
    for outcome in outcomes:
        assert outcome.failures == [
            f"cannot write in the output folder {tmp_path / 'out'} (Permission denied: "
            f"{tmp_path / 'out' / '.build' / 'build.lock'}): choose a folder this user may "
            "write"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_out_is_a_clear_message(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert run.main(["--out", str(out), str(SEED)]) == 1
    finally:
        out.chmod(0o755)
    printed = capsys.readouterr()
    assert "cannot write in the output folder" in printed.err
    assert "Traceback" not in printed.err


def test_a_linked_combined_folder_is_replaced_inside_out_and_refused_outside(tmp_path):
    out = tmp_path / "out"
    ingest.write(ingest.read(SYNTHETIC), out)
    inside = out / "elsewhere"
    inside.mkdir()
    combine.combined_dir(out).symlink_to(inside, target_is_directory=True)
    combine.write(out)
    assert combine.combined_dir(out).is_dir() and not combine.combined_dir(out).is_symlink()
    assert not list((out / "data" / "processed").glob(".*"))   # no .all.old left
    shutil.rmtree(combine.combined_dir(out))
    outside = tmp_path / "outside"
    outside.mkdir()
    combine.combined_dir(out).symlink_to(outside, target_is_directory=True)
    with pytest.raises(ReportError, match="outside OUT"):
        run.prepare(SYNTHETIC, out, run.LANGS, None)


def test_stamps_that_cannot_be_written_are_a_clear_message(tmp_path, capsys):
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    assert run.main(["--out", str(tmp_path / "out"), "--stamps", str(afile / "stamps"),
                     str(SEED)]) == 1
    printed = capsys.readouterr()
    assert "make's stamp cannot be written there" in printed.err
    assert "Traceback" not in printed.err
    assert not (tmp_path / "out").exists()


def test_a_raw_link_to_a_device_is_refused_by_name(tmp_path, monkeypatch):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    start = time.monotonic()
    with pytest.raises(ReportError, match="not a regular file") as error:
        ingest.read(link)
    assert time.monotonic() - start < 5 and error.value.path == str(link)
    monkeypatch.setattr(paths, "RAW", tmp_path)   # found, so that it is refused by name
    assert paths.raw_reports() == [link]


def test_a_report_that_cannot_be_verified_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_LANG", raising=False)
    report = copy_report(SYNTHETIC, tmp_path)
    assert ingest.read(report).unverified == "it has no provenance sidecar " \
        "synthetic_bac-kan_2023.meta.json"
    ingest.sidecar_of(report).write_text('{"sha256": ""}', encoding="utf-8")
    assert "records no sha256" in ingest.read(report).unverified
    assert ingest.read(SEED).unverified == ""
    notes = []
    run.prepare(report, tmp_path / "out", run.LANGS, None, say=notes.append)
    assert notes == ["bac-kan_2023: the raw file was not verified against a sha256 (its "
                     "provenance sidecar synthetic_bac-kan_2023.meta.json records no sha256)"]


def test_many_jobs_on_an_up_to_date_out_start_no_kernel(built, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)

    def no_kernel(*arguments):
        raise AssertionError("a kernel was started")
    monkeypatch.setattr(run.kernels, "start_kernel", no_kernel)
    outcomes = run.build_reports([SEED, SYNTHETIC], out, jobs=40)
    assert [(o.failures, o.ran) for o in outcomes] == [([], []), ([], [])]


def test_a_workbook_with_a_styled_cell_at_excels_last_row_is_read_quickly_once(
        tmp_path, monkeypatch):
    import openpyxl
    from openpyxl.styles import PatternFill

    from helpers import workbook
    from test_workbook import filled_template
    path = filled_template(ingest.read(SYNTHETIC_OTHER_PROVINCE), tmp_path)
    plain = ingest.read(path)
    book = openpyxl.load_workbook(path)
    book[workbook.form_sheet(3)].cell(1_048_576, 2).fill = PatternFill("solid", fgColor="FF0000")
    book.save(path)
    loads = []
    original = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook",
                        lambda *a, **k: loads.append(k) or original(*a, **k))
    start = time.monotonic()
    read = ingest.read(path)
    assert time.monotonic() - start < 10
    assert len(loads) == 1                     # no formulas: the workbook is read once
    assert read.indicators.equals(plain.indicators)


@pytest.mark.slow
def test_nothing_is_touched_in_a_folder_linked_out_of_out(tmp_path, mini):
    report, out = copy_report(SYNTHETIC, tmp_path / "raw"), tmp_path / "out"
    run.build_reports([report], out, pipeline=INGEST_ONLY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".x.old").mkdir()                 # looks like a leftover, but not ours
    (elsewhere / ".y.1234.tmp").write_text("keep")
    shutil.rmtree(out / "figures", ignore_errors=True)
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    outcome = run.build_report(report, out, pipeline=INGEST_ONLY)
    assert "outside OUT" in outcome.failures[0]
    assert sorted(p.name for p in elsewhere.iterdir()) == [".x.old", ".y.1234.tmp"]
