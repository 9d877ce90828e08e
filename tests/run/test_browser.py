"""Every page of a real run, opened in headless Chromium as a reviewer would open it.

The session's shared ``forecast run`` (tests/conftest.py) and one browser session check
``index.html`` and every notebook page: every image loads (``naturalWidth > 0``), every local
link resolves to a file of the run (or an element of the page), nothing is logged to the
console as an error, no script error and no failed request (the pages load nothing from the
network). The notebook pages are reviewer views: no code, no modeller instructions, no printed
program output. Each page must fit a laptop screen (1366 px) without horizontal scrolling, and
no table may be wider than the column that holds it. A reviewer reads words, not program
names: no snake_case identifier (``df_resid``, ``china_p10``) and no raw ``True``/``False`` in
the text of any page, the index included; scenario names (the files of ``data/scenarios``) are
names and may appear. A full-page screenshot of each page is saved in the test's temporary
folder.

The browser is Debian's ``chromium`` (``apt-get install -y chromium``; ``.ci/run`` installs it),
driven by Playwright's Python package through its executable path: no browser download. The
test skips when either is missing, except under CI (``CI=true``), where it fails instead.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FORECAST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 768}
# Text that belongs to the modeller's notebook, not to the reviewer's page.
MODELLER_TEXT = ("Parameters. The next cell", "papermill --help-notebook", " rows -> ",
                 "Traceback (most recent call last)")

# Program identifiers: a word joining lower-case parts with underscores, outside file names
# and paths (``tables/model_comparison.csv`` names a file, which a reviewer may open).
IDENTIFIER = re.compile(r"(?<![\w./-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w/-]|\.\w)")
BOOLEAN = re.compile(r"\b(?:True|False)\b")
# Scenario names are names: written as their files name them, on every page.
SCENARIO_NAMES = frozenset(p.stem for p in (REPO / "data" / "scenarios").glob("*.yaml"))
# Each table's width beside the width of the column holding it (its output area, the index's
# scrolling box, or the page's main column).
_TABLES_JS = """Array.from(document.querySelectorAll('table')).map(t => {
    const box = t.closest('.jp-OutputArea-output, .scroll, main, body');
    return {width: Math.round(t.getBoundingClientRect().width), box: box.clientWidth,
            head: Array.from(t.querySelectorAll('th')).slice(0, 3).map(h => h.innerText)};})"""

# Every <img>, and every href of the page resolved against the page's address.
_IMAGES_JS = """Array.from(document.images).map(i => ({
    src: (i.getAttribute('src') || '').slice(0, 80), ok: i.complete && i.naturalWidth > 0}))"""
_LINKS_JS = """Array.from(document.querySelectorAll('[href]')).map(
    e => ({raw: e.getAttribute('href'), url: new URL(e.getAttribute('href'),
                                                      document.baseURI).href}))"""
# Code inputs, prompts, printed output and plain-text results (markdown cells keep their
# jp-InputArea: their rendered text is the "input").
_CODE_JS = """document.querySelectorAll(
    '.jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, .jp-CodeMirrorEditor,'
    + ' .cm-editor, .CodeMirror, [data-mime-type="application/vnd.jupyter.stdout"],'
    + ' [data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="text/plain"]'
    ).length"""


def _playwright_or_skip():
    """Playwright's sync API and the browser, or skip (fail under CI) naming what is missing."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "Playwright's Python package is not installed (pip install -e '.[dev]')"
    else:
        if not CHROMIUM.is_file():
            problem = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run under CI: {problem}")
        pytest.skip(problem)
    return sync_playwright


@pytest.fixture
def browser_run(request: pytest.FixtureRequest) -> Path:
    """The finished run to check: the session's shared run (``run_dir`` of tests/conftest.py).

    ``FORECAST_BROWSER_RUN=<run folder>`` checks that finished run instead of making one.
    """
    _playwright_or_skip()  # before the run: no run to make when the browser is missing
    given = os.environ.get("FORECAST_BROWSER_RUN")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("run_dir")


def _local_link_problem(page_path: Path, raw: str, url: str, ids: set[str]) -> str | None:
    """Why a link of a page does not resolve, or None (links off the machine are not local)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "mailto", "data"):
        return None
    if parts.scheme != "file":
        return f"link {raw!r}: unexpected scheme {parts.scheme!r}"
    target = Path(unquote(parts.path))
    if target == page_path and parts.fragment:
        # As a browser looks it up: the fragment as written, then percent-decoded.
        found = parts.fragment in ids or unquote(parts.fragment) in ids
        return None if found else f"link {raw!r}: no element with id {parts.fragment!r}"
    return None if target.exists() else f"link {raw!r}: {target} does not exist"


def _check_page(page, path: Path, shots: Path, events: list[str]) -> list[str]:
    """Open one page; the list of what is wrong with it."""
    events.clear()
    page.goto(path.as_uri(), wait_until="load")
    problems = [f"browser: {event}" for event in events]
    problems += [f"image {img['src']!r} did not load"
                 for img in page.evaluate(_IMAGES_JS) if not img["ok"]]
    ids = set(page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    for link in page.evaluate(_LINKS_JS):
        problem = _local_link_problem(path, link["raw"], link["url"], ids)
        if problem:
            problems.append(problem)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > LAPTOP["width"]:
        problems.append(f"page is {width} px wide: scrolls horizontally at {LAPTOP['width']} px")
    page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=True)
    problems += [f"table {t['head']} is {t['width']} px wide in a {t['box']} px column"
                 for t in page.evaluate(_TABLES_JS) if t["width"] > t["box"] + 1]
    text = page.inner_text("body")
    names = sorted({n for n in IDENTIFIER.findall(text) if n not in SCENARIO_NAMES})
    if names:
        problems.append(f"shows {len(names)} program identifiers: {', '.join(names[:20])}")
    if BOOLEAN.search(text):
        problems.append(f"shows raw booleans ({len(BOOLEAN.findall(text))}x True/False)")
    if path.name != "index.html":
        if page.evaluate(_CODE_JS):
            problems.append("shows code, prompts or printed output")
        problems += [f"shows modeller text {snippet!r}" for snippet in MODELLER_TEXT
                     if snippet in text]
    return [f"{path.name}: {problem}" for problem in problems]


def _assert_index_links_everything(run_dir: Path) -> None:
    """Nothing of the run is left unlinked: every notebook page, table and figure."""
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    expected = [p.name for p in run_dir.glob("*.html") if p.name != "index.html"]
    expected += [f"tables/{p.name}" for p in (run_dir / "tables").glob("*.csv")]
    expected += [f"figures/{p.name}" for p in (run_dir / "figures").glob("*.png")]
    assert [name for name in expected if f'href="{name}"' not in index] == []
    assert all(f'src="figures/{p.name}"' in index for p in (run_dir / "figures").glob("*.png"))


# One test, so that pytest-xdist does not make a second run for a second test on another worker.
def test_every_page_of_a_run_in_chromium(browser_run: Path, tmp_path: Path) -> None:
    run_dir = browser_run
    sync_playwright = _playwright_or_skip()
    notebooks = sorted(run_dir.glob("*.ipynb"))
    pages = [run_dir / "index.html", *(nb.with_suffix(".html") for nb in notebooks)]
    assert notebooks and all(p.is_file() for p in pages), pages
    _assert_index_links_everything(run_dir)
    shots = tmp_path / "screenshots"
    shots.mkdir()

    t0 = time.perf_counter()
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=LAPTOP)
            events: list[str] = []
            page.on("console", lambda msg: events.append(f"console {msg.type}: {msg.text}")
                    if msg.type in ("error", "assert") else None)
            page.on("pageerror", lambda exc: events.append(f"script error: {exc}"))
            page.on("requestfailed", lambda req: events.append(
                f"request failed: {req.url[:100]} ({req.failure})"))
            for path in pages:
                problems += _check_page(page, path, shots, events)
        finally:
            browser.close()
    elapsed = time.perf_counter() - t0

    assert not problems, "\n".join(problems)
    assert sorted(p.name for p in shots.iterdir()) == sorted(f"{p.stem}.png" for p in pages)
    print(f"checked {len(pages)} pages in Chromium in {elapsed:.1f} s; screenshots in {shots}")

