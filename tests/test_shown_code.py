"""The chapters show the model's code: tools/shown_code.py measures how much, the functions and classes no chapter
shows are listed in its NOT_SHOWN with a reason, and README.md states the measured share.

The last tests build a small package and a chapter of their own, to show that each check rejects what it should.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import shown_code  # noqa: E402


@pytest.fixture(scope="module")
def measured():
    return shown_code.measure()


def test_every_show_source_argument_is_an_object_of_the_package(measured):
    assert measured.shown, "no chapter calls show_source: the measure is reading the wrong thing"
    assert not measured.unresolved, "\n".join(measured.unresolved)


def test_every_function_and_class_is_shown_or_listed_with_its_reason(measured):
    trouble = shown_code.problems(measured, shown_code.NOT_SHOWN)
    assert not trouble, f"{len(trouble)} problems (python tools/shown_code.py lists them all):\n" + "\n".join(
        "  " + t for t in trouble)


def test_the_readme_states_the_measured_share(measured):
    problem = shown_code.readme_problem((ROOT / "README.md").read_text(encoding="utf-8"), measured.percent)
    assert problem is None, problem


def test_the_command_prints_the_measure():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "shown_code.py")], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for expected in ("Model (lstm_book/, outside lstm_book/teaching/)", "top-level functions and classes",
                     "Teaching machinery (lstm_book/teaching/)", "of JavaScript", "The chapters show",
                     "Largest module: ", "Not shown in full by any chapter"):
        assert expected in out, f"{expected!r} missing from:\n{out[:2000]}"
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "shown_code.py"), "--check"],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert check.returncode == (1 if "Problems (" in out or "not objects of lstm_book" in out else 0)


# ---- a package and a chapter of our own ------------------------------------------------------------------------

def notebook(*cells) -> str:
    """A notebook of code cells; a cell is its source, or (source, tags)."""
    cells = [(c, []) if isinstance(c, str) else c for c in cells]
    return json.dumps({"cells": [{"cell_type": "code", "source": textwrap.dedent(s), "metadata": {"tags": t},
                                  "outputs": [], "execution_count": None} for s, t in cells]
                      + [{"cell_type": "markdown", "source": "show_source(hidden)", "metadata": {}}],
                      "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """`toybook`: a model (core.py: a decorated function, a plain one, a class with two methods) and its teaching
    machinery, with one chapter that shows some of it."""
    package = tmp_path / "toybook"
    (package / "teaching").mkdir(parents=True)
    (package / "__init__.py").write_text("from .core import shown\n")
    (package / "checks.py").write_text(textwrap.dedent('''\
        import functools


        def checked(f):
            @functools.wraps(f)
            def wrapper(*args):
                return f(*args)
            return wrapper
        '''))
    (package / "core.py").write_text(textwrap.dedent('''\
        """The toy model."""
        from .checks import checked

        LIMIT = 3


        @checked
        def shown(x):
            return x


        def hidden(x):
            return -x


        class Pair:
            """Two numbers."""

            def first(self):
                return 1

            def second(self):
                return 2
        '''))
    (package / "teaching" / "__init__.py").write_text("")
    (package / "teaching" / "notebook.py").write_text("def show_source(*objects):\n    return objects\n")
    (package / "teaching" / "explorer.py").write_text("def explore():\n    pass\n")
    (package / "teaching" / "web").mkdir()
    (package / "teaching" / "web" / "view.js").write_text("let a = 1;\nlet b = 2;\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_toy.ipynb").write_text(notebook(
        "%matplotlib inline\nfrom toybook import shown\nfrom toybook.teaching.notebook import show_source as show",
        "show(shown)",
        "from toybook.core import Pair as P, hidden\nshow(P.first)",
        ("show(hidden)", ["remove-output"]),  # shows nothing on the website
        "import toybook.checks as checks\nshow(checks.checked, len)",
    ))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield shown_code.measure(tmp_path, "toybook")
    forget_toybook()


def forget_toybook():
    for name in [m for m in sys.modules if m == "toybook" or m.startswith("toybook.")]:
        del sys.modules[name]


def test_the_measure_of_a_toy_chapter(toy):
    assert [i.name for i in toy.items] == ["toybook.checks.checked", "toybook.core.shown", "toybook.core.hidden",
                                            "toybook.core.Pair"]
    lines = {i.name: i.lines for i in toy.items}
    assert lines == {"toybook.checks.checked": 5, "toybook.core.shown": 3, "toybook.core.hidden": 2,
                     "toybook.core.Pair": 8}
    # the decorated function is found in core.py (not in the decorator's file), its decorator line included
    assert toy.shown_lines == {"toybook.checks.checked": 5, "toybook.core.shown": 3, "toybook.core.hidden": 0,
                               "toybook.core.Pair": 2}
    assert toy.percent == 100 * 10 // 18 and [i.name for i in toy.not_fully_shown()] == [
        "toybook.core.hidden", "toybook.core.Pair"]
    assert len(toy.unresolved) == 1 and "show_source(len)" in toy.unresolved[0]
    assert sum(toy.model_files.values()) == 1 + 8 + 23
    assert sorted(p.name for p in toy.machinery_files) == ["__init__.py", "explorer.py", "notebook.py", "view.js"]
    text = shown_code.report(toy, {})
    assert "show 10 of the 18 lines" in text and "toybook.core.hidden" in text and "(8 lines, 2 shown)" in text


def test_problems_name_what_is_neither_shown_nor_listed_and_every_stale_entry(toy):
    trouble = shown_code.problems(toy, {})
    assert len(trouble) == 2 and "toybook.core.hidden" in trouble[0] and "no chapter shows it" in trouble[0]
    assert "toybook.core.Pair" in trouble[1] and "2 of its 8 lines are shown" in trouble[1]
    listed = {"toybook.core.hidden": "an example of what not to do", "toybook.core.Pair": "only first() matters"}
    assert shown_code.problems(toy, listed) == []
    stale = shown_code.problems(toy, {**listed, "toybook.core.shown": "x", "toybook.core.gone": "y"})
    assert len(stale) == 2 and "toybook.core.shown, which a chapter shows in full" in stale[0]
    assert "toybook.core.gone, which is no top-level function or class" in stale[1]
    assert shown_code.problems(toy, {**listed, "toybook.core.hidden": " "}) == [
        "NOT_SHOWN lists toybook.core.hidden without a reason"]


@pytest.mark.parametrize("text, problem", [
    ("The chapters show 55% of the model's lines (its functions and classes).", None),
    ("The chapters show 56% of the model's lines.", "says the chapters show 56%"),
    ("The chapters\nshow 55% of the\nmodel's lines, wrapped.", None),
    ("The chapters show most of the model.", "has no sentence"),
    ("The chapters show 55% of the model's lines. The chapters show 55% of the model's lines.", "2 times"),
])
def test_the_readme_claim_is_read_and_compared(text, problem):
    found = shown_code.readme_problem(text, 55)
    assert (found is None) if problem is None else (problem in found)


def test_what_show_source_follows_is_shown_too(toy):
    """When the package's show_source also displays the private functions an object runs (its `shown_objects`),
    the measure counts what it displays, not only the arguments."""
    root = toy.root
    (root / "toybook" / "teaching" / "notebook.py").write_text(textwrap.dedent('''\
        def show_source(*objects):
            return shown_objects(*objects)


        def shown_objects(*objects):
            from toybook import core
            return [*objects, core.hidden] if core.Pair.first in objects else list(objects)
        '''))
    forget_toybook()
    followed = shown_code.measure(root, "toybook")
    forget_toybook()
    assert followed.shown_lines["toybook.core.hidden"] == 2 and followed.percent == 100 * 12 // 18
    assert [s.target for s in followed.shown if s.cell == 3] == ["toybook.core.Pair.first", "toybook.core.hidden"]
