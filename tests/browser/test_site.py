"""The built book in headless Chromium: every page's links, images, math, cell tags and launch buttons.

Run by ``make browser`` (after ``make build-book``): serves ``_build/html`` on 127.0.0.1, drives
Debian's Chromium with Playwright, answers MathJax's CDN requests from a local copy
(``MATHJAX_DIR``) and blocks every other outside request. Saves one screenshot per part of
``_toc.yml`` to ``_build/screenshots/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
MATHJAX_CDN = re.compile(r"^https://cdn\.jsdelivr\.net/npm/mathjax@3/es5/(.+)$")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _parts() -> list[tuple[str, list[str]]]:
    """``(caption, [doc, ...])`` per part of the table of contents."""
    return [(part["caption"], [c["file"] for c in part["chapters"]]) for part in TOC["parts"]]


PAGES = [TOC["root"]] + [doc for _, docs in _parts() for doc in docs]


def _source(doc: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{doc}{suffix}").is_file():
            return ROOT / f"{doc}{suffix}"
    raise FileNotFoundError(f"no source for {doc}")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


_IDS: dict[Path, set[str]] = {}


def _ids(path: Path) -> set[str]:
    if path not in _IDS:
        parser = _Ids()
        parser.feed(path.read_text(encoding="utf-8"))
        _IDS[path] = parser.ids
    return _IDS[path]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} has no index.html: run `make build-book` first")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(HTML)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url, timeout=1).close()
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the HTTP server on {url} did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        pytest.fail(f"Chromium not found at {chromium}: run `make browser` (it installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def mathjax() -> Path:
    folder = Path(os.environ.get("MATHJAX_DIR", ""))
    if not (folder / "tex-mml-chtml.js").is_file():
        pytest.fail(f"MathJax 3 not found in MATHJAX_DIR={folder!s}: run `make browser` (it fetches it)")
    return folder


@pytest.fixture(scope="module")
def context(browser, base_url, mathjax):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def route(route):
        url = route.request.url
        cdn = MATHJAX_CDN.match(url.split("?")[0])
        if url.startswith(base_url):
            route.continue_()
        elif cdn and (mathjax / cdn.group(1)).is_file():
            route.fulfill(path=str(mathjax / cdn.group(1)))
        else:  # fonts, thebe, binder...: outside requests are refused, never waited on
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    context.blocked = blocked
    yield context
    context.close()


def _open(context, base_url: str, doc: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # sphinx-thebe declares THEBE_JS_URL in two script tags (a theme bug, harmless to readers)
    response = page.goto(urljoin(base_url, f"{doc}.html"), wait_until="load")
    assert response is not None and response.ok, f"{doc}.html: HTTP {response and response.status}"
    return page, errors


def _check_links(page, doc: str) -> None:
    here = urlsplit(page.url)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    broken = []
    for href in hrefs:
        if href in ("#", "") or href.startswith(("mailto:", "javascript:")):
            continue
        target = urlsplit(urljoin(page.url, href))
        if target.netloc != here.netloc:
            continue  # outside links are checked by their own rules (launch buttons below)
        path = HTML / unquote(target.path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            broken.append(f"{href} (no file {path.relative_to(HTML)})")
        elif target.fragment and path.suffix == ".html" and unquote(target.fragment) not in _ids(path):
            broken.append(f"{href} (no anchor #{target.fragment})")
    assert not broken, f"{doc}: broken links: {broken}"


def _check_images(page, doc: str) -> None:
    page.evaluate(
        "() => Promise.all([...document.images].map(i => { i.loading = 'eager'; "
        "return i.complete ? null : new Promise(r => { i.onload = i.onerror = r; setTimeout(r, 5000); }); }))"
    )
    images = page.evaluate(
        """() => [...document.querySelectorAll('article img, main img')].map(i => {
            const r = i.getBoundingClientRect(), s = getComputedStyle(i);
            return {src: (i.getAttribute('src') || i.id || '').slice(0, 80), width: i.naturalWidth,
                    shown: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none',
                    folded: !!i.closest('details:not([open])'), dropdown: !!i.closest('.dropdown-menu')};
        })"""
    )
    broken = [i["src"] for i in images if not i["width"]]
    hidden = [i["src"] for i in images if not (i["shown"] or i["folded"] or i["dropdown"])]
    assert not broken, f"{doc}: images that did not load: {broken}"
    assert not hidden, f"{doc}: images that are not visible: {hidden}"


def _check_math(page, doc: str) -> None:
    math = page.locator(".math").count()
    if not math:
        return
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000
    )
    page.evaluate("() => MathJax.startup.promise")
    rendered = page.locator("mjx-container").count()
    assert rendered >= math, f"{doc}: {math} formulas, {rendered} rendered by MathJax"
    assert page.locator("mjx-merror").count() == 0, f"{doc}: MathJax reported a TeX error"


def _check_xrefs(page, doc: str) -> None:
    unresolved = page.eval_on_selector_all(
        "article span.xref.std, article code.xref.std, article .xref.cite",
        "els => els.filter(e => !e.closest('a')).map(e => e.textContent)",
    )
    assert not unresolved, f"{doc}: unresolved cross-references: {unresolved}"
    text = page.eval_on_selector_all("article p, article li", "els => els.map(e => e.innerText).join('\\n')")
    assert "??" not in text, f"{doc}: an unresolved reference ('??') in the text"


def _check_cells(page, doc: str) -> None:
    source = _source(doc)
    if source.suffix != ".ipynb":
        return
    cells = [c for c in json.loads(source.read_text())["cells"] if c["cell_type"] == "code"]
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in cells]
    removed = [c for c, t in zip(cells, tags, strict=True) if "remove-cell" in t]
    hidden = sum("hide-input" in t for t in tags)
    shown = sum(not t & {"remove-cell", "remove-input", "hide-input", "hide-cell"} for t in tags)
    assert page.locator(".cell.tag_remove-cell").count() == 0, f"{doc}: a remove-cell cell is in the page"
    html = page.content()
    # A removed cell may repeat a line that a shown cell prints (e.g. gancore source shown with
    # inspect.getsource): only lines found nowhere else in the notebook count as leaked.
    shown_text = "\n".join(
        "".join(c["source"]) + "".join("".join(o.get("text", "")) for o in c.get("outputs", []))
        for c, t in zip(cells, tags, strict=True)
        if "remove-cell" not in t
    )
    for cell in removed:
        lines = [line.strip() for line in "".join(cell["source"]).splitlines() if len(line.strip()) > 25]
        leaked = [line for line in lines if line in html and "import" not in line and line not in shown_text]
        assert not leaked, f"{doc}: the removed cell's code is in the page: {leaked[:2]}"
    toggles = page.locator(".cell.tag_hide-input details:not([open])")
    assert toggles.count() == hidden, f"{doc}: {hidden} hide-input cells, {toggles.count()} collapsed toggles"
    visible_inputs = page.locator(".cell:not(.tag_hide-input) > .cell_input:visible").count()
    assert visible_inputs == shown, f"{doc}: {shown} code cells to show, {visible_inputs} shown"


def _check_launch_buttons(page, doc: str) -> None:
    if _source(doc).suffix != ".ipynb":
        return
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch, slug = CONFIG["repository"].get("branch", "main"), repo.split("github.com/")[1]
    launch = CONFIG["launch_buttons"]
    notebook = f"{doc}.ipynb"
    hrefs = set(page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"))
    expected = {
        f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{slug}/{branch}?urlpath=tree/{notebook}",
        f"{launch['colab_url'].rstrip('/')}/github/{slug}/blob/{branch}/{notebook}",
        repo,
    }
    assert expected <= hrefs, f"{doc}: launch/repository buttons missing: {sorted(expected - hrefs)}"


@pytest.mark.parametrize("doc", PAGES)
def test_page(context, base_url, doc):
    page, errors = _open(context, base_url, doc)
    try:
        _check_math(page, doc)  # first: the page is then fully laid out
        _check_links(page, doc)
        _check_images(page, doc)
        _check_xrefs(page, doc)
        _check_cells(page, doc)
        _check_launch_buttons(page, doc)
        errors = [e for e in errors if "THEBE_JS_URL" not in e]
        assert not errors, f"{doc}: JavaScript errors: {errors}"
    finally:
        page.close()


def test_screenshot_per_part(context, base_url):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    names = []
    for _, docs in _parts():
        page, _ = _open(context, base_url, docs[0])
        try:
            if page.locator(".math").count():
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise")
            name = f"{Path(docs[0]).parent.name}.png"
            page.screenshot(path=str(SHOTS / name))
            names.append(name)
        finally:
            page.close()
    assert sorted(p.name for p in SHOTS.glob("*.png")) == sorted(names) and len(names) == len(_parts())
    print(f"\nScreenshots ({len(names)} parts): {SHOTS}")
