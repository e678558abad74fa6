"""The website, as a reader's browser sees it.

Builds the book strictly (warnings are errors, a failing cell fails the build), serves `_build/html` on
127.0.0.1, and opens every page in headless Chromium (Debian's package, driven by Playwright for Python).
Every request that would leave 127.0.0.1 is aborted and counted. For each page: math typeset, no console errors,
no failed or third-party requests, and no serious or critical accessibility violation on the page, the theme's
header, sidebars and buttons included (axe-core, pinned in package.json and injected from node_modules). On a chapter page every explorer is live: a
slider moved with the keyboard redraws the figure with the numbers Python computes for the new value, every
guided-observation button (mouse and keyboard) sets every slider and draws Python's numbers for its setting, with
JavaScript off no explorer control shows, and at phone width (390 px) its sliders, readouts and figure fit.
tests/observation_button_mutants.py proves the button checks reject broken front ends. Screenshots land in `_build/screenshots/`.

Run in CI (CI=true) these tests must run: a missing browser is an error there, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import json
import re

import numpy as np
import pytest

from lstm_book.teaching.explorers import cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer
from lstm_book.teaching.explorers import backward_explorer, gradient_flow_explorer
from lstm_book.teaching.figures import plain_label
from test_guided_observations import button_name, chapter_buttons_and_drawn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from look_at_site import LAYOUT_JS  # noqa: E402  (what a reader would trip over, measured in the page)

ROOT = Path(__file__).resolve().parents[1]

SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")

# page -> does it show an explorer?
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = {"book/intro.html": False, "book/glossary.html": False, "book/references.html": False}
WITHOUT_EXPLORER = {"10_training", "11_what_each_gate_is_worth",  # Part III trains networks: figures, no explorer
                    "12_charlm",  # chapter 12: figures, samples and the live text view (tests/test_text_view.py)
                    "13_what_the_units_learned",  # chapter 13: its units and gates read, figures, the text view again
                    "14_how_far_back"}  # chapter 14: gradients measured on the trained networks, figures only
PAGES.update({f"notebooks/{name}.html": name not in WITHOUT_EXPLORER for name in NOTEBOOKS})
MATH_PAGES = {"book/intro.html", "book/glossary.html", *(f"notebooks/{name}.html" for name in NOTEBOOKS)}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# every explorer of the chapters, by the title the page shows
EXPLORERS = {e.title: e for e in [full_cell_explorer(), hidden_state_explorer(), cell_state_explorer(),
                                  *(gate_explorer(g) for g in "ojfi"), backward_explorer(), gradient_flow_explorer()]}
# the chapters whose explorer carries guided observations (as buttons)
GUIDED = [name for name in NOTEBOOKS if name not in WITHOUT_EXPLORER]


def _require_browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no chromium on PATH: .ci/run must install Debian's chromium package")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs these tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements.txt")


@pytest.fixture(scope="session")
def browser(chromium):
    _require_browser()
    return chromium


def _tiny_book(tmp_path, toc: str) -> Path:
    for name in ("_config.yml", "book", "lstm_book"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    (tmp_path / "_toc.yml").write_text(toc)
    return tmp_path


def _build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([JUPYTER_BOOK, "build", str(book), "-W", "-n", "--keep-going"],
                          cwd=book, capture_output=True, text=True, timeout=600)


def test_strict_build_fails_on_a_warning(tmp_path):
    """The build command really is strict: a broken cross-reference makes it exit non-zero."""
    book = _tiny_book(tmp_path, "format: jb-book\nroot: book/intro\n")
    (book / "book" / "intro.md").write_text("# Intro\n\nA link to {ref}`no-such-label`.\n")
    result = _build(book)
    assert result.returncode != 0, "a broken reference did not fail the strict build"
    assert "no-such-label" in result.stdout + result.stderr


def test_strict_build_fails_on_a_failing_cell(tmp_path):
    """execute.raise_on_error: a notebook cell that raises makes the build exit non-zero."""
    import nbformat

    book = _tiny_book(tmp_path, "format: jb-book\nroot: book/intro\nchapters:\n  - file: broken\n")
    (book / "book" / "intro.md").write_text("# Intro\n\nNothing to see.\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell("1 / 0")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "broken.ipynb")
    result = _build(book)
    assert result.returncode != 0, "a cell that raises did not fail the build"
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_assets_fall_back_to_the_cdns_without_npm(tmp_path):
    """Without node_modules the extension leaves Sphinx's and MyST-NB's default (CDN) addresses alone."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import offline_assets
    finally:
        sys.path.pop(0)

    class Config:
        html_static_path = []
        mathjax_path = "https://cdn.example/mathjax.js"
        nb_ipywidgets_js = {"https://cdn.example/require.js": {}}

    class App:
        confdir = str(tmp_path)
        doctreedir = str(tmp_path / "_build" / ".doctrees")

    config = Config()
    offline_assets.configure(App(), config)
    assert config.mathjax_path == "https://cdn.example/mathjax.js"
    assert list(config.nb_ipywidgets_js) == ["https://cdn.example/require.js"]
    assert not (tmp_path / "_build" / "vendor_static" / "vendor" / "mathjax").exists()
    assert not offline_assets.available(tmp_path / "node_modules")
    if (ROOT / "node_modules" / "mathjax").is_dir():  # and with them, everything points at the local copies
        App.confdir = str(ROOT)
        offline_assets.configure(App(), config)
        assert config.mathjax_path == "vendor/mathjax/tex-chtml.js"
        assert all("://" not in path for path in config.nb_ipywidgets_js)
        staged = tmp_path / "_build" / "vendor_static" / "vendor"
        assert (staged / "mathjax" / "tex-chtml.js").is_file() and (staged / "html-manager" / "embed-amd.js").is_file()
        # the explorers' front end is the book's own code: always served, npm or not
        assert all((staged / "lstm-explorer" / name).is_file() for name in offline_assets.EXPLORER_FILES)
        assert ("html", "text/html", 5) in config.nb_mime_priority_overrides


def _watch(context, tab, server):
    """Lists that fill with console errors, failed requests and requests that would leave the site."""
    console_errors, failed, outside = [], [], []
    host = urlparse(server).netloc

    def route(r):
        if urlparse(r.request.url).netloc != host and not r.request.url.startswith("data:"):
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    tab.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    return console_errors, failed, outside


def _axe(tab) -> list[str]:
    """Serious and critical axe-core violations on the whole page: the book's content and the theme's header,
    sidebars and buttons (book/_templates/ holds the book's fixes of two theme buttons)."""
    tab.add_script_tag(path=str(AXE))  # inlined into the page: no request
    result = tab.evaluate("""async () => {
        const r = await axe.run(document,
                                {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.nodes.length + " x " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
    }""")
    return result


def _check_explorer(tab, index: int, shot: Path):
    """Move one slider of the index-th explorer with the keyboard; the drawn data must be Python's."""
    root = tab.locator("[data-lstm-explorer]").nth(index)
    spec = json.loads(root.locator("script.lstm-explorer-spec").text_content())
    if spec["mirror"] is None:  # runs the reader's own function: live in Jupyter only, a static figure here
        image = root.locator(".lstm-explorer-static img")
        assert image.is_visible() and len(image.get_attribute("alt")) > 80
        assert root.locator(".lstm-explorer-live").count() == 0
        return []
    root.locator(".lstm-explorer-live").wait_for(timeout=30_000)
    assert root.locator(".lstm-explorer-static").is_hidden(), "the static figure is replaced by the live one"
    view = lambda expr: root.evaluate(f"(el) => {{ const v = el.lstmExplorer; return {expr}; }}")
    title = view("v.spec.title")
    explorer = EXPLORERS[title]
    before = view("v.drawn")
    # the bias: the last slider of a gate's explorer (or b_f of the whole cell's); up, or down if at the top
    name = "b_f" if "b_f" in explorer.defaults() else explorer.sliders[-1].name
    slider = next(s for s in explorer.sliders if s.name == name)
    key = "ArrowRight" if slider.default + 0.3 <= slider.high else "ArrowLeft"
    handle = root.locator(f'input[type=range][name="{name}"]')
    handle.focus()
    for _ in range(3):
        tab.keyboard.press(key)
    values, drawn = view("v.values"), view("v.drawn")
    assert abs(values[name] - slider.default) > 0.25, f"{title}: the keyboard did not move {name}: {values}"
    assert root.locator(f"output[for='{handle.get_attribute('id')}']").inner_text().replace("\u2212", "-") == f"{values[name]:.1f}"
    expected = explorer.data(**values)
    for series, got in drawn.items():
        assert np.allclose(got, expected[series], rtol=0, atol=1e-9), f"{title}: {series} drawn differs from Python's"
    assert any(not np.allclose(drawn[k], before[k]) for k in drawn), f"{title}: moving {name} changed nothing"
    polylines = root.locator("svg polyline[data-series]")
    assert polylines.count() == sum(len(p.series) for p in explorer.panels)
    label = root.locator("svg[role=img]").evaluate(
        "(svg) => svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent).join(' ')")
    assert len(label) > 80 and all(plain_label(n) in label for p in explorer.panels for n in p.series), \
        f"the figure's text alternative names every quantity drawn: {label!r}"
    root.screenshot(path=str(shot))
    return view("v.timings")


def _dirty(root, explorer) -> dict:
    """Every slider away from its default (to its low end, or its high end where the default is the low end), as
    a hand would leave them; the values."""
    values = {s.name: s.low if s.default != s.low else s.high for s in explorer.sliders}
    root.evaluate("(el, values) => el.lstmExplorer.setValues(values)", values)
    return values


def _check_observation_buttons(tab, index: int, chapter: str) -> int:
    """Press every guided-observation button of the index-th explorer, with the mouse and with the keyboard,
    each time from sliders left elsewhere: every slider must show the setting (the ones it does not name at their
    defaults) and the drawn data must be Python's for it. Returns the number of buttons."""
    root = tab.locator("[data-lstm-explorer]").nth(index)
    root.locator(".lstm-explorer-live").wait_for(timeout=30_000)
    view = lambda expr: root.evaluate(f"(el) => {{ const v = el.lstmExplorer; return {expr}; }}")
    python, _ = chapter_buttons_and_drawn(chapter)  # the explorer and settings as the chapter's notebook makes them
    assert view("v.spec.title") == python.title
    settings = [(label, python.values(**changes)) for label, changes in python.guided]
    buttons = root.locator(".lstm-explorer-observations button")
    assert buttons.count() == len(settings) > 0, f"{chapter}: {buttons.count()} buttons for {len(settings)} settings"
    for k, (label, values) in enumerate(settings):
        button = root.get_by_role("button", name=button_name(label), exact=True)
        assert button.count() == 1, f"{chapter}: no button named {label!r}"
        for how in ("click", "Enter" if k % 2 == 0 else "Space"):
            dirty = _dirty(root, python)
            assert button.get_attribute("aria-pressed") == ("true" if dirty == values else "false"), \
                f"{chapter}, {label!r}: marked as shown while the sliders are elsewhere"
            if how == "click":
                button.click()
            else:
                button.focus()
                tab.keyboard.press(how)
            shown = root.evaluate("""(el) => Object.fromEntries(Array.from(el.querySelectorAll(
                ".lstm-explorer-live input[type=range]")).map(i => [i.name, [parseFloat(i.value),
                el.querySelector("output[for='" + i.id + "']").textContent.replace("\u2212", "-")]]))""")
            for name, value in values.items():
                slider = next(s for s in python.sliders if s.name == name)
                decimals = max(0, -int(np.floor(np.log10(slider.step) + 1e-9)))
                assert abs(shown[name][0] - value) < 1e-9 and shown[name][1] == f"{value:.{decimals}f}", \
                    f"{chapter}, {label!r} by {how}: slider {name} shows {shown[name]}, expected {value}"
            assert view("v.values") == values, f"{chapter}, {label!r} by {how}"
            drawn, expected = view("v.drawn"), python.data(**values)
            for series, got in drawn.items():
                assert np.allclose(got, expected[series], rtol=0, atol=1e-9), \
                    f"{chapter}, {label!r} by {how}: {series} drawn differs from Python's"
            assert button.get_attribute("aria-pressed") == "true", f"{chapter}, {label!r}: not marked as shown"
    _dirty(root, python)
    root.get_by_role("button", name="Reset to defaults").click()
    assert view("v.values") == python.defaults()
    defaults = python.data()
    assert all(np.allclose(got, defaults[series], rtol=0, atol=1e-9) for series, got in view("v.drawn").items())
    return len(settings)


@pytest.mark.parametrize("chapter", GUIDED)
def test_observation_buttons_set_the_explorer(chapter, server, browser):
    """Each guided observation's button (mouse and keyboard) puts the live explorer into its setting, the figure
    recomputed as for a slider move; the page stays clean and accessible with the buttons pressed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    try:
        tab.goto(f"{server}/notebooks/{chapter}.html", wait_until="load", timeout=60_000)
        tab.wait_for_selector("mjx-container", timeout=30_000)
        assert tab.locator("[data-lstm-explorer]").count() >= 1  # the first is the chapter's (a later one may run the reader's code)
        _check_observation_buttons(tab, 0, chapter)
        violations = _axe(tab)
    finally:
        context.close()
    assert outside == [] and failed == [] and console_errors == [], (outside, failed, console_errors)
    assert violations == [], f"accessibility (axe-core, serious or critical): {violations}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_in_browser(page, server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    stem = page.replace("/", "__")
    try:
        tab.goto(f"{server}/{page}", wait_until="load", timeout=60_000)
        if page in MATH_PAGES:
            tab.wait_for_selector("mjx-container", timeout=30_000)
        # the figures (the cell diagram, the explorer's, each guided observation's, Part III's training curves):
        # every one loads and has a text alternative that says what it shows, not its file name
        figures = tab.locator("article img")
        assert all(figures.nth(k).evaluate("(img) => img.complete && img.naturalWidth > 100")
                   for k in range(figures.count())), "a figure did not load"
        alts = [figures.nth(k).get_attribute("alt") or "" for k in range(figures.count())]
        unsaid = [a for a in alts if len(a) < 40 or a.startswith("../_images") or a.endswith(".png")]
        assert not unsaid, f"figures without a text alternative that says what they show: {unsaid}"
        if page.startswith("notebooks/"):
            assert figures.count() >= 3, f"only {figures.count()} figures on the page"
        if PAGES[page]:
            count = tab.locator("[data-lstm-explorer]").count()
            assert count >= 1, "the chapter's explorer is missing"
            for k in range(count):
                _check_explorer(tab, k, SHOTS / f"{stem}.explorer{k}.png")
        tab.wait_for_timeout(300)
        tab.screenshot(path=str(SHOTS / f"{stem}.png"), full_page=False)
        layout = tab.evaluate(LAYOUT_JS, tab.locator("body").element_handle())
        violations = _axe(tab)
    finally:
        context.close()
    assert outside == [], f"requests that would leave 127.0.0.1: {outside}"
    assert failed == [], f"failed requests: {failed}"
    assert console_errors == [], f"console errors: {console_errors}"
    assert violations == [], f"accessibility (axe-core, serious or critical): {violations}"
    assert layout == [], f"what a reader would trip over at 1280 px: {layout}"


def test_the_layout_check_sees_what_a_reader_would_trip_over(browser):
    """LAYOUT_JS (used above at 1280 and 390 px) finds each problem it is for, on a page made to have them."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    try:
        tab.set_content("""<body style="margin:0"><div class="lstm-explorer-live" style="width:380px">
            <p style="width:60px;overflow:hidden;white-space:nowrap">a title cut off by its box</p>
            <input type="range" name="b_f" style="height:12px">
            <svg role="img" width="300" height="100" viewBox="0 0 300 100">
              <polyline points="0,50 300,50" data-series="c" stroke="red" fill="none"/>
              <text x="100" y="55">on the trace</text>
              <text x="10" y="20">one</text><text x="12" y="20">two</text>
              <text x="280" y="20">over the edge</text>
            </svg></div><div style="width:600px">wider than a phone</div>
            <div data-lstm-explorer><script type="application/json" class="lstm-explorer-spec">
              {"events": [{"legend": "distractions (to ignore)", "style": "dotted"}]}</script>
              <span class="lstm-explorer-key"><span class="lstm-explorer-swatch"></span>distractions (to ignore)</span>
              <span class="lstm-explorer-key" style="display:inline-flex;gap:8px">input <i>x</i><sub>t</sub></span>
            </div></body>""")
        found = " | ".join(tab.evaluate(LAYOUT_JS, tab.locator("body").element_handle()))
    finally:
        context.close()
    for problem in ('text over a trace: "on the trace" over c', 'texts over each other: "one" and "two"',
                    'text cut off by the drawing\'s edge: "over the edge"', 'text cut off by its box: P "a title',
                    'a control smaller than 24 px', 'wider than the screen (0..600 of 390): DIV',
                    'a subscript 8 px from its symbol: "input x', 'the key of "distractions (to ignore)" is not drawn'):
        assert problem in found, (problem, found)


def _phone(browser):
    """A browser context the size of a phone (390 px wide, touch)."""
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                               has_touch=True)


@pytest.mark.parametrize("page", sorted(p for p in PAGES if p.startswith("notebooks/")))
def test_explorers_fit_a_phone(page, server, browser):
    """At 390 px the page never scrolls sideways; the sliders, their readouts and the figure stay inside the screen,
    and in every guided observation's setting no text of a drawing lies over a trace, another text or its edge, and no
    text is cut off (LAYOUT_JS of tools/look_at_site.py, which also saves the screenshots to look at)."""
    context = _phone(browser)
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    try:
        tab.goto(f"{server}/{page}", wait_until="load", timeout=60_000)
        if PAGES[page]:
            tab.locator("[data-lstm-explorer] .lstm-explorer-live").first.wait_for(timeout=30_000)
        layout = tab.evaluate(LAYOUT_JS, tab.locator("body").element_handle())
        assert layout == [], f"{page}: what a reader would trip over at 390 px: {layout}"
        assert tab.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"), \
            f"{page}: the page scrolls sideways at 390 px"
        roots = tab.locator("[data-lstm-explorer] .lstm-explorer-live")
        for k in range(roots.count()):
            root = roots.nth(k)
            root.scroll_into_view_if_needed()
            boxes = root.evaluate("""(el) => Array.from(el.querySelectorAll(
                    "input[type=range], output, svg, .lstm-explorer-buttons button, .lstm-explorer-legend"))
                .map(n => { const b = n.getBoundingClientRect(); return [n.tagName, b.left, b.right, b.width]; })""")
            for tag, left, right, width in boxes:
                assert left >= -0.5 and right <= 390.5 and width > 0, f"{page}: a {tag} does not fit at 390 px: {left:.0f}..{right:.0f}"
            assert root.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), f"{page}: the explorer scrolls sideways"
            if k == 0:
                root.screenshot(path=str(SHOTS / (page.replace("/", "__") + ".phone.png")))
            buttons = root.locator(".lstm-explorer-observations button")
            for b in range(buttons.count()):
                buttons.nth(b).click()
                layout = root.evaluate(LAYOUT_JS)
                assert layout == [], f"{page}, after {buttons.nth(b).inner_text()!r}: {layout}"
    finally:
        context.close()
    assert outside == [] and failed == [] and console_errors == [], (outside, failed, console_errors)


def _no_dead_controls(tab, page):
    """With JavaScript off: no control that could only work with it (no slider or button of an explorer, no
    button to set one)."""
    dead = tab.locator("[data-lstm-explorer] button, [data-lstm-explorer] input, .lstm-explorer-observations")
    assert dead.count() == 0, f"{page}: {dead.count()} controls that need JavaScript show without it"
    setters = tab.get_by_role("button", name=re.compile("Set the explorer|Reset to defaults"))
    assert setters.count() == 0, f"{page}: {setters.count()} explorer buttons show without JavaScript"


def test_explorers_show_their_figure_without_javascript(server, browser):
    """With JavaScript off every explorer still shows its figure at the defaults, with a text alternative."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    tab = context.new_page()
    try:
        for page in (p for p, has in PAGES.items() if has):
            tab.goto(f"{server}/{page}", wait_until="load", timeout=60_000)
            images = tab.locator("[data-lstm-explorer] .lstm-explorer-static img")
            assert images.count() >= 1, page
            for k in range(images.count()):
                image = images.nth(k)
                image.scroll_into_view_if_needed()
                assert image.is_visible() and image.evaluate("(img) => img.complete && img.naturalWidth > 300"), page
                alt = image.get_attribute("alt") or ""
                assert len(alt) > 80 and "step" in alt, f"{page}: the figure's text alternative says too little: {alt!r}"
            assert tab.locator(".lstm-explorer-live").count() == 0
            _no_dead_controls(tab, page)
    finally:
        context.close()


def test_the_explorers_widget_models_are_dropped_from_a_page(tmp_path):
    """The page keeps other widgets (and their layouts) but not the explorers' anywidget models; a page left with
    none loads no widget manager."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import offline_assets
    finally:
        sys.path.pop(0)

    def page(models):
        state = {"version_major": 2, "version_minor": 0, "state": models}
        js_files = {"ipywidgets_state": (None, {"type": "application/vnd.jupyter.widget-state+json",
                                                "body": json.dumps(state)}),
                    "ipywidgets_0": ("vendor/require.js", {}), "ipywidgets_1": ("vendor/html-manager/embed-amd.js", {})}

        class Env:
            docname = "ch"
            nb_metadata = {"ch": {"js_files": js_files}}

        class App:
            env = Env()

        offline_assets.drop_explorer_widget_state(App(), None)
        return js_files

    layout = lambda: {"model_module": "@jupyter-widgets/base", "model_name": "LayoutModel", "state": {}}
    explorer = {"model_module": "anywidget", "model_name": "AnyModel", "state": {"layout": "IPY_MODEL_L1", "_esm": "..."}}
    bar = {"model_module": "@jupyter-widgets/controls", "model_name": "FloatProgressModel", "state": {"layout": "IPY_MODEL_L2"}}
    only_explorer = page({"E": explorer, "L1": layout()})
    assert only_explorer == {}, "no widget state and no widget manager on the page"
    mixed = page({"E": explorer, "L1": layout(), "P": bar, "L2": layout()})
    kept = json.loads(mixed["ipywidgets_state"][1]["body"])["state"]
    assert set(kept) == {"P", "L2"} and "ipywidgets_1" in mixed


# ---------------------------------------------------------------------------------------------------------------
# Chapter 10's training view (lstm_book.teaching.explorers.training; the front end trainer.js, mirror.js trains)

TRAINING_PAGE = "notebooks/10_training.html"


def _trainer(tab):
    root = tab.locator("[data-lstm-trainer]")
    root.locator(".lstm-trainer").wait_for(timeout=30_000)
    return root, (lambda expr: root.evaluate(f"(el) => {{ const v = el.lstmTrainer; return {expr}; }}"))


def _same_weights(drawn, expected, where):
    assert set(drawn) == set(expected), where
    worst = max(abs(drawn[n] - expected[n]) for n in expected)
    assert worst <= 1e-9, f"{where}: the page's weights differ from the package's by {worst:.2e}"


def test_the_training_view_trains_in_the_browser(server, browser):
    """Start (keyboard) trains: the curves grow and the weights move; paused at any step, and after a fixed number of
    single steps, the page's weights are the package's run's (lstm_book's train_step on the page's batches, as the
    mirror test holds them); a guided observation's button sets the run; the page stays clean and accessible."""
    from lstm_book.teaching.explorers import TrainingRun, TrainingView

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    try:
        tab.goto(f"{server}/{TRAINING_PAGE}", wait_until="load", timeout=60_000)
        root, view = _trainer(tab)
        assert root.locator(".lstm-explorer-static").is_hidden(), "the static figure is replaced by the live view"
        start = view("v.drawn")
        assert start["step"] == 0 and start["curve"] == 1
        root.get_by_role("button", name="Start").focus()
        tab.keyboard.press("Enter")
        tab.wait_for_function("() => document.querySelector('[data-lstm-trainer]').lstmTrainer.state.step >= 120",
                              timeout=30_000)
        root.get_by_role("button", name="Pause").click()
        drawn = view("v.drawn")
        assert drawn["step"] >= 120 and drawn["losses"] == drawn["step"] and drawn["curve"] == 1 + drawn["step"] // 10
        assert any(abs(drawn["params"][n] - start["params"][n]) > 1e-3 for n in start["params"]), "no weight moved"
        assert root.locator("svg rect[data-weight]").count() == 16 and root.locator("svg polyline").count() >= 9
        package = TrainingView().run()                                  # the defaults, 1000 steps, every step kept
        _same_weights(drawn["params"], package.history[drawn["step"]], f"paused at step {drawn['step']}")
        # a fixed seed and a fixed number of steps: seed 9, batches of 16, Reset, then "One step" 25 times
        seed = root.locator("input[name=seed]")
        seed.fill("9")
        seed.press("Enter")
        root.locator("select[name=batch_size]").select_option("16")
        root.get_by_role("button", name="Reset").click()
        one = root.get_by_role("button", name="One step")
        one.focus()
        for _ in range(25):
            tab.keyboard.press("Enter")
        drawn = view("v.drawn")
        assert drawn["step"] == 25
        expected = TrainingRun(seed=9, learning_rate=0.01, forget_bias=1.0, batch_size=16).advance(25).history[-1]
        _same_weights(drawn["params"], expected, "seed 9, batch 16, 25 steps")
        # a guided observation: its button sets every control and starts the run
        button = root.get_by_role("button", name="Train from this setting: 2. seed 0 does not", exact=True)
        button.click()
        assert button.get_attribute("aria-pressed") == "true" and seed.input_value() == "0"
        assert view("v.settings") == {**TrainingView().defaults, "seed": 0}
        tab.wait_for_function("() => document.querySelector('[data-lstm-trainer]').lstmTrainer.state.step >= 40",
                              timeout=30_000)
        root.get_by_role("button", name="Pause").click()
        drawn = view("v.drawn")
        _same_weights(drawn["params"], TrainingView().run(seed=0).history[drawn["step"]], "seed 0")
        root.screenshot(path=str(SHOTS / "training_view.png"))
        violations = _axe(tab)
    finally:
        context.close()
    assert outside == [] and failed == [] and console_errors == [], (outside, failed, console_errors)
    assert violations == [], f"accessibility (axe-core, serious or critical): {violations}"


def test_the_training_view_fits_a_phone_and_shows_a_finished_run_without_javascript(server, browser):
    context = _phone(browser)
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    try:
        tab.goto(f"{server}/{TRAINING_PAGE}", wait_until="load", timeout=60_000)
        root, view = _trainer(tab)
        live = root.locator(".lstm-trainer")
        live.scroll_into_view_if_needed()
        root.get_by_role("button", name="Start").click()
        tab.wait_for_timeout(500)
        boxes = live.evaluate("""(el) => Array.from(el.querySelectorAll("input, select, output, svg, button"))
            .map(n => { const b = n.getBoundingClientRect(); return [n.tagName, b.left, b.right, b.width]; })""")
        for tag, left, right, width in boxes:
            assert left >= -0.5 and right <= 390.5 and width > 0, f"a {tag} does not fit at 390 px: {left:.0f}..{right:.0f}"
        assert live.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1"), "the training view scrolls sideways"
        live.screenshot(path=str(SHOTS / "training_view.phone.png"))
    finally:
        context.close()
    assert outside == [] and failed == [] and console_errors == [], (outside, failed, console_errors)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/{TRAINING_PAGE}", wait_until="load", timeout=60_000)
        image = tab.locator("[data-lstm-trainer] .lstm-explorer-static img")
        image.scroll_into_view_if_needed()
        assert image.is_visible() and image.evaluate("(img) => img.complete && img.naturalWidth > 300")
        alt = image.get_attribute("alt") or ""
        assert "100% test accuracy at step" in alt and "W_xj = " in alt, alt
        assert tab.locator("[data-lstm-trainer] button, [data-lstm-trainer] input, .lstm-trainer").count() == 0
    finally:
        context.close()


def test_a_panel_drawn_scaled_says_so_in_its_key_and_readout(server, browser):
    """Chapter 8 draws each step's share of the biases' gradients times 100: the panel's key says so once, the
    readout under the figure with every value; the unscaled panels say nothing."""
    spec = backward_explorer().spec()
    assert {spec["styles"][n]["scale"] for n in ("share_i", "share_j", "share_f", "share_o")} == {"×100"}
    assert spec["styles"]["dc"]["scale"] == spec["styles"]["c"]["scale"] == ""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{server}/notebooks/08_backward_pass.html", wait_until="load", timeout=60_000)
        root = tab.locator("[data-lstm-explorer]").first
        keys = root.locator(".lstm-explorer-panelkey")
        keys.first.wait_for(timeout=30_000)
        texts = [keys.nth(k).text_content() for k in range(keys.count())]
        assert [t.count("(drawn ×100)") for t in texts] == [0, 0, 1], texts
        figure = root.locator("svg[role=img]").first
        box = figure.bounding_box()
        figure.hover(position={"x": box["width"] * 0.75, "y": box["height"] * 0.8})
        tab.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.8, steps=4)
        tab.wait_for_function("(el) => el.textContent.startsWith('t = ')",
                              arg=root.locator(".lstm-explorer-readout").element_handle(), timeout=10_000)
        readout = root.locator(".lstm-explorer-readout").text_content()
        assert readout.count(" ×100 = ") == 4 and "∂L/∂c" in readout and "∂L/∂ct ×100" not in readout, readout
    finally:
        context.close()
