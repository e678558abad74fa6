"""Look at the built website as a reader would: every explorer and figure of every chapter at desktop and phone width.

    python tools/look_at_site.py                      # _build/html -> _build/screenshots/look/, a report on stdout
    python tools/look_at_site.py --pages 04 08 --widths 375

For each chapter page and each width (1280 and 375 px by default) it opens the page in Debian's Chromium, saves a
screenshot of every live explorer (at its defaults and after each guided-observation button), of chapter 10's
training view and of every figure of the article, and reports what a reader would trip over, measured in the page
(`LAYOUT_JS`, which tests/test_website.py applies too): the page scrolling sideways and the element that makes it,
a text of an explorer's drawing over one of its traces, over another text or cut off by the drawing's edge, a
title or button text cut off by its box, a control smaller than 24 px (WCAG 2.2's minimum target). The screenshots
are for looking at (an image viewer); the report is what a test can hold.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from make_pdf import serve  # noqa: E402

# (el) => problems: what a reader would trip over inside `el` (an element; document.body for the whole page)
LAYOUT_JS = r"""(el) => {
  const problems = [], vw = document.documentElement.clientWidth;
  const name = (n) => (n.className && n.className.baseVal !== undefined ? n.className.baseVal : n.className) || n.tagName;
  const words = (n) => (n.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
  const inScroller = (n) => { for (let p = n.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; }
    return false; };
  // 1. nothing wider than the screen, except inside a box that scrolls (a wide table, a code block)
  for (const n of el.querySelectorAll("*")) {
    const b = n.getBoundingClientRect();
    if (b.width > 0 && (b.right > vw + 1 || b.left < -1) && !inScroller(n) && getComputedStyle(n).position !== "fixed")
      problems.push(`wider than the screen (${Math.round(b.left)}..${Math.round(b.right)} of ${vw}): ${n.tagName}.${name(n)} "${words(n)}"`);
  }
  // 2. an explorer's or the training view's drawing: its texts inside it, apart from each other and off the traces
  for (const svg of el.querySelectorAll(".lstm-explorer-live svg[role=img], .lstm-trainer svg")) {
    const frame = svg.getBoundingClientRect();
    const texts = Array.from(svg.querySelectorAll("text")).filter(t => (t.textContent || "").trim())
      .map(t => ({t, b: t.getBoundingClientRect()}));
    const inset = (b, d) => ({left: b.left + d, right: b.right - d, top: b.top + d, bottom: b.bottom - d});
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (const {t, b} of texts) {
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1 || b.bottom > frame.bottom + 1)
        problems.push(`text cut off by the drawing's edge: "${words(t)}"`);
    }
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++)
      if (meet(inset(texts[i].b, 1.5), inset(texts[j].b, 1.5)))
        problems.push(`texts over each other: "${words(texts[i].t)}" and "${words(texts[j].t)}"`);
    for (const line of svg.querySelectorAll("polyline")) {
      const m = line.getScreenCTM(), pts = line.points;
      const P = (k) => { const p = pts.getItem(k); return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]; };
      for (const {t, b} of texts) {
        const r = inset(b, 2);
        let over = false;
        for (let k = 0; k + 1 < pts.numberOfItems && !over; k++) {
          const [x1, y1] = P(k), [x2, y2] = P(k + 1);
          for (let s = 0; s <= 8 && !over; s++) {
            const x = x1 + (x2 - x1) * s / 8, y = y1 + (y2 - y1) * s / 8;
            over = x > r.left && x < r.right && y > r.top && y < r.bottom;
          }
        }
        if (over) problems.push(`text over a trace: "${words(t)}" over ${line.getAttribute("data-series") || "a line"}`);
      }
    }
  }
  // 3. titles, notes, labels and buttons show their whole text; controls large enough to hit
  for (const n of el.querySelectorAll(".lstm-explorer-live p, .lstm-explorer-live label, .lstm-explorer-live output, " +
                                      ".lstm-explorer-live button, .lstm-trainer button, .lstm-trainer label, " +
                                      ".lstm-explorer-legend, .lstm-explorer-key")) {
    if (n.closest(".lstm-explorer-sr-only")) continue;  // read by screen readers, shown to nobody
    if (n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== "visible")
      problems.push(`text cut off by its box: ${n.tagName} "${words(n)}"`);
  }
  // 4. a key of the legend reads as its symbol: the subscript right after its letter, not parted from it
  for (const sub of el.querySelectorAll(".lstm-explorer-key i + sub, .lstm-explorer-live button i + sub")) {
    const gap = sub.getBoundingClientRect().left - sub.previousElementSibling.getBoundingClientRect().right;
    if (gap > 2) problems.push(`a subscript ${Math.round(gap)} px from its symbol: "${words(sub.parentElement)}"`);
  }
  // 5. each key's swatch drawn as its marks are: a dotted event or a vertical reference line as a dotted line
  for (const root of el.querySelectorAll("[data-lstm-explorer]")) {
    const spec = JSON.parse((root.querySelector("script.lstm-explorer-spec") || {}).textContent || "null");
    const keys = Array.from(root.querySelectorAll(".lstm-explorer-key"));
    for (const ev of (spec && spec.events) || []) {
      const key = keys.find(k => k.textContent.trim() === ev.legend);
      const swatch = key && key.querySelector(".lstm-explorer-swatch");
      const style = swatch && getComputedStyle(swatch);
      if (swatch && (ev.style === "band") !== (style.borderTopStyle === "none"))
        problems.push(`the key of "${ev.legend}" is not drawn as its marks (${ev.style})`);
    }
  }
  for (const n of el.querySelectorAll(".lstm-explorer-live button, .lstm-explorer-live input[type=range], .lstm-trainer button")) {
    const b = n.getBoundingClientRect();
    if (b.width > 0 && (b.height < 24 || b.width < 24)) problems.push(`a control smaller than 24 px (${Math.round(b.width)} x ${Math.round(b.height)}): ${n.tagName} "${words(n) || n.name}"`);
  }
  return Array.from(new Set(problems));
}"""


def pages(html: Path, wanted: list[str]) -> list[str]:
    found = sorted(p.name for p in (html / "notebooks").glob("[0-9][0-9]_*.html"))
    return [p for p in found if not wanted or any(p.startswith(w) for w in wanted)]


def look(tab, url: str, width: int, out: Path, stem: str) -> list[str]:
    """Open `url`, save the screenshots of its explorers and figures under `out`; return (the problems found, notes
    that are not problems: a wide figure scaled down to a phone's width)."""
    report, notes = [], []
    tab.goto(url, wait_until="load", timeout=60_000)
    if tab.locator("mjx-container").count() or "$" in tab.content():
        tab.wait_for_timeout(1500)   # MathJax typesets after load
    tab.wait_for_timeout(300)
    report += [f"page: {p}" for p in tab.evaluate(LAYOUT_JS, tab.locator("body").element_handle())]
    if tab.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"):
        report.append("page: the page scrolls sideways")
    # the theme's sticky header and floating buttons would lie over a tall element's screenshot
    tab.add_style_tag(content=".bd-header, .bd-header-article, .skip-link, #pst-back-to-top { display: none !important; }")
    explorers = tab.locator("[data-lstm-explorer] .lstm-explorer-live")
    for k in range(explorers.count()):
        root = explorers.nth(k)
        root.scroll_into_view_if_needed()
        root.screenshot(path=str(out / f"{stem}.{width}.explorer{k}.png"))
        report += [f"explorer {k}: {p}" for p in root.evaluate(LAYOUT_JS) if f"page: {p}" not in report]
        buttons = root.locator(".lstm-explorer-observations button")
        for b in range(buttons.count()):
            label = buttons.nth(b).inner_text().strip().splitlines()[-1]
            buttons.nth(b).click()
            tab.wait_for_timeout(50)
            root.screenshot(path=str(out / f"{stem}.{width}.explorer{k}.button{b}.png"))
            seen = set(report)
            report += [f"explorer {k} after {label!r}: {p}" for p in root.evaluate(LAYOUT_JS)
                       if f"explorer {k}: {p}" not in seen and f"page: {p}" not in seen]
    trainer = tab.locator("[data-lstm-trainer] .lstm-trainer")
    if trainer.count():
        trainer.scroll_into_view_if_needed()
        trainer.get_by_role("button", name="Start").click()
        tab.wait_for_timeout(1500)
        trainer.screenshot(path=str(out / f"{stem}.{width}.trainer.png"))
        report += [f"training view: {p}" for p in trainer.evaluate(LAYOUT_JS)]
    images = tab.locator("article img:visible")
    for k in range(images.count()):
        image = images.nth(k)
        image.scroll_into_view_if_needed()
        shown, natural = image.evaluate("(i) => [i.getBoundingClientRect().width, i.naturalWidth]")
        image.screenshot(path=str(out / f"{stem}.{width}.figure{k:02d}.png"))
        if natural and shown / natural < 0.45:
            notes.append(f"figure {k}: drawn at {shown / natural:.0%} of its size ({shown:.0f} of {natural} px): "
                         "its text is small (a reader zooms)")
    return report, notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built website")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots" / "look")
    parser.add_argument("--pages", nargs="*", default=[], help="chapter numbers or page names (default: all)")
    parser.add_argument("--widths", nargs="*", type=int, default=[1280, 375])
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        parser.exit(2, f"look_at_site.py: no built website at {args.html} (build the book first)\n")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        parser.exit(2, "look_at_site.py: no chromium on PATH (apt-get install chromium)\n")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    httpd = serve(args.html)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    problems, lines = 0, []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
            for width in args.widths:
                phone = width < 600
                context = browser.new_context(viewport={"width": width, "height": 844 if phone else 900},
                                              device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)
                tab = context.new_page()
                for page in pages(args.html, args.pages):
                    found, notes = look(tab, f"{base}/notebooks/{page}", width, args.out, page[:-5])
                    problems += len(found)
                    lines.append(f"{page} at {width} px: " + ("nothing found" if not found else f"{len(found)} problems"))
                    lines += ["    " + line for line in found] + ["    note: " + line for line in notes]
                    print("\n".join(lines[-1 - len(found) - len(notes):]), flush=True)
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    (args.out / "report.txt").write_text("\n".join(lines) + "\n")
    print(f"screenshots and report.txt in {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
