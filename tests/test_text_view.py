"""Chapter 12's text view (lstm_book.teaching.explorers.text_view), in Python, on the website and in JupyterLab.

Python: the description refuses bad units, colours by the documented bins, reads with the reader's own equations
as with the book's, and the weights the website loads stay under 1 MB gzipped, on chapter 12's page only.
Website (the strict build served on 127.0.0.1, headless Chromium, every request that would leave it aborted):
text typed into the box is read by the page's JavaScript mirror, and the colours, values and guesses drawn are
Python's (`TextView.read`); the unit and part pickers and the sampler work from the keyboard, and the text the page
writes is `lstm_book.charlm.sample`'s for the same temperature, seed and prompt; axe-core finds nothing serious;
at 375 px everything fits; with JavaScript off the static text shows and no control does. JupyterLab: the same
front end, the kernel computes; typed text and the sampler give the package's numbers. The time per typed
character (browser) and per update (JupyterLab) are printed, not asserted (`make bench` measures them).
"""

from __future__ import annotations

import gzip
import re

import nbformat
import numpy as np
import pytest

from lstm_book import forget_gate, sigmoid
from lstm_book.charlm import sample
from lstm_book.teaching.explorers import TextView
from lstm_book.teaching.explorers.text_view import BINS, PARTS, colour_of, weights_script
from lstm_book.validation import LSTMInputError
from test_explorer_in_jupyterlab import lab  # noqa: F401  (the fixture: JupyterLab in a temporary folder)
from test_website import _axe, _watch

PAGE = "notebooks/12_charlm.html"
TYPED = "    x = (1, 'a')  # done"


@pytest.fixture(scope="module")
def view():
    return TextView()


def test_the_description_refuses_bad_units_and_colours_by_its_bins(view):
    for units in ([], [{"part": "z", "unit": 0}], [{"part": "c", "unit": 128}], "c"):
        with pytest.raises(LSTMInputError, match="units"):
            TextView(units=units)
    with pytest.raises(LSTMInputError, match="part"):
        view.read("abc", part="g")
    with pytest.raises(LSTMInputError, match="no equation named"):
        TextView(forgot_gate=forget_gate)
    ranked = TextView(units=[{"part": "h", "unit": 5, "label": "inside brackets", "r": -0.7}])
    assert ranked.spec()["units"] == [{"part": "h", "unit": 5, "label": "inside brackets", "r": -0.7}]
    assert len(view.spec()["units"]) == 128 and view.spec()["units"][3] == {"part": "c", "unit": 3, "label": "unit 3",
                                                                            "r": None}
    palette = view.spec()["parts"]["c"]["palette"]
    assert len(palette) == BINS and colour_of([-9, -2, -1.99, 0.0, 1.99, 2, 9], "c") == [
        palette[0], palette[0], palette[0], palette[5], palette[9], palette[9], palette[9]]
    assert set(PARTS) == set("chijfo")


def test_your_own_equations_drive_the_view(view):
    def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):        # the book's equation, written by a reader
        return sigmoid(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)

    def wrong_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):     # tanh where σ belongs
        return np.tanh(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)

    text = "def f(x):\n    return x"
    book, own = view.read(text, "c", 7), TextView(forget_gate=my_forget_gate).read(text, "c", 7)
    assert np.abs(np.array(book["values"]) - own["values"]).max() < 1e-12
    assert [g[0] for g in book["guesses"]] == [g[0] for g in own["guesses"]]
    wrong = TextView(forget_gate=wrong_forget_gate)
    assert np.abs(np.array(book["values"]) - wrong.read(text, "c", 7)["values"]).max() > 1e-3
    assert TextView(forget_gate=my_forget_gate).spec()["weights"] is None   # your code runs in Jupyter only


def test_the_weights_are_light_and_only_on_the_text_views_pages(built_site):
    script = weights_script()
    size = len(gzip.compress(script.encode(), 9))
    print(f"the page's weights: {len(script) / 1e6:.2f} MB, {size / 1e6:.2f} MB gzipped")
    assert size <= 1_000_000
    served = built_site / "_static" / "vendor" / "lstm-explorer" / "charlm-weights.js"
    assert served.read_text() == script
    loading = sorted(str(p.relative_to(built_site)) for p in built_site.rglob("*.html")
                     if "charlm-weights.js" in p.read_text(encoding="utf-8", errors="replace"))
    assert loading == [PAGE, "notebooks/13_what_the_units_learned.html"], loading     # chapter 13 ends with the box


def _live(tab):
    root = tab.locator("[data-lstm-textview]")
    root.locator(".lstm-textview").wait_for(timeout=30_000)
    return root, (lambda expr: root.evaluate(f"(el) => {{ const v = el.lstmTextView; return {expr}; }}"))


def _same_as_python(drawn, view, where):
    expected = view.read(drawn["text"], drawn["part"], drawn["unit"], drawn["cursor"])
    got = np.array(drawn["values"])
    assert got.shape == (len(drawn["text"]),) and np.abs(got - expected["values"]).max() < 1e-6, where
    assert drawn["colours"] == expected["colours"], f"{where}: the colours differ from Python's"
    assert [g[0] for g in drawn["guesses"]] == [g[0] for g in expected["guesses"]], where
    assert np.abs(np.array([g[1] for g in drawn["guesses"]]) - [g[1] for g in expected["guesses"]]).max() < 1e-6


def test_the_text_view_reads_and_writes_in_the_browser(server, chromium, view):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console_errors, failed, outside = _watch(context, tab, server)
    try:
        tab.goto(f"{server}/{PAGE}", wait_until="load", timeout=60_000)
        root, v = _live(tab)
        assert root.locator(".lstm-textview-static").is_hidden(), "the static text is replaced by the live view"
        _same_as_python(v("v.drawn"), view, "the default text")
        box = root.locator("textarea")
        box.focus()
        tab.keyboard.press("Control+End")
        before = v("v.updates.length")
        tab.keyboard.type(TYPED)
        drawn = v("v.drawn")
        assert drawn["text"] == view.text + TYPED and drawn["cursor"] == len(drawn["text"])
        _same_as_python(drawn, view, "typed text")
        spans = root.locator(".lstm-textview .lstm-textview-text span")
        assert spans.count() == len(drawn["text"])
        rgb = spans.nth(len(drawn["text"]) - 1).evaluate("(s) => getComputedStyle(s).backgroundColor")
        assert rgb == "rgb({}, {}, {})".format(*(int(drawn["colours"][-1][k:k + 2], 16) for k in (1, 3, 5)))
        times = v("v.updates")[before:]
        print(f"browser: update per typed character (mirror + drawing), median {np.median(times):.2f} ms over "
              f"{len(times)} characters (budget 1 ms); the mirror alone {np.median(v('v.backend.times')):.2f} ms")
        tab.keyboard.press("Home")                                     # the cursor moves: the guesses follow
        tab.keyboard.press("ArrowRight")
        _same_as_python(v("v.drawn"), view, "the cursor moved")
        assert v("v.drawn.cursor") == len(view.text) + 1
        unit = root.locator("select").first                             # the pickers, from the keyboard
        unit.focus()
        for _ in range(3):
            tab.keyboard.press("ArrowDown")
        assert v("v.drawn.unit") == 3 and v("v.drawn.part") == "c"
        _same_as_python(v("v.drawn"), view, "unit 3")
        root.locator("select").nth(1).select_option("f")
        assert v("v.drawn.part") == "f"
        _same_as_python(v("v.drawn"), view, "unit 3's forget gate")
        root.locator("input[type=range]").focus()                         # the sampler: τ 0.8 -> 0.9, seed 12345
        tab.keyboard.press("ArrowRight")
        tab.keyboard.press("ArrowRight")
        seed = root.locator("input[type=number]")
        seed.fill("12345")
        seed.press("Tab")
        tab.wait_for_function("() => { const w = document.querySelector('[data-lstm-textview]').lstmTextView.written;"
                              " return w && w.seed === 12345 && Math.abs(w.temperature - 0.9) < 1e-9; }", timeout=30_000)
        written = v("v.written")
        expected = sample(view.params, view.vocabulary, view.length, temperature=written["temperature"], seed=12345,
                          prompt=written["prompt"])
        assert written["prompt"] == view.text + TYPED and written["text"] == expected
        assert root.locator(".lstm-textview-sample").inner_text().strip() == expected.strip()
        root.get_by_role("button", name=re.compile("Write")).press("Enter")   # the button, from the keyboard
        tab.wait_for_function("() => document.querySelector('[data-lstm-textview]').lstmTextView.writes.length > 1")
        assert v("v.written.text") == expected
        # a few characters per frame: the first at once, the rest later, read out when whole; a newer request
        # stops an older one (seed 7 is overtaken by seed 8 before its second frame)
        first = tab.evaluate("""() => {
            const v = document.querySelector('[data-lstm-textview]').lstmTextView;
            const out = v.root.querySelector('.lstm-textview-sample'), n = v.writes.length;
            v.seed.value = '7'; v.write();
            const first = {chars: out.textContent.length, busy: out.getAttribute('aria-busy'), done: v.writes.length - n};
            v.seed.value = '8'; v.write();
            return Object.assign(first, {n: n}); }""")
        assert 0 < first["chars"] < view.length and first["busy"] == "true" and first["done"] == 0, first
        tab.wait_for_function("() => document.querySelector('[data-lstm-textview]').lstmTextView.written.seed === 8")
        tab.wait_for_timeout(300)                                 # seed 7's text, had it gone on, would be whole
        written = v("v.written")
        expected = sample(view.params, view.vocabulary, view.length, temperature=written["temperature"], seed=8,
                          prompt=written["prompt"])
        assert written["seed"] == 8 and written["text"] == expected and v("v.writes.length") == first["n"] + 1
        assert root.locator(".lstm-textview-sample").inner_text().strip() == expected.strip()
        assert root.locator(".lstm-textview-sample").get_attribute("aria-busy") == "false"
        tab.screenshot(path=str(_shots() / "12_charlm.textview.png"), full_page=False)
        violations = _axe(tab)
    finally:
        context.close()
    assert outside == [] and failed == [] and console_errors == [], (outside, failed, console_errors)
    assert violations == [], f"accessibility (axe-core, serious or critical): {violations}"


def _shots():
    from test_website import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def test_the_text_view_fits_a_phone_and_shows_its_text_without_javascript(server, chromium):
    context = chromium.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/{PAGE}", wait_until="load", timeout=60_000)
        root, _ = _live(tab)
        parts = root.locator(".lstm-textview").locator("textarea, select, input, button, .lstm-textview-text, .lstm-textview-guesses")
        for k in range(parts.count()):
            node = parts.nth(k)
            node.scroll_into_view_if_needed()
            left, right = node.evaluate("(n) => { const r = n.getBoundingClientRect(); return [r.left, r.right]; }")
            assert left >= -0.5 and right <= 375.5, f"a {node.evaluate('(n) => n.tagName')} does not fit: {left}..{right}"
        tab.screenshot(path=str(_shots() / "12_charlm.textview.phone.png"), full_page=False)
    finally:
        context.close()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/{PAGE}", wait_until="load", timeout=60_000)
        static = tab.locator("[data-lstm-textview] .lstm-textview-static")
        assert static.is_visible() and "guesses for the next character" in static.inner_text()
        assert tab.locator("[data-lstm-textview] textarea, [data-lstm-textview] button").count() == 0
    finally:
        context.close()


def test_the_text_view_in_jupyterlab(lab, chromium, tmp_path, view):  # noqa: F811
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from lstm_book.teaching.explorers import TextView\nw = TextView().widget()\nw"),
                nbformat.v4.new_code_cell("w.show('for x in (1, 2):', unit=2, part='f')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, tmp_path / "text.ipynb")
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        tab.goto(f"{lab}/lab/tree/text.ipynb", timeout=90_000)
        tab.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        tab.wait_for_timeout(1000)
        tab.locator(".jp-Notebook .jp-Cell").first.click()
        tab.keyboard.press("Shift+Enter")
        live = tab.locator(".lstm-textview")
        live.wait_for(timeout=180_000)
        v = lambda expr: live.evaluate(f"(el) => {{ const v = el.parentElement.lstmTextView; return {expr}; }}")
        tab.wait_for_function("() => document.querySelector('.lstm-textview').parentElement.lstmTextView.drawn",
                              timeout=60_000)
        box = live.locator("textarea")
        box.focus()
        tab.keyboard.press("Control+End")
        for ch in TYPED:                                        # a reader's pace: each answer before the next key
            n = v("v.updates.length")
            tab.keyboard.type(ch)
            tab.wait_for_function(f"() => document.querySelector('.lstm-textview').parentElement.lstmTextView"
                                  f".updates.length > {n}", timeout=30_000)
        drawn = v("v.drawn")
        assert drawn["text"] == view.text + TYPED
        _same_as_python(drawn, view, "JupyterLab")
        times = v("v.updates")[-len(TYPED):]
        print(f"JupyterLab: typed character -> drawn, median {np.median(times):.1f} ms, "
              f"p95 {np.percentile(times, 95):.1f} ms (budget 50 ms median)")
        for k in range(7):                                      # the sampler: a request and its text, 7 times
            live.locator("button").first.click()
            tab.wait_for_function(f"() => document.querySelector('.lstm-textview').parentElement.lstmTextView"
                                  f".writes.length > {k}", timeout=60_000)
        written = v("v.written")
        assert written["text"] == sample(view.params, view.vocabulary, view.length, temperature=0.8, seed=1,
                                         prompt=view.text + TYPED)
        print(f"JupyterLab: the sampler's {view.length} characters, request -> shown, median "
              f"{np.median([w['whole'] for w in v('v.writes')]):.1f} ms")
        tab.locator(".jp-Notebook .jp-Cell").nth(1).click()             # the reader's own cell drives it
        tab.keyboard.press("Shift+Enter")
        tab.wait_for_function("() => { const d = document.querySelector('.lstm-textview').parentElement.lstmTextView"
                              ".drawn; return d.text === 'for x in (1, 2):' && d.part === 'f' && d.unit === 2; }",
                              timeout=60_000)
        _same_as_python(v("v.drawn"), view, "driven from a cell")
        assert errors == [], errors
    finally:
        context.close()
