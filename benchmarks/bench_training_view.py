"""Benchmark (not a test): chapter 10's training view in the browser, and the page weight it adds.

    .venv/bin/python benchmarks/bench_training_view.py

In headless Chromium (Debian's, driven by Playwright), on a page holding the view as the website does (its HTML
view, with mirror.js, explorer.js and trainer.js), Start is pressed and the view trains for a few seconds from the
defaults: a few training steps per frame (mirror.js), then the whole figure redrawn (trainer.js), every frame.
It prints the training steps a second (budget: at least 200 with the figure redrawn every frame), the time of one
redraw, the frames a second, and the bytes the view adds to the site: trainer.js, the training part of mirror.js,
and the chapter page's inline description and static figure (what shows with JavaScript off).
"""

from __future__ import annotations

import gzip
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_explorers import CHROMIUM, _browser, standalone_page  # noqa: E402

from lstm_book.teaching.explorers import WEB_DIR, TrainingView  # noqa: E402
from lstm_book.teaching.explorers.training_views import training_html  # noqa: E402

SECONDS = 4


def _sizes(name: str, text: str) -> str:
    raw = text.encode("utf-8")
    return f"{name}: {len(raw) / 1024:.1f} KB ({len(gzip.compress(raw)) / 1024:.1f} KB gzipped)"


def page_weight(html: str) -> None:
    trainer = (WEB_DIR / "trainer.js").read_text(encoding="utf-8")
    mirror = (WEB_DIR / "mirror.js").read_text(encoding="utf-8")
    training = mirror[mirror.index("// Chapter 10's training view"):mirror.index("  function compute(spec, values)")]
    spec = html[html.index('<script type="application/json"'):html.index("</script>") + 9]
    image = html[html.index("<figure"):]
    print("page weight the training view adds:")
    for name, text in (("trainer.js (a file, loaded on chapter 10 only)", trainer),
                       ("mirror.js's training part (in a file every explorer page loads)", training),
                       ("the inline description (JSON)", spec),
                       ("the static figure of a finished run (inline PNG, base64) and its caption", image)):
        print("  " + _sizes(name, text))
    print("  " + _sizes("all of it", trainer + training + spec + image))


def bench_site(html: str) -> None:
    from playwright.sync_api import sync_playwright

    page = standalone_page(html, ("mirror.js", "explorer.js", "trainer.js"), "LSTMTrainer.mountAll()")
    with sync_playwright() as p:
        browser = _browser(p)
        tab = browser.new_page(viewport={"width": 1280, "height": 1000})
        tab.set_content(page)
        tab.wait_for_selector(".lstm-trainer")
        tab.get_by_role("button", name="Start").click()
        tab.wait_for_timeout(SECONDS * 1000)
        result = tab.evaluate("""() => { const v = document.querySelector('[data-lstm-trainer]').lstmTrainer;
            const f = v.frames, n = f.length;
            return {sps: v.stepsPerSecond(), step: v.state.step, frames: n, draws: v.drawTimes.slice(1),
                    seconds: (f[n - 1].t - f[0].t) / 1000, perFrame: v.spec.steps_per_frame}; }""")
        browser.close()
    draws = sorted(result["draws"])
    print(f"website, training while playing: {result['sps']:.0f} steps a second ({result['perFrame']} steps a frame, "
          f"{result['frames'] / result['seconds']:.0f} frames a second, {result['step']} steps in "
          f"{result['seconds']:.1f} s; budget: at least 200 steps a second)")
    print(f"website, one redraw of the whole figure: median {statistics.median(draws):.2f} ms, 95th percentile "
          f"{draws[min(len(draws) - 1, int(0.95 * len(draws)))]:.2f} ms, {len(draws)} redraws")


if __name__ == "__main__":
    html = training_html(TrainingView())
    page_weight(html)
    if CHROMIUM is None:
        print("no chromium on PATH (apt-get install chromium): the browser timings are skipped")
    else:
        bench_site(html)
