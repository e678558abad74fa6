"""The chapters outside the book's own environment: the install cell, and the copies for any Jupyter.

- Every chapter's first code cell is the install cell, the same in every chapter, tagged so the website hides it.
- A fresh virtual environment without `lstm_book` runs a chapter's plain copy top to bottom: its first cell installs
  the package (from a wheel built from this repository, as a reader's would from the published repository) and says
  so in one line; run again, it installs nothing and says nothing.
- The plain copies (book/_ext/notebook_plain.py) carry no MyST directive text, no output, every solution inside a
  closed `<details>` block, and every link to the website leads to a page and an anchor that exist.
(tests/test_jupyterlab.py opens a plain copy in a JupyterLab without jupyterlab-myst.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from notebook_install_cell import TAG, install_code  # noqa: E402
from notebook_links_common import Book  # noqa: E402
from notebook_plain import write_plain_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTER = "02_output_gate"  # the chapter the fresh environment runs (an explorer, a checker, about 10 s)
MYST = re.compile(r"\{(exercise|solution|solution-start|solution-end|glossary|bibliography|term|ref|doc|cite(:[tp])?|"
                  r"numref|eq|math|figure|note|admonition)\}|^\([\w.:-]+\)=\s*$|^:{3,}|^:(label|class|nonumber):", re.M)


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain")
    write_plain_notebooks(Book(ROOT), out, "")
    return out / "notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_first_code_cell_installs_the_package(path):
    cells = json.loads(path.read_text())["cells"]
    first = next(c for c in cells if c["cell_type"] == "code")
    assert _source(first) == install_code(ROOT), "run: python tools/convert_notebooks.py"
    assert {"remove-cell", TAG} <= set(first["metadata"]["tags"]), "the website hides it"
    assert sum(TAG in c.get("metadata", {}).get("tags", []) for c in cells) == 1


def test_the_install_cell_installs_the_published_version(tmp_path):
    """With the repository set in _config.yml, the cell installs the tag of the package's version from there."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = "https://github.com/example-owner/example-book"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    code = install_code(tmp_path)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f'"lstm_book @ git+https://github.com/example-owner/example-book@v{version}"' in code
    assert "lstm_book @ git+" not in install_code(ROOT) and "LSTM_BOOK_SOURCE" in code
    compile(code, "install cell", "exec")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_plain_copy_has_no_myst_and_no_output(path, plain):
    nb = json.loads((plain / path.name).read_text())
    stored = json.loads(path.read_text())
    assert sum(c["cell_type"] == "code" for c in nb["cells"]) == sum(c["cell_type"] == "code" for c in stored["cells"])
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            continue
        text = _source(cell)
        assert not MYST.search(text), f"MyST left in a plain copy: {MYST.search(text).group(0)!r} in\n{text[:300]}"
        assert not re.search(r"\]\([^()\s]*\.(md|ipynb)[#)]", text), "a link into the repository, not to the website"
    markdown = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    solutions = len(re.findall(r"\{solution\}", "\n".join(_source(c) for c in stored["cells"])))
    assert markdown.count("<details>") == markdown.count("</details>") == solutions
    assert markdown.count("<summary>Solution to exercise ") == solutions
    assert all("open" not in tag for tag in re.findall(r"<details[^>]*>", markdown)), "solutions start closed"
    assert len(re.findall(r"^#### Exercise ", markdown, re.M)) == len(re.findall(r"\{exercise\}", json.dumps(stored)))


def test_plain_copies_link_to_pages_and_anchors_of_the_website(built_site):
    """The copies the site serves (what the download button opens) link to the site's own pages and anchors."""
    copies = sorted((built_site / "_sources" / "notebooks").glob("*.ipynb"))
    assert [p.name for p in copies] == [p.name for p in NOTEBOOKS]
    ids: dict[Path, set[str]] = {}
    checked, broken = 0, []
    for copy in copies:
        nb = json.loads(copy.read_text())
        assert not any(TAG in c.get("metadata", {}).get("tags", []) and "Installing" in json.dumps(c.get("outputs"))
                       for c in nb["cells"])
        page = built_site / "notebooks" / copy.with_suffix(".html").name
        html = page.read_text()
        assert f'href="../_sources/notebooks/{copy.name}"' in html, "the download button serves another file"
        assert 'href="../lstm-equation-by-equation.pdf"' in html, "the download menu does not offer the book's PDF"
        text = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
        for target in re.findall(r"\]\(([^()\s]+)\)", text):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, fragment = target.partition("#")
            where = (page.parent / urllib.parse.unquote(path)).resolve() if path else page
            if where not in ids:
                ids[where] = set(re.findall(r'\bid="([^"]+)"', where.read_text())) if where.exists() else set()
            checked += 1
            if not where.exists() or (fragment and fragment not in ids[where]):
                broken.append(f"{copy.name}: {target}")
    assert checked > 300 and broken == [], broken


def _fresh_environment(tmp: Path) -> Path:
    """A new virtual environment that sees the book's environment's packages but not `lstm_book`."""
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True, timeout=300)
    python = tmp / "venv" / "bin" / "python"
    shared = tmp / "shared"  # numpy, matplotlib, ipykernel, nbclient... of the book's environment, lstm_book left out
    shared.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "lstm_book" not in entry.name and not entry.name.endswith(".pth"):
            (shared / entry.name).symlink_to(entry)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "book-environment.pth").write_text(str(shared) + "\n")
    return python


def _run(python: Path, notebook: Path, workdir: Path, wheel: Path) -> subprocess.CompletedProcess:
    """Run `notebook` with a kernel of `python`, in place (its outputs saved); LSTM_BOOK_SOURCE points at `wheel`."""
    script = ("import sys, nbformat; from nbclient import NotebookClient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "NotebookClient(nb, timeout=300, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
              "nbformat.write(nb, sys.argv[1])\n")
    return subprocess.run([python, "-c", script, str(notebook), str(workdir)], capture_output=True, text=True,
                          env=_reader_env(python, workdir, wheel), cwd=workdir, timeout=600)


def _reader_env(python: Path, home: Path, wheel: Path) -> dict:
    """Nothing of this repository's environment (no PYTHONPATH): the fresh environment's PATH, a home of its own."""
    return {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(home), "LSTM_BOOK_SOURCE": str(wheel)}


def _outputs_text(cell) -> str:
    return "".join(_source({"source": o.get("text", "")}) + (json.dumps(o["data"]) if o.get("data") else "")
                   for o in cell.get("outputs", []))


def test_a_chapter_runs_where_lstm_book_is_not_installed(tmp_path, plain):
    """The plain copy of a chapter, run top to bottom in a fresh environment: the first cell installs the package
    (one line says so) and every cell runs; a second run installs nothing."""
    build = tmp_path / "source"
    build.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, build / name)
    shutil.copytree(ROOT / "lstm_book", build / "lstm_book", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "dist"), str(build)], check=True, timeout=300, capture_output=True)
    wheel = next((tmp_path / "dist").glob("lstm_book-*.whl"))
    python = _fresh_environment(tmp_path)
    missing = subprocess.run([python, "-c", "import lstm_book"], capture_output=True, text=True, cwd=tmp_path,
                             env=_reader_env(python, tmp_path, wheel))
    assert missing.returncode != 0, "the fresh environment already has lstm_book"

    work = tmp_path / "reader"
    work.mkdir()
    chapter = work / f"{CHAPTER}.ipynb"
    nb = json.loads((plain / chapter.name).read_text())
    where = {"cell_type": "code", "id": "where", "metadata": {}, "execution_count": None, "outputs": [],
             "source": "import lstm_book; print(lstm_book.__file__)"}
    nb["cells"].append(where)
    chapter.write_text(json.dumps(nb))
    first = _run(python, chapter, work, wheel)
    assert first.returncode == 0, first.stderr[-3000:]
    cells = json.loads(chapter.read_text())["cells"]
    install = next(c for c in cells if c["cell_type"] == "code")
    said = _outputs_text(install).strip()
    assert said.startswith("Installing the book's package lstm_book") and said.count("\n") == 0, said
    assert str(tmp_path / "venv") in _outputs_text(cells[-1]), "lstm_book imported from elsewhere"

    again = tmp_path / "again.ipynb"
    again.write_text(json.dumps({**nb, "cells": [c for c in nb["cells"] if TAG in c["metadata"].get("tags", [])]}))
    second = _run(python, again, work, wheel)
    assert second.returncode == 0, second.stderr[-3000:]
    assert [_outputs_text(c) for c in json.loads(again.read_text())["cells"]] == [""], "the second run said something"


# A plain copy in a JupyterLab that has no jupyterlab-myst: what Colab, Kaggle, VS Code or Notebook 7 show alike.
PLAIN_VIEW = r"""() => {
  const w = window.jupyterapp.shell.currentWidget, cells = w.content.widgets;
  const md = cells.filter(c => c.model.type === 'markdown');
  const details = md.flatMap(c => Array.from(c.node.querySelectorAll('details')));
  return {
    markdown: md.length, rendered: md.filter(c => c.rendered).length,
    titleMath: !!cells.slice(0, 2).map(c => c.node.querySelector('h1')).find(h => h && h.querySelector('mjx-container')),
    math: md.reduce((n, c) => n + c.node.querySelectorAll('mjx-container').length, 0),
    rawMath: md.map(c => c.node.innerText).join('\n').match(/\$[^$\n]+\$|\\\(|\\begin\{/g) || [],
    raw: md.map(c => c.node.innerText).join('\n').match(/\{(exercise|solution|term|ref|cite)[^}]*\}|^:{3,}/gm) || [],
    details: details.map(d => ({open: d.open, summary: d.querySelector('summary').innerText,
                                 // closed: the block is as tall as its summary line, and what it holds is not visible
                                 hidden: d.getBoundingClientRect().height - d.querySelector('summary').getBoundingClientRect().height < 4
                                   && Array.from(d.children).filter(e => e.tagName !== 'SUMMARY').every(e => !e.checkVisibility())})),
  };
}"""


def test_a_plain_copy_in_jupyterlab_without_myst(plain, tmp_path, chromium):
    """The exercises read as text, the math is typeset, every solution is a closed <details> that opens on a click
    and shows its math."""
    from test_jupyterlab import running_lab

    source = tmp_path / "source"
    shutil.copytree(plain, source / "notebooks")
    name = "04_forget_gate.ipynb"
    with running_lab(tmp_path / "lab", source, disabled="jupyterlab-myst") as lab:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                      else r.abort())
        page = context.new_page()
        try:
            page.goto(f"{lab['base']}/lab/tree/notebooks/{name}?reset&token={lab['token']}")
            page.wait_for_function("""() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                return w && w.context && w.context.isReady && w.content.widgets.length > 10
                  && w.content.widgets.every(c => c.model.type !== 'markdown' || c.rendered)
                  && w.content.node.querySelectorAll('mjx-container').length > 20; }""", timeout=120_000, polling=250)
            page.wait_for_timeout(1500)
            seen = page.evaluate(PLAIN_VIEW)
            summary = page.locator("details summary").nth(1)  # exercise 4.2: its solution has math and code
            summary.scroll_into_view_if_needed()
            summary.click()
            page.wait_for_timeout(1000)
            opened = page.evaluate("""() => { const d = document.querySelectorAll('details')[1];
                return {open: d.open, math: d.querySelectorAll('mjx-container').length,
                        code: d.querySelectorAll('pre').length}; }""")
        finally:
            context.close()
    stored = json.loads((ROOT / "notebooks" / name).read_text())
    solutions = len(re.findall(r"\{solution\}", json.dumps(stored)))
    assert seen["rendered"] == seen["markdown"]
    assert seen["titleMath"] and seen["math"] > 50, seen
    assert seen["rawMath"] == [] and seen["raw"] == [], (seen["rawMath"][:5], seen["raw"][:5])
    assert len(seen["details"]) == solutions
    assert all(not d["open"] and d["hidden"] and d["summary"].startswith("Solution to exercise") for d in seen["details"]), seen["details"]
    assert opened["open"] and opened["code"] >= 1 and opened["math"] >= 1, opened
