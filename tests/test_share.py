"""Handing the pages on: `make share DEST=<folder>` copies what the links in OUT/reports show,
as plain files, and never writes in OUT or data/raw/.

Most tests use an OUT published by the runner's own publishing step with invented one-line
pages (no notebooks run); the last one shares the session's real build.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers import html, paths, run, share
from helpers.errors import ReportError
from helpers.run import publishing

REPORTS = ("bac-kan_2023", "cao-bang_2023")


def fake_pages(out: Path, report_id: str) -> None:
    """A published build of `report_id` whose pages say which page they are (invented)."""
    staging = publishing.stage(report_id, out, copy_current=False)
    for folder in run.pipeline.report_dirs(report_id, staging):
        folder.mkdir(parents=True)
    for lang in ("vi", "en"):
        for document in ("brief", "appendix"):
            path = run.html_path(report_id, lang, staging, document)
            path.write_text(f"<p>{report_id} {lang} {document}</p>", encoding="utf-8")
    publishing.publish(report_id, staging, out, {})


@pytest.fixture
def published(tmp_path) -> Path:
    out = tmp_path / "out"
    for report_id in REPORTS:
        fake_pages(out, report_id)
    html.write_index(out)
    return out


def tree(root: Path) -> dict[str, tuple]:
    """Every path under `root`: a link's target, a file's bytes and time, a folder's time."""
    found = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = ("folder", path.stat().st_mtime_ns)
            else:
                found[key] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return found


def test_the_pages_in_out_are_links_and_the_copies_are_plain_files(published, tmp_path):
    pages = paths.reports_dir(published)
    assert (pages / "bac-kan_2023_vi.html").is_symlink()          # what a plain copy would copy
    before = tree(published)
    dest = tmp_path / "for the leader"
    written = share.share(dest, published)
    names = sorted(p.name for p in dest.iterdir())
    assert names == sorted(p.name for p in written)
    assert names == sorted([f"{r}_{lang}{s}.html" for r in REPORTS for lang in ("vi", "en")
                            for s in ("", "_appendix")] + ["index.html", "index_en.html"])
    for path in dest.iterdir():
        assert path.is_file() and not path.is_symlink(), path.name
        assert path.read_bytes() == (pages / path.name).read_bytes(), path.name
    assert tree(published) == before                                # OUT untouched


def test_the_links_between_the_copied_pages_lead_to_copied_pages(published, tmp_path):
    dest = tmp_path / "dest"
    share.share(dest, published)
    index = (dest / "index_en.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#:]+\.html)"', index)
    assert "bac-kan_2023_en_appendix.html" in links and "index.html" in links
    assert [link for link in links if not (dest / link).is_file()] == []


def test_a_second_share_replaces_the_pages_and_leaves_other_files(published, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "notes.txt").write_text("the leader's own file", encoding="utf-8")
    (dest / "bac-kan_2023_vi.html").write_text("an older page", encoding="utf-8")
    share.share(dest, published)
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "the leader's own file"
    assert "bac-kan_2023 vi brief" in (dest / "bac-kan_2023_vi.html").read_text(
        encoding="utf-8")


def test_a_link_in_dest_is_replaced_by_name_and_what_it_points_to_is_kept(published, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("not to be overwritten", encoding="utf-8")
    (dest / "bac-kan_2023_vi.html").symlink_to(elsewhere)
    share.share(dest, published)
    assert not (dest / "bac-kan_2023_vi.html").is_symlink()
    assert elsewhere.read_text(encoding="utf-8") == "not to be overwritten"


@pytest.mark.parametrize("where", ["raw", "raw/sub", "out", "out/reports", "out/figures/x",
                                   "out/.build", "out/data/processed"])
def test_dest_in_data_raw_or_among_out_s_outputs_is_refused_and_nothing_is_written(
        published, tmp_path, monkeypatch, where):
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setattr(paths, "RAW", raw)
    dest = tmp_path / where
    before, raw_before = tree(published), tree(raw)
    with pytest.raises(ReportError) as info:
        share.share(dest, published)
    assert info.value.kind == "refused" and str(dest) in str(info.value)
    assert tree(published) == before and tree(raw) == raw_before


def test_the_project_s_data_raw_is_refused_whatever_out_is(published):
    with pytest.raises(ReportError, match="data/raw"):
        share.share(paths.RAW / "shared", published)
    assert not (paths.RAW / "shared").exists()


def test_a_dest_linked_into_out_is_refused(published, tmp_path):
    link = tmp_path / "looks elsewhere"
    link.symlink_to(paths.reports_dir(published))
    with pytest.raises(ReportError) as info:
        share.share(link, published)
    assert info.value.kind == "refused"


def test_nothing_built_or_a_link_to_a_build_that_is_gone_says_what_to_do(published, tmp_path):
    with pytest.raises(ReportError, match="run make report first"):
        share.share(tmp_path / "dest", tmp_path / "empty")
    link = paths.reports_dir(published) / "gone_2020_vi.html"
    link.symlink_to("../.build/reports/gone_2020/current/reports/gone_2020_vi.html")
    with pytest.raises(ReportError, match="gone_2020_vi.html"):
        share.share(tmp_path / "dest", published)
    assert not (tmp_path / "dest").exists()          # checked before the first copy


def test_the_command_line_says_what_it_copied_or_why_not(published, tmp_path, capsys):
    assert share.main(["--out", str(published), str(tmp_path / "dest")]) == 0
    assert "copied 10 pages (2 report(s) and the index pages)" in capsys.readouterr().out
    assert share.main(["--out", str(published), str(paths.reports_dir(published))]) == 1
    printed = capsys.readouterr()
    assert printed.err.startswith("error: not copying into") and "Traceback" not in printed.err


def make(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", *arguments],
                          cwd=paths.PROJ_ROOT, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "MAKEFLAGS"})


def test_make_share_copies_into_dest_and_needs_one(published, tmp_path):
    done = make("share", f"DEST={tmp_path / 'a b'}", f"OUT={published}")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a b" / "index.html").is_file()
    missing = make("share", f"OUT={published}")
    assert missing.returncode == 2 and "usage: make share DEST=<folder>" in missing.stderr
    listed = make("help").stdout
    assert "make share" in listed and "DEST=<folder>" in listed


@pytest.mark.slow
def test_the_session_s_build_is_shared_whole(built, tmp_path):
    dest = tmp_path / "dest"
    written = share.share(dest, built)
    pages = paths.reports_dir(built)
    assert len(written) == len([p for p in pages.glob("*.html")]) == 14
    for path in written:
        assert not path.is_symlink() and path.read_bytes() == (pages / path.name).read_bytes()
