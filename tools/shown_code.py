#!/usr/bin/env python3
"""How much of the model the chapters show.

    python tools/shown_code.py           # the measure, and the model's functions and classes that no chapter shows
    python tools/shown_code.py --check   # the same, and exit 1 if anything is neither shown nor in NOT_SHOWN

The book's promise is that a reader sees the code that runs: a chapter displays the model's own source with
`show_source(f, g, ...)` (lstm_book.teaching.notebook), never a copy. This command measures how far that holds.

Definitions (tests/test_shown_code.py checks them, and README.md states the share):

* The MODEL is every module of `lstm_book/` outside `lstm_book/teaching/` (the teaching machinery).
* The model's CODE is its top-level functions and classes: each `def` or `class` statement directly in a model
  module's body, counted in physical lines from its first decorator (or its `def`/`class` line) to its last line,
  docstring, comments and blank lines inside it included. A class counts once, with its methods. Module
  docstrings, imports, constants and anything else at module level are not counted (nor a `def` nested in an
  `if` or `try` at module level).
* A chapter SHOWS the lines that `inspect.getsourcelines` gives for each object a `show_source(...)` call in one
  of its code cells displays: its arguments, each followed by the private functions it runs, as
  `lstm_book.teaching.notebook.shown_objects` lists them (cells tagged `remove-cell` or `remove-output` show
  nothing on the website and do not count). Each argument is resolved through that notebook's own import
  statements, read in order: `from lstm_book.x import a`, `from lstm_book import a`, `import lstm_book.x as m`
  (then `m.a`), and attributes of those (`Cls.meth`).
* The SHARE is the shown lines of the model's functions and classes over all their lines, rounded down to an
  integer percent in README.md ("The chapters show N% of the model's lines").
* A function or class counts as shown when every one of its lines is shown; one partly shown (a class of which
  a chapter shows one method) is listed with the ones not shown.

`NOT_SHOWN` below lists the model's functions and classes that no chapter shows on purpose, each with its reason.
Every function or class that is not shown must be listed; an entry that is shown, or names nothing, is stale.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "lstm_book"
MACHINERY = "teaching"  # the subpackage of PACKAGE that is not the model
HIDDEN_TAGS = {"remove-cell", "remove-output"}  # a show_source cell with these tags shows nothing on the website

#: What no chapter shows on purpose, "lstm_book.module.name": "the reason": the input checks and the plumbing.
_CHECK = "an input check: it refuses bad arguments with a clear error and computes nothing of the cell"
NOT_SHOWN: dict[str, str] = {
    **{f"lstm_book.{name}": _CHECK for name in (
        "backward._check_step", "backward._check_backward", "cell._check_inputs", "equations._checked",
        "losses._check_loss", "losses._array", "memory_tasks._check_outputs_of", "rnn._check_first_step",
        "rnn._check", "train._check_network", "train._check_arguments", "variants._check",
        "variants._check_backward", "charlm._check", "units._check_numbers")},
    **{f"lstm_book.validation.{name}": "validation, the checks of every input: plumbing, not the cell" for name in (
        "LSTMInputError", "as_float_array", "check_number", "check_integer", "check_float_dtype", "_show",
        "no_overflow", "check_finite", "_describe", "check_shapes", "shapes", "unchecked", "labelled")},
    **{f"lstm_book.params.{name}": "the parameter protocol's plumbing (a read-only mapping checked once); chapter 4 "
                                   "shows LSTMParams" for name in ("Params", "_checked", "_layout", "_sizes", "as_params")},
    "lstm_book.backward._gradients": "builds the records StepGradients and Gradients at import: no arithmetic"}
#: The sentence of README.md that states the share (the test recomputes N).
README_CLAIM = re.compile(r"The\s+chapters\s+show\s+(\d+)\s?%\s+of\s+the\s+model's\s+lines")


@dataclass(frozen=True)
class Item:
    """A top-level function or class of the model: `name` is its dotted name, lines first..last of `path`."""

    name: str
    path: Path
    first: int
    last: int

    @property
    def lines(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Shown:
    """One object a show_source call of a chapter displays (`target`: its dotted name), as lines of `path`."""

    notebook: str
    cell: int
    call: str
    target: str
    path: Path
    first: int
    last: int


@dataclass
class Measure:
    root: Path
    package: str
    items: list[Item]
    shown: list[Shown]
    unresolved: list[str]  # show_source arguments that are not an object of the package, with where and why
    model_files: dict[Path, int]  # every model module: its lines (wc -l)
    machinery_files: dict[Path, int]  # lstm_book/teaching: .py and web/*.js
    shown_lines: dict[str, int] = field(default_factory=dict)  # item name -> how many of its lines are shown

    @property
    def item_lines(self) -> int:
        return sum(item.lines for item in self.items)

    @property
    def total_shown(self) -> int:
        return sum(self.shown_lines.values())

    @property
    def share(self) -> float:
        return self.total_shown / self.item_lines if self.items else 0.0

    @property
    def percent(self) -> int:
        """The share as README.md states it: an integer percent, rounded down."""
        return self.total_shown * 100 // self.item_lines if self.items else 0

    def not_fully_shown(self) -> list[Item]:
        return [item for item in self.items if self.shown_lines[item.name] < item.lines]


def count_lines(path: Path) -> int:
    """Lines of a file as `wc -l` counts them (a last line without its newline counts too)."""
    text = path.read_text(encoding="utf-8")
    return len(text.splitlines())


def model_files(root: Path = ROOT, package: str = PACKAGE) -> list[Path]:
    """Every .py file of the package outside its teaching subpackage, sorted."""
    base = root / package
    machinery = base / MACHINERY
    return sorted(p for p in base.rglob("*.py") if machinery not in p.parents and "__pycache__" not in p.parts)


def machinery_files(root: Path = ROOT, package: str = PACKAGE) -> list[Path]:
    """The teaching machinery: its .py files and its web front end's JavaScript."""
    machinery = root / package / MACHINERY
    py = [p for p in machinery.rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(py + list((machinery / "web").glob("*.js")))


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def items_of(path: Path, module: str) -> list[Item]:
    """The top-level functions and classes of one module (see the definitions above)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    items = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            items.append(Item(f"{module}.{node.name}", path.resolve(), first, node.end_lineno))
    return items


def code_cells(notebook: Path) -> list[tuple[int, str, set[str]]]:
    """The code cells of a notebook: (the cell's number among all its cells, from 1; source; tags), IPython magics
    blanked out (a line magic becomes an empty line, so line numbers hold; a cell magic's cell becomes empty)."""
    cells = []
    for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if source.lstrip().startswith("%%"):
            source = ""
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        cells.append((index, source, set(cell.get("metadata", {}).get("tags", []))))
    return cells


def bind_imports(node: ast.AST, bindings: dict[str, str]) -> None:
    """Record what the names bound by a notebook's import statement refer to: local name -> dotted path (a
    relative import binds nothing known)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                bindings[alias.asname] = alias.name
            else:  # `import a.b.c` binds `a`
                top = alias.name.split(".")[0]
                bindings[top] = top
    elif isinstance(node, ast.ImportFrom):
        base = None if node.level else node.module
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            if base is None:
                bindings.pop(local, None)
            else:
                bindings[local] = f"{base}.{alias.name}"


def dotted(expr: ast.AST, bindings: dict[str, str]) -> str | None:
    """The dotted path a Name or an attribute chain (`m.Cls.meth`) refers to, through the bindings."""
    if isinstance(expr, ast.Name):
        return bindings.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = dotted(expr.value, bindings)
        return None if base is None else f"{base}.{expr.attr}"
    return None


def resolve(path: str):
    """The object at a dotted path: the longest importable module, then attributes (or submodules)."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], start=1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            obj = importlib.import_module(".".join(parts[: k + 1]))
    return obj


def shown_in(notebook: Path, package: str = PACKAGE) -> tuple[list[Shown], list[str]]:
    """What one chapter shows: for every show_source call, the objects it displays (its arguments and, when the
    package's show_source follows them, the private functions they run: its `shown_objects`), as lines of a
    file; and the arguments that could not be resolved to an object of the package, each with where and why."""
    shown, unresolved = [], []
    bindings: dict[str, str] = {}
    helpers = importlib.import_module(f"{package}.{MACHINERY}.notebook")
    follow = getattr(helpers, "shown_objects", lambda *objects: list(objects))
    show_source = f"{package}.{MACHINERY}.notebook.show_source"
    for number, source, tags in code_cells(notebook):
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            unresolved.append(f"{notebook.name}, cell {number}: not Python ({exc.msg}, line {exc.lineno})")
            continue
        for statement in tree.body:
            nodes = list(ast.walk(statement))
            for node in nodes:
                bind_imports(node, bindings)
            for node in nodes:
                if not isinstance(node, ast.Call) or tags & HIDDEN_TAGS:
                    continue
                func = dotted(node.func, bindings)
                if not (func == show_source or (func is None and isinstance(node.func, ast.Name)
                                                and node.func.id == "show_source")):
                    continue
                call = f"{notebook.name}, cell {number}: {ast.unparse(node)}"
                objects = []
                for arg in node.args:
                    where = f"{notebook.name}, cell {number}: show_source({ast.unparse(arg)})"
                    target = dotted(arg, bindings)
                    if target is None:
                        unresolved.append(f"{where}: not a name imported in the notebook (or an attribute of one)")
                    elif target != package and not target.startswith(package + "."):
                        unresolved.append(f"{where}: {target} is not from {package}")
                    else:
                        try:
                            objects.append(resolve(target))
                        except (ImportError, AttributeError) as exc:
                            unresolved.append(f"{where}: {target} cannot be resolved ({type(exc).__name__}: {exc})")
                try:
                    displayed = follow(*objects) if objects else []
                except (TypeError, ValueError) as exc:
                    unresolved.append(f"{call}: show_source refuses it ({exc})")
                    continue
                for obj in displayed:
                    obj = obj.fget if isinstance(obj, property) else obj
                    # getsourcelines follows __wrapped__ (a decorated function shows its own lines), and
                    # getsourcefile does not: unwrap first, or the file is the decorator's
                    obj = inspect.unwrap(obj)
                    name = f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}"
                    try:
                        lines, first = inspect.getsourcelines(obj)
                        path = Path(inspect.getsourcefile(obj)).resolve()
                    except (TypeError, OSError) as exc:
                        unresolved.append(f"{call}: {name} has no source ({exc})")
                        continue
                    first = max(first, 1)
                    shown.append(Shown(notebook.name, number, ast.unparse(node), name, path, first,
                                       first + len(lines) - 1))
    return shown, unresolved


def measure(root: Path = ROOT, package: str = PACKAGE, notebooks: Path | None = None) -> Measure:
    """Measure what the chapters (`notebooks`, default root/notebooks) show of the model in `root/package`.

    The package must be importable from `root` (the objects the chapters name are imported to find their source).
    """
    root = root.resolve()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    spec_origin = Path(importlib.import_module(package).__file__).resolve()
    if root / package not in spec_origin.parents:
        raise RuntimeError(f"{package} is imported from {spec_origin}, not from {root}: run with PYTHONPATH={root}")
    files = model_files(root, package)
    items = [item for path in files for item in items_of(path, module_name(root, path))]
    shown, unresolved = [], []
    for notebook in sorted((notebooks or root / "notebooks").glob("*.ipynb")):
        s, u = shown_in(notebook, package)
        shown += s
        unresolved += u
    lines_shown: dict[Path, set[int]] = {}
    for s in shown:
        lines_shown.setdefault(s.path, set()).update(range(s.first, s.last + 1))
    result = Measure(root, package, items, shown, unresolved, {p: count_lines(p) for p in files},
                     {p: count_lines(p) for p in machinery_files(root, package)})
    for item in items:
        result.shown_lines[item.name] = len(lines_shown.get(item.path, set()) & set(range(item.first, item.last + 1)))
    return result


def problems(result: Measure, not_shown: dict[str, str]) -> list[str]:
    """What keeps the measure from being true to NOT_SHOWN: a function or class neither shown nor listed, a
    listed one that is shown in full (or no longer exists), a listed one without a reason."""
    out = []
    names = {item.name for item in result.items}
    partly = {item.name for item in result.not_fully_shown()}
    for item in result.not_fully_shown():
        if item.name not in not_shown:
            shown = result.shown_lines[item.name]
            how = f"{shown} of its {item.lines} lines are shown" if shown else "no chapter shows it"
            out.append(f"{item.name} ({item.path.relative_to(result.root)}:{item.first}-{item.last}): {how}, "
                       f"and NOT_SHOWN does not list it: show it in a chapter, or list it with the reason")
    for name, reason in not_shown.items():
        if name not in names:
            out.append(f"NOT_SHOWN lists {name}, which is no top-level function or class of the model: remove it")
        elif name not in partly:
            out.append(f"NOT_SHOWN lists {name}, which a chapter shows in full: remove it")
        if not str(reason).strip():
            out.append(f"NOT_SHOWN lists {name} without a reason")
    return out


def readme_problem(text: str, percent: int) -> str | None:
    """None if the README states the measured share (one sentence, the integer percent); else what is wrong."""
    claims = README_CLAIM.findall(text)
    if not claims:
        return f"README.md has no sentence \"The chapters show {percent}% of the model's lines\""
    if len(claims) > 1:
        return f"README.md states the share {len(claims)} times ({', '.join(c + '%' for c in claims)}): once is enough"
    if int(claims[0]) != percent:
        return f"README.md says the chapters show {claims[0]}% of the model's lines; the measure says {percent}%"
    return None


def report(result: Measure, not_shown: dict[str, str]) -> str:
    rel = lambda p: p.relative_to(result.root)  # noqa: E731
    model_total = sum(result.model_files.values())
    py = {p: n for p, n in result.machinery_files.items() if p.suffix == ".py"}
    js = {p: n for p, n in result.machinery_files.items() if p.suffix == ".js"}
    every = {**result.model_files, **py}
    largest = max(every, key=every.get)
    largest_model = max(result.model_files, key=result.model_files.get)
    lines = [
        f"Model ({result.package}/, outside {result.package}/{MACHINERY}/): {model_total} lines in "
        f"{len(result.model_files)} modules; {result.item_lines} of them in {len(result.items)} top-level "
        f"functions and classes",
        f"Teaching machinery ({result.package}/{MACHINERY}/): {sum(py.values())} lines of Python in {len(py)} "
        f"modules, {sum(js.values())} of JavaScript (web/*.js)",
        f"The chapters show {result.total_shown} of the {result.item_lines} lines of the model's functions and "
        f"classes: {100 * result.share:.1f}% (README.md: \"The chapters show {result.percent}% of the model's "
        f"lines\")",
        f"Largest module: {rel(largest)}, {every[largest]} lines (of the model: {rel(largest_model)}, "
        f"{result.model_files[largest_model]} lines)",
    ]
    missing = result.not_fully_shown()
    lines.append(f"\nNot shown in full by any chapter: {len(missing)} functions and classes, "
                 f"{sum(i.lines - result.shown_lines[i.name] for i in missing)} lines")
    for item in missing:
        shown = result.shown_lines[item.name]
        part = f", {shown} shown" if shown else ""
        why = f"  NOT_SHOWN: {not_shown[item.name]}" if item.name in not_shown else "  (not in NOT_SHOWN)"
        lines.append(f"  {item.name}  {rel(item.path)}:{item.first}-{item.last} ({item.lines} lines{part}){why}")
    if result.unresolved:
        lines.append(f"\nshow_source arguments that are not objects of {result.package} (not measured):")
        lines += [f"  {u}" for u in result.unresolved]
    trouble = problems(result, not_shown)
    if trouble:
        lines.append(f"\nProblems ({len(trouble)}):")
        lines += [f"  {t}" for t in trouble]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/shown_code.py", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a function or class is neither shown nor in NOT_SHOWN, an entry is stale, "
                             "or a show_source argument is not an object of the package")
    args = parser.parse_args(argv)
    result = measure()
    print(report(result, NOT_SHOWN))
    return 1 if args.check and (problems(result, NOT_SHOWN) or result.unresolved) else 0


if __name__ == "__main__":
    sys.exit(main())
