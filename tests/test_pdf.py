"""The PDF edition (`make pdf`, tools/make_pdf.py): printed by Chromium from the strictly built website.

One print of the whole book (`make pdf` prints twice: the second puts the page numbers found in the first into the
contents; the test checks those numbers and spares the second print; its time is written to
_build/pdf/build-time.txt and shown in the test report), then pypdf reads it: the page count is in the expected range, every chapter's title is in the text layer and has its page
number for the table of contents, every figure of the site is in it, no TeX is left raw, every font is embedded, and
each explorer's figure carries the address of its live page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import make_pdf  # noqa: E402

pypdf = pytest.importorskip("pypdf")
PAGES = (150, 400)  # 243 pages in December 2026 (12 chapters, the solutions, the glossary, the references)
RAW_TEX = re.compile(r"\\(frac|sigma|odot|tanh|mathrm|mathbf|left|right|begin|end|sum|prod|partial|cdot|tfrac|"
                     r"approx|in|le|ge|top|quad|text)\b|\\[()\[\]]|\$[^$\s][^$\n]{0,40}\$")


@pytest.fixture(scope="module")
def pdf(built_site, tmp_path_factory, chromium):  # the session's browser (skips, or fails in CI, without one)
    out = tmp_path_factory.mktemp("pdf") / make_pdf.NAME
    # one print: `make pdf` prints a second time only to write into the contents the page numbers checked below
    report = make_pdf.make_pdf(built_site, out, site_url="https://book.example/", browser=chromium, numbered=False)
    timing = ROOT / "_build" / "pdf" / "build-time.txt"
    timing.parent.mkdir(parents=True, exist_ok=True)
    timing.write_text(f"{report['seconds']:.0f} s: " + ", ".join(f"{k} at {v:.0f} s" for k, v in report["phases"].items()) + "\n")
    print(f"\nPDF built in {report['seconds']:.0f} s ({timing.read_text().strip()})")
    reader = pypdf.PdfReader(str(out))
    text, prose = [], []
    for page in reader.pages:  # one reading: all text, and the text outside code listings (monospace font)
        runs = []
        text.append(page.extract_text(visitor_text=lambda t, cm, tm, font, size: runs.append(
            "" if font is not None and "Mono" in str(font.get("/BaseFont", "")) else t)))
        prose.append("".join(runs))
    return {"reader": reader, "report": report, "text": text, "prose": prose}


def _chapter_titles(site: Path) -> list[str]:
    """Each chapter's title as its page shows it, its math left out (the PDF's text layer has it as symbols)."""
    titles = []
    for doc, _ in make_pdf.toc_pages(ROOT):
        if doc.startswith("notebooks/"):
            heading = make_pdf.article((site / f"{doc}.html").read_text())[1]
            titles.append(re.sub(r"<span class=\"math[^>]*>.*?</span>", " ", heading).strip())
    return titles


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def test_page_count_and_table_of_contents(pdf):
    pages = len(pdf["reader"].pages)
    assert PAGES[0] <= pages <= PAGES[1], f"{pages} pages"
    missing = [title for title, page in pdf["report"]["toc"] if not page]
    assert not missing, f"no page number in the table of contents for {missing}"
    numbers = [page for _, page in pdf["report"]["toc"]]
    assert numbers == sorted(numbers) and numbers[0] > 1


def test_every_chapter_title_is_in_the_text(pdf, built_site):
    text = _words("".join(pdf["text"]))
    titles = _chapter_titles(built_site)
    assert len(titles) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    for title in titles:
        assert _words(re.sub(r"<[^>]+>", "", title)) in text, title
    assert "solutionstotheexercises" in text and "glossary" in text and "references" in text


def test_every_figure_is_in_the_pdf(pdf, built_site):
    document = make_pdf.print_document(built_site, ROOT)
    figures = set(re.findall(r'<img[^>]*\bsrc="([^"]+)"', document))
    images = set()

    def walk(resources):
        resources = resources.get_object()
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                images.add(ref.idnum)
            elif obj.get("/Subtype") == "/Form" and obj.get("/Resources"):
                walk(obj["/Resources"])

    for page in pdf["reader"].pages:
        if page.get("/Resources"):
            walk(page["/Resources"])
    assert len(figures) > 40, "the site's figures were not found"
    assert len(images) >= len(figures), f"{len(images)} images in the PDF for {len(figures)} figures"


def test_no_raw_tex_in_the_text(pdf):
    """Outside the code listings (where `r"$\\tanh(c)$"` is Python), no TeX is left untypeset."""
    assert sum(len(p) for p in pdf["prose"]) > 0.5 * sum(len(t) for t in pdf["text"]), "the prose was not found"
    raw = [(n + 1, m.group(0)) for n, text in enumerate(pdf["prose"]) for m in RAW_TEX.finditer(text)]
    assert raw == [], f"raw TeX (page, text): {raw[:20]}"


def test_every_font_is_embedded(pdf):
    fonts = {}
    for page in pdf["reader"].pages:
        resources = (page.get("/Resources") or {}).get_object() if page.get("/Resources") else {}
        for ref in (resources.get("/Font") or {}).values():
            fonts[ref.idnum] = ref.get_object()

    def embedded(font) -> bool:
        if font.get("/Subtype") == "/Type3":
            return True  # its glyphs are drawn by the PDF itself
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))

    assert fonts, "no fonts found"
    assert [str(f.get("/BaseFont")) for f in fonts.values() if not embedded(f)] == []


def test_each_explorer_shows_the_address_of_its_live_page(pdf):
    text = re.sub(r"\s+", "", "".join(pdf["text"]))
    live = [name for name in sorted(p.stem for p in (ROOT / "notebooks").glob("0*.ipynb"))]
    for name in live:
        assert f"https://book.example/notebooks/{name}.html" in text, name


def test_each_text_view_shows_the_address_of_its_live_page(pdf):
    """Chapters 12 and 13's text box prints as its static text, with the address of the page where it runs (and no
    "With JavaScript on" a reader of paper cannot act on)."""
    text = re.sub(r"\s+", "", "".join(pdf["text"]))
    for name in ("12_charlm", "13_what_the_units_learned"):
        assert f"whereyoutypeyourowntextandthemodelwritesafterit:https://book.example/notebooks/{name}.html" in text, name
    assert "WithJavaScripton,typeyourowntext" not in text
