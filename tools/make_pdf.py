#!/usr/bin/env python3
"""The whole book as one PDF, printed by Chromium from the built website (`make pdf`).

    python tools/make_pdf.py                   # after `jupyter-book build .`: writes _build/pdf/<name>.pdf
    python tools/make_pdf.py --html _build/html --out book.pdf

Route: the pages the strict build has already executed and typeset are joined into one print document
(_build/html/_print/book.html, removed afterwards) and printed with Debian's chromium through Playwright, the
browser the tests already drive. Nothing is executed again and nothing new is installed: the LaTeX route needs TeX
Live (hundreds of MB) and a second Sphinx build that runs every notebook again; Jupyter Book's pdfhtml builder
needs pyppeteer's own Chromium download, which is not available offline.

What the print document holds, in the order of _toc.yml: a title page, a table of contents (with page numbers,
found in a first print), every page's article (math typeset by the site's own MathJax; every figure; each explorer
as its figure at the defaults with the address of its live page; each text view as its static text with that
address), then an appendix with every exercise's solution, then the glossary and the bibliography as they are on the site. The PDF has bookmarks, links and embedded fonts.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import posixpath
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NAME = "lstm-equation-by-equation.pdf"
MATHJAX_CONFIG = '{"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}'
BACK_MATTER = ("book/glossary", "book/references")  # after the appendix of solutions

PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html { font-size: 10pt; }
body { margin: 0; background: white; }
.bd-article-container { max-width: none; padding: 0; }
.book-page { break-before: page; }
.book-title { height: 240mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }
.book-title p { font-size: 1.2rem; } .book-title p.book-name { font-size: 2.6rem; font-weight: bold; }
a.headerlink, .lstm-explorer-live, .lstm-explorer button, .lstm-explorer input, button.toggle-button,
.copybtn, .admonition-title button { display: none !important; }
img { max-width: 100%; height: auto; break-inside: avoid; }
figure, div.cell_output, .output, div.highlight, .admonition, table, mjx-container[display="true"] { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
.solution.dropdown > *, .toggle-hidden { display: block !important; visibility: visible !important; }
nav.book-toc ol { list-style: none; padding-left: 0; } nav.book-toc li { margin: 0.15rem 0; }
nav.book-toc .part { font-weight: bold; margin-top: 0.8rem; }
nav.book-toc a { display: flex; color: inherit; text-decoration: none; }
nav.book-toc a .dots { flex: 1; border-bottom: 1px dotted #999; margin: 0 0.4rem 0.3rem; }
.explorer-address { font-size: 0.9em; }
"""

# Runs in the print document: solutions into the appendix, explorers' captions, MathJax; returns when typeset.
ARRANGE = r"""async (siteUrl) => {
  const appendix = document.getElementById('book-solutions');
  for (const page of document.querySelectorAll('.book-page[data-chapter]')) {
    const solutions = page.querySelectorAll('div.solution');
    if (!solutions.length) continue;
    const h = document.createElement('h2');
    h.innerHTML = page.dataset.chapterTitle;
    appendix.appendChild(h);
    for (const s of solutions) { s.classList.remove('dropdown', 'toggle-hidden'); appendix.appendChild(s); }
  }
  for (const e of document.querySelectorAll('[data-lstm-explorer]')) {
    const caption = e.querySelector('.lstm-explorer-static figcaption');
    const address = siteUrl + e.closest('.book-page').dataset.page;
    if (caption) caption.innerHTML = caption.textContent.split(': the figure at the default values')[0]
      + ': the figure at the default values. The live explorer, with its sliders: <a class="explorer-address" href="'
      + address + '">' + address + '</a>';
  }
  for (const e of document.querySelectorAll('[data-lstm-textview]')) {
    const note = e.querySelector('.lstm-textview-static p');
    const address = siteUrl + e.closest('.book-page').dataset.page;
    if (note) note.innerHTML = note.innerHTML.replace('With JavaScript on, type your own text.', '')
      + 'The live text box, where you type your own text and the model writes after it: <a class="explorer-address" href="'
      + address + '">' + address + '</a>';
  }
  await MathJax.startup.promise;
  await MathJax.typesetPromise();
  await Promise.all(Array.from(document.images).map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  return document.querySelectorAll('.book-page').length;
}"""

FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
          '<span class="pageNumber"></span></div>')


def toc_pages(root: Path) -> list[tuple[str, str | None]]:
    """(docname, part caption or None) in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [(toc["root"], None)]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append((chapter["file"], part.get("caption")))
    return pages


def article(page_html: str) -> tuple[str, str]:
    """(the article's inner HTML, its first heading's HTML) of a built page."""
    start = page_html.index('<article class="bd-article">') + len('<article class="bd-article">')
    body = page_html[start:page_html.index("</article>", start)].replace(' loading="lazy"', "")
    h1 = re.search(r"<h1>(.*?)<a class=\"headerlink\"", body, re.S)
    return body, (h1.group(1).strip() if h1 else "")


def relink(body: str, doc: str, index: dict[str, int]) -> str:
    """Prefix the page's ids (pages repeat ids such as "the-equation") and point links between pages inside the PDF."""
    n = index[doc]
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="p{n}-{m.group(1)}"', body)

    def href(m):
        target = html.unescape(m.group(1))
        if re.match(r"^[a-z]+:", target):
            return m.group(0)
        path, _, fragment = target.partition("#")
        other = posixpath.normpath(posixpath.join(posixpath.dirname(doc), path))[:-5] if path.endswith(".html") else doc
        if other not in index:
            return m.group(0)
        return f'href="#p{index[other]}' + (f"-{fragment}" if fragment else "") + '"'

    return re.sub(r'href="([^"]*)"', href, body)


def print_document(site: Path, root: Path) -> str:
    pages = toc_pages(root)
    index = {doc: n for n, (doc, _) in enumerate(pages)}
    first = (site / f"{pages[0][0]}.html").read_text()
    styles = "\n".join(re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', first))
    config = yaml.safe_load((root / "_config.yml").read_text())
    title = html.escape(config.get("title", "The book"))
    author = html.escape(config.get("author", ""))
    main, back, toc, part = [], [], [], None
    for doc, caption in pages:
        body, heading = article((site / f"{doc}.html").read_text())
        n = index[doc]
        if caption and caption != part and doc not in BACK_MATTER:
            toc.append(f'<li class="part">{html.escape(caption)}</li>')
            part = caption
        chapter = doc.startswith("notebooks/")
        attrs = (f' data-chapter="1" data-chapter-title="{html.escape(heading)}"' if chapter else "")
        section = (f'<section class="book-page" id="p{n}" data-page="{doc}.html"{attrs}>'
                   f"{relink(body, doc, index)}</section>")
        (back if doc in BACK_MATTER else main).append(section)
        if doc not in BACK_MATTER:
            toc.append(f'<li><a href="#p{n}" data-toc="p{n}">{heading}<span class="dots"></span>'
                       f'<span class="page"></span></a></li>')
        if doc == BACK_MATTER[0]:
            toc.append('<li class="part">Appendix and reference</li>')
            toc.append('<li><a href="#book-solutions" data-toc="book-solutions">Solutions to the exercises'
                       '<span class="dots"></span><span class="page"></span></a></li>')
        if doc in BACK_MATTER:
            toc.append(f'<li><a href="#p{n}" data-toc="p{n}">{heading}<span class="dots"></span>'
                       f'<span class="page"></span></a></li>')
    appendix = ('<section class="book-page" id="book-solutions"><h1>Solutions to the exercises</h1>'
                "<p>Every exercise of the book with its solution, chapter by chapter. Try the exercise first.</p></section>")
    return f"""<!DOCTYPE html>
<html lang="en" data-theme="light"><head><meta charset="utf-8"><title>{title}</title>
{styles}
<style>{PRINT_CSS}</style>
<script>window.MathJax = {MATHJAX_CONFIG}</script>
<script defer src="../_static/vendor/mathjax/tex-chtml.js"></script>
</head><body><div class="bd-article-container"><article class="bd-article">
<section class="book-title"><p class="book-name">{title}</p><p>{author}</p></section>
<nav class="book-page book-toc" id="book-toc"><h1>Contents</h1><ol>{"".join(toc)}</ol></nav>
{"".join(main)}
{appendix}
{"".join(back)}
</article></div></body></html>"""


def serve(directory: Path):
    """A static server of `directory` on 127.0.0.1 (a free port), quiet, in a thread; `.shutdown()` stops it."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _page_numbers(pdf: Path) -> dict[str, int]:
    """The page (1-based) of every top-level bookmark (a page's title) of a first print, by its title."""
    from pypdf import PdfReader

    reader, found = PdfReader(str(pdf)), {}
    for item in reader.outline:
        if not isinstance(item, list):  # a list holds the sections under the bookmark before it
            found.setdefault(re.sub(r"\s+", " ", item.title).strip(), reader.get_destination_page_number(item) + 1)
    return found


def make_pdf(site: Path, out: Path, root: Path = ROOT, site_url: str | None = None, browser=None,
             numbered: bool = True) -> dict:
    """Print the built website `site` to `out`; `browser`: a Playwright Chromium to use (else Debian's is launched).
    numbered=False skips the second print (the contents without page numbers; the tests use it to save a minute:
    the numbers it would print are the report's "toc", found in the first)."""
    started = time.monotonic()
    if site_url is None:
        config = yaml.safe_load((root / "_config.yml").read_text())
        site_url = ((config.get("html") or {}).get("baseurl") or "").rstrip("/")
        site_url = site_url + "/" if site_url else "(the book's website)/"
    folder = site / "_print"
    folder.mkdir(exist_ok=True)
    (folder / "book.html").write_text(print_document(site, root))
    out.parent.mkdir(parents=True, exist_ok=True)
    httpd = serve(site)
    try:
        if browser is not None:
            return _print(browser, f"http://127.0.0.1:{httpd.server_address[1]}/_print/book.html", out, site_url, started,
                          numbered)
        from playwright.sync_api import sync_playwright

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise SystemExit("make_pdf: no chromium on PATH (apt-get install chromium)")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                return _print(browser, f"http://127.0.0.1:{httpd.server_address[1]}/_print/book.html", out, site_url,
                              started, numbered)
            finally:
                browser.close()
    finally:
        httpd.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def _print(browser, address: str, out: Path, site_url: str, started: float, numbered: bool) -> dict:
    phases = {}
    options = dict(format="A4", print_background=True, outline=True, tagged=True, display_header_footer=True,
                   header_template="<span></span>", footer_template=FOOTER,
                   margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:")) else r.abort())
        tab.goto(address, wait_until="load", timeout=180_000)
        tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=120_000)
        phases["load"] = time.monotonic() - started
        tab.evaluate(ARRANGE, site_url)
        phases["typeset"] = time.monotonic() - started
        tab.pdf(path=str(out), **options)
        phases["first print"] = time.monotonic() - started
        # second print: the table of contents gets the page numbers the first print found
        numbers = {}
        for title, page in _page_numbers(out).items():
            numbers.setdefault(_key(title), page)
        targets = tab.evaluate("""() => Array.from(document.querySelectorAll('[data-toc]')).map(a => {
            const t = document.getElementById(a.dataset.toc).querySelector('h1');
            return t ? t.innerText : a.innerText; })""")
        labels = [(text.strip(), numbers.get(_key(text))) for text in targets]
        if numbered:
            tab.evaluate("""(pages) => document.querySelectorAll('[data-toc] .page').forEach((e, k) => {
                e.textContent = pages[k] || ''; })""", [page for _, page in labels])
            tab.pdf(path=str(out), **options)
    finally:
        context.close()
    return {"seconds": time.monotonic() - started, "phases": phases, "toc": labels}


def _key(title: str) -> str:
    """A heading as a bookmark and as the page's text both give it (bookmarks lose the math and some spaces)."""
    return re.sub(r"[^a-z0-9]", "", title.lower())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built website")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / NAME, help="the PDF to write")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").exists():
        print(f"make_pdf: {args.html} holds no built website: run `make book` (or jupyter-book build .) first",
              file=sys.stderr)
        return 2
    report = make_pdf(args.html, args.out)
    shutil.copy2(args.out, args.html / NAME)  # the website offers it for download
    missing = [key for key, page in report["toc"] if page is None]
    print(f"wrote {args.out} (and {args.html / NAME}) in {report['seconds']:.0f} s "
          f"({', '.join(f'{k} at {v:.0f} s' for k, v in report['phases'].items())})")
    if missing:
        print(f"make_pdf: no page found for {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
