"""The leadership HTML in a real browser: Debian's headless Chromium, driven by Playwright.

Each page is opened from disk on a desktop and a phone-sized window, once per run, and its
first screen screenshotted (into the run's temporary folder, visits/); the test fails on a
console error, a script error, a request to anything but the file itself (data: URIs are
fine), a page wider than a phone's screen, or an accessibility violation that axe-core
(from node_modules/, see package.json) rates serious or critical. A copied report with a
hostile row label shows the label as text and runs nothing.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

import fixture_build
from helpers import figures, html, ingest, paths, run
from helpers.pages import page as page_data

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = paths.PROJ_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
REPORTS = ("thai-nguyen_2022", "bac-kan_2023", "lang-son_2023")
PAGES = [f"{r}_{lang}{suffix}.html" for r in REPORTS for lang in ("vi", "en")
         for suffix in ("", "_appendix")] + ["index.html", "index_en.html"]
BRIEFS = [f"{r}_{lang}.html" for r in REPORTS for lang in ("vi", "en")]
WORD_LIMITS = {"en": 1300, "vi": 1800}     # visible words of a brief
NARROW_DPI = 150
HOSTILE = "<script>alert(1)</script>"
SEED = paths.RAW / "thai-nguyen_2022_bc-301-ubnd.txt"


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make system-deps`"
    assert AXE.exists(), "axe-core is missing: run `make system-deps` (npm ci)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def visits(tmp_path_factory) -> Path:
    """Where the workers of a run (pytest -n) share what they saw on the session's build's
    pages, and the screenshots."""
    folder = fixture_build.shared_root(tmp_path_factory) / "visits"
    folder.mkdir(exist_ok=True)
    return folder


WAIT_FOR_A_VISIT = 300      # seconds: another worker opening the page on a busy machine


def visited(browser, path: Path, viewport: str, visits: Path) -> dict:
    """What `visit` saw on a page of the session's build (which no test changes): opened
    once per run by the first worker that asks; the others read what it saw."""
    name = f"{path.stem}_{viewport}"
    seen_file = visits / f"{name}.json"
    try:
        os.close(os.open(visits / f"{name}.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return _seen_by_another_worker(seen_file)
    try:
        seen = visit(browser, path, viewport, visits)
    except BaseException as exc:
        _write_seen(seen_file, {"failed": f"{type(exc).__name__}: {exc}"})
        raise
    _write_seen(seen_file, seen)
    return seen


def _write_seen(seen_file: Path, seen: dict) -> None:
    partial = seen_file.with_suffix(".tmp")
    partial.write_text(json.dumps(seen, default=str), encoding="utf-8")
    os.replace(partial, seen_file)


def _seen_by_another_worker(seen_file: Path) -> dict:
    deadline = time.monotonic() + WAIT_FOR_A_VISIT
    while not seen_file.exists():
        assert time.monotonic() < deadline, f"no visit of {seen_file.stem} came"
        time.sleep(0.1)
    seen = json.loads(seen_file.read_text(encoding="utf-8"))
    assert "failed" not in seen, f"the visit of {seen_file.stem}: {seen.get('failed')}"
    seen["screenshot"] = Path(seen["screenshot"])
    return seen


def visit(browser, path: Path, viewport: str, shots: Path) -> dict:
    """Open a page; what it logged, requested, what axe found, and the charts' images as
    shown."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    seen = {"console": [], "errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri(), wait_until="load")
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"{path.stem}_{viewport}.png"
    screenshot(page, shot)     # the first screen (a whole appendix: seconds each)
    seen["screenshot"] = shot
    seen["overflow"] = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    seen["text"] = page.inner_text("body")
    seen["charts"] = page.evaluate("""() => [...document.querySelectorAll('figure.chart img')]
        .filter(img => img.getBoundingClientRect().width > 0).map(
        img => ({shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
                 right: img.getBoundingClientRect().right}))""")
    seen["figures"] = page.evaluate("() => document.querySelectorAll('figure.chart').length")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    seen["violations"] = [(v["id"], v["impact"], v["help"], len(v["nodes"]))
                          for v in result["violations"]]
    context.close()
    return seen


def screenshot(page, shot: Path) -> None:
    """The page's first screen. Chromium at times refuses a capture outright ("Unable to
    capture screenshot") and takes the same picture when asked again: asked once more,
    and only for that."""
    from playwright.sync_api import Error
    try:
        page.screenshot(path=str(shot))
    except Error as exc:
        if "Unable to capture screenshot" not in str(exc):
            raise
        page.wait_for_timeout(250)
        page.screenshot(path=str(shot))


def foreign_requests(seen: dict, path: Path) -> list[str]:
    own = path.resolve().as_uri()
    return [url for url in seen["requests"] if url != own and not url.startswith("data:")]


def serious(seen: dict) -> list:
    return [v for v in seen["violations"] if v[1] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_page_opens_cleanly_offline_and_accessibly(built, browser, visits, name, viewport):
    path = paths.reports_dir(built) / name
    seen = visited(browser, path, viewport, visits)
    assert seen["screenshot"].stat().st_size > 10_000
    assert seen["console"] == [] and seen["errors"] == []
    assert foreign_requests(seen, path) == []
    assert serious(seen) == []
    assert seen["overflow"] <= 0, "the page is wider than the window"
    assert "Traceback" not in seen["text"] and "Warning" not in seen["text"]


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    """The seed copied with one more row in Biểu mẫu 7 whose label is a script tag,
    ingested and narrated (no audit; no chart drawn) into its own OUT."""
    out = tmp_path_factory.mktemp("hostile")
    copy = out / "hostile_report.txt"
    text = SEED.read_text(encoding="utf-8").rstrip("\n")
    copy.write_text(f"{text}\n6.6.\t{HOSTILE}\tHồ sơ\t5\t\n", encoding="utf-8")
    report_id = ingest.run(copy, out).report_id
    for theme in page_data.THEMES:
        figures.record_theme(report_id, theme, [], [], out)
    pages = []     # the appendix shows every form row, the hostile label among them
    documents = {"10_brief": "brief", "11_appendix": "appendix"}
    notebooks = [paths.NOTEBOOKS / f"{notebook}.ipynb" for notebook in documents]
    # one warm kernel for the four runs, as the runner does
    kernels = run.KernelPool(1, 4, per_kernel=4,
                             warm_up=run.kernels.imported_modules(notebooks))
    try:
        for lang in ("vi", "en"):
            for notebook, document in documents.items():
                executed = paths.executed_notebooks_dir(report_id, out) / \
                    f"{notebook}_{lang}.ipynb"
                kernel = kernels.take(expected=True)
                run.run_notebook(kernel, paths.NOTEBOOKS / f"{notebook}.ipynb", executed,
                                 {"report_id": report_id, "out": str(out), "lang": lang})
                kernels.give_back(kernel, reusable=True)
                target = paths.reports_dir(out) / page_data.document_name(report_id,
                                                                          document, lang)
                pages.append(html.export(executed, target))
    finally:
        kernels.close()
    return pages


@pytest.mark.slow       # its fixture runs the brief and appendix notebooks
def test_hostile_label_is_shown_as_text_and_runs_nothing(browser, hostile_page, tmp_path):
    for path in hostile_page:
        markup = path.read_text(encoding="utf-8")
        assert "<script" not in markup
        seen = visit(browser, path, "desktop", tmp_path)
        assert seen["dialogs"] == [] and seen["errors"] == []
        assert serious(seen) == []
        if path.name.endswith("_appendix.html"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
            assert HOSTILE in seen["text"]



# --- the brief on paper and on a phone -------------------------------------------------------

def a4_pages(browser, path: Path) -> tuple[int, dict]:
    """The brief printed to A4 by the browser: its number of pages, and where the lead and
    the key figures end (in CSS pixels from the top, in print layout)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    pdf = page.pdf(format="A4", print_background=False)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})   # A4 less 2 x 14 mm margins
    bottoms = page.evaluate("""() => Object.fromEntries(['.lead', '#key-figures'].map(
        s => [s, document.querySelector(s).getBoundingClientRect().bottom + window.scrollY]))""")
    context.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)), bottoms


@pytest.mark.parametrize("name", BRIEFS)
def test_the_brief_prints_on_at_most_four_a4_pages_with_lead_and_cards_on_page_one(
        built, browser, name):
    count, bottoms = a4_pages(browser, paths.reports_dir(built) / name)
    assert count <= 4, f"{name}: {count} pages"
    # A4 is 297 mm; less the 13 mm margins top and bottom, one page is 271 mm of print layout
    page_height = 271 / 25.4 * 96
    assert bottoms["#key-figures"] <= page_height, bottoms


@pytest.mark.parametrize("name", BRIEFS)
def test_the_brief_stays_within_its_word_limit(built, browser, visits, name):
    lang = "en" if name.endswith("_en.html") else "vi"
    seen = visited(browser, paths.reports_dir(built) / name, "desktop", visits)
    words = re.findall(r"\w+", seen["text"])
    assert len(words) <= WORD_LIMITS[lang], f"{name}: {len(words)} words"


@pytest.mark.parametrize("name", PAGES[:-2])
def test_on_a_phone_no_chart_scrolls_sideways_and_chart_text_stays_readable(built, browser,
                                                                          visits, name):
    seen = visited(browser, paths.reports_dir(built) / name, "phone", visits)
    charts, width = seen["charts"], VIEWPORTS["phone"]["width"]
    assert len(charts) == seen["figures"]   # one image shown per chart: its narrow variant
    for chart in charts:
        assert chart["right"] <= width, chart
        # the narrow variant is 4 in at 150 dpi: its 9 pt labels stay >= 11 CSS px
        assert chart["natural"] <= 4.05 * NARROW_DPI, chart
        assert 9 / 72 * NARROW_DPI * chart["shown"] / chart["natural"] >= 11, chart


@pytest.mark.parametrize("name", PAGES)
def test_every_link_between_pages_leads_to_a_page(built, browser, name):
    folder = paths.reports_dir(built)
    markup = (folder / name).read_text(encoding="utf-8")
    local = [href for href in re.findall(r'href="([^"#:]+\.html)"', markup)]
    assert local, name
    assert [href for href in local if not (folder / href).exists()] == []
