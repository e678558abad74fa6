"""Benchmark (not a test): chapter 12's text view in the browser and in the kernel, and the page weight it adds.

    .venv/bin/python benchmarks/bench_text_view.py

In headless Chromium (Debian's, driven by Playwright), on a page holding the view as the website does (its HTML
view, the weights script, mirror.js, explorer.js and textview.js), characters are typed one at a time at the end of
the box's text (the box's `input` event, handled synchronously): it prints the time per typed character, mirror and
drawing (budget: 1 ms), and the mirror's share; the sampler's 200 characters (written a few per frame: the time to its
first characters, budget one frame, and to all of them); the kernel's
time for one update in JupyterLab (`TextView.read`: the Python side of a keystroke, before the message's round
trip; tests/test_text_view.py prints the whole round trip in JupyterLab, budget 50 ms median); and the bytes the
view adds to chapter 12's page (budget: the weights at most 1 MB gzipped).
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_explorers import CHROMIUM, _browser, standalone_page  # noqa: E402

from lstm_book.teaching.explorers import WEB_DIR, TextView  # noqa: E402
from lstm_book.teaching.explorers.text_view import weights_script  # noqa: E402
from lstm_book.teaching.explorers.text_views import text_html  # noqa: E402

TYPED = 300
PIECE = "    if x is not None:\n        return (x, 'done')  # ok\n"


def _sizes(name: str, text: str) -> str:
    raw = text.encode("utf-8")
    return f"{name}: {len(raw) / 1024:.1f} KB ({len(gzip.compress(raw)) / 1024:.1f} KB gzipped)"


def page_weight(html: str, weights: str) -> None:
    mirror = (WEB_DIR / "mirror.js").read_text(encoding="utf-8")
    part = mirror[mirror.index("// Chapter 12's text view"):mirror.index("  function compute(spec, values)")]
    print("page weight the text view adds to chapter 12 (the only page that loads it):")
    for name, text in (("the weights (charlm-weights.js: float32, base64)", weights),
                       ("textview.js", (WEB_DIR / "textview.js").read_text(encoding="utf-8")),
                       ("mirror.js's language-model part", part), ("the inline description and static text", html)):
        print("  " + _sizes(name, text))


def bench_site(html: str, weights: str) -> None:
    from playwright.sync_api import sync_playwright

    page = standalone_page(html, ("mirror.js", "explorer.js", "textview.js"), "LSTMTextView.mountAll()",
                           before=f"<script>{weights}</script>")
    with sync_playwright() as p:
        browser = _browser(p)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_content(page)
        result = tab.evaluate("""([n, piece]) => {
            const v = document.querySelector('[data-lstm-textview]').lstmTextView, box = v.root.querySelector('textarea');
            const per = [], mirror = v.backend.times.length;
            for (let k = 0; k < n; k++) {
                box.value += piece[k % piece.length];
                box.setSelectionRange(box.value.length, box.value.length);
                const t = performance.now();
                box.dispatchEvent(new Event('input'));
                per.push(performance.now() - t);
            }
            v.write();
            return {per: per, mirror: v.backend.times.slice(mirror), chars: box.value.length};
        }""", [TYPED, PIECE])
        tab.wait_for_function("() => document.querySelector('[data-lstm-textview]').lstmTextView.writes.length > 0")
        writes = tab.evaluate("() => document.querySelector('[data-lstm-textview]').lstmTextView.writes")
        browser.close()
    per, mirror = sorted(result["per"]), sorted(result["mirror"])
    print(f"browser: a typed character, mirror and drawing: median {statistics.median(per):.3f} ms, "
          f"p95 {per[int(0.95 * len(per))]:.3f} ms over {TYPED} characters (the text grew to {result['chars']}); "
          f"budget 1 ms")
    print(f"browser: the mirror alone (one step, the readout, the guesses): median {statistics.median(mirror):.3f} ms")
    print(f"browser: the sampler writing {TextView().length} characters after the text: the first shown after "
          f"{writes[0]['first']:.1f} ms (budget: a frame, 16 ms), all of them after {writes[0]['whole']:.1f} ms, "
          f"written a few per frame")


def bench_kernel(view) -> None:
    text = view.text + PIECE * 4

    def timed(texts):
        times = []
        for t in texts:
            start = time.perf_counter()
            view.read(t, "c", 0)
            times.append((time.perf_counter() - start) * 1e3)
        return statistics.median(times)

    whole = timed([("#!"[k % 2]) + text for k in range(20)])      # the first character differs: read it all again
    typed = timed([text + PIECE[:k] for k in range(1, len(PIECE))])   # one more character each time
    start = time.perf_counter()
    view.sample(0.8, 1, text)
    print(f"kernel (TextView.read, the Python side of an update in JupyterLab): a typed character median {typed:.2f} "
          f"ms; the whole {len(text) + 1}-character text read again {whole:.1f} ms; the sampler's {view.length} "
          f"characters after it {(time.perf_counter() - start) * 1e3:.0f} ms")


def main() -> None:
    view = TextView()
    html, weights = text_html(view), weights_script()
    page_weight(html, weights)
    bench_kernel(view)
    if CHROMIUM is None:
        print("no chromium on PATH: the browser's timings are skipped")
        return
    bench_site(html, weights)


if __name__ == "__main__":
    main()
