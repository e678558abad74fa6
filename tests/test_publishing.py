"""Where the book is published: `repository.url` in `_config.yml` is the one setting, and every button that links
to the source is built from it (README.md, "How to publish the book"; `book/_ext/theme_settings.py`).

Each test builds a two-page book (the intro and chapter 1, notebooks not executed) from a copy of the real
configuration with a test address, and reads the links of the built pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")
CHAPTER = "notebooks/01_hidden_state"


def _build(tmp_path: Path, url: str, branch: str = "main") -> subprocess.CompletedProcess:
    """Build the intro and chapter 1 with the book's own _config.yml, its repository set to `url`."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["repository"]["url"] = url
    config["repository"]["branch"] = branch
    config["execute"]["execute_notebooks"] = "off"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nchapters:\n  - file: {CHAPTER}\n")
    shutil.copytree(ROOT / "book", tmp_path / "book", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / f"{CHAPTER}.ipynb", tmp_path / "notebooks")
    return subprocess.run([JUPYTER_BOOK, "build", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)


def _links(html: str) -> list[str]:
    return re.findall(r'href="(https?://[^"]+)"', html)


def test_the_buttons_are_built_from_the_repository_setting(tmp_path):
    result = _build(tmp_path, "https://github.com/example-owner/example-book", branch="publish")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (tmp_path / "_build" / "html" / f"{CHAPTER}.html").read_text()
    links = _links(html)
    binder = f"https://mybinder.org/v2/gh/example-owner/example-book/publish?urlpath=lab/tree/{CHAPTER}.ipynb"
    colab = f"https://colab.research.google.com/github/example-owner/example-book/blob/publish/{CHAPTER}.ipynb"
    assert binder in links, [link for link in links if "binder" in link]
    assert colab in links, [link for link in links if "colab" in link]
    assert "https://github.com/example-owner/example-book" in links  # the repository button
    to_source = [link for link in links if re.match(r"https://(github\.com|mybinder\.org|colab\.research)", link)]
    assert to_source and all("example-owner/example-book" in link for link in to_source), to_source
    intro = (tmp_path / "_build" / "html" / "book" / "intro.html").read_text()
    assert "https://github.com/example-owner/example-book" in _links(intro)


def test_no_repository_no_buttons_and_one_search_field(tmp_path):
    result = _build(tmp_path, "")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for page in (CHAPTER, "book/intro"):
        html = (tmp_path / "_build" / "html" / f"{page}.html").read_text()
        links = _links(html)
        assert not [link for link in links if re.match(r"https://(github\.com|mybinder\.org|colab\.research)", link)]
        # the search field of the sidebar, and no header bar above the page with a second one
        assert "navbar-persistent--container" not in html, page
        assert re.search(r'<header id="pst-header"[^>]*>\s*</header>', html), "the header bar above the page is empty"
        assert html.count("search-button-field") == 1, page


def test_an_address_the_buttons_cannot_use_stops_the_build(tmp_path):
    result = _build(tmp_path, "https://example.org/somewhere")
    assert result.returncode != 0
    assert "repository.url should be the address of a public GitHub repository" in result.stdout + result.stderr


def test_the_book_has_one_repository_setting():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert url == "" or re.match(r"^https://github\.com/[\w.-]+/[\w.-]+$", url), url
    assert "use_repository_button" not in config.get("html", {}), "theme_settings.py switches it on from the url"
    assert "How to publish the book" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", ["theme_settings"])
def test_the_extension_is_loaded(name):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"][name] == "book/_ext"


def test_binder_installs_the_books_jupyterlab_settings_and_link_extension(tmp_path):
    """Binder (repo2docker) installs requirements.txt and runs the root's postBuild: the book's JupyterLab settings,
    link extension and server configuration land in the environment Binder's JupyterLab runs from, the same files `make install` puts
    into .venv. Here `python` reports a scratch prefix in place of Binder's environment."""
    prefix, shim = tmp_path / "env", tmp_path / "bin"
    shim.mkdir()
    (shim / "python").write_text(f"#!/bin/sh\necho {prefix}\n")
    (shim / "python").chmod(0o755)
    result = subprocess.run(["./postBuild"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": f"{shim}:/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    installed = {p.relative_to(prefix).as_posix(): p.read_bytes() for p in prefix.rglob("*") if p.is_file()}
    source = ROOT / "jupyterlab"
    expected = {"share/jupyter/lab/settings/overrides.d/lstm-book.json": (source / "overrides.json").read_bytes()}
    expected.update({f"share/jupyter/labextensions/{p.relative_to(source).as_posix()}": p.read_bytes()
                     for p in (source / "lstm-book-links").rglob("*") if p.is_file()})
    expected["etc/jupyter/jupyter_server_config.d/lstm-book.json"] = (source / "server-config.json").read_bytes()
    assert installed == expected
