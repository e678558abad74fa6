"""The architecture of the package (issue 19), checked: the model (every module of `lstm_book` outside
`lstm_book.teaching`) is numpy code a reader can read in full; the teaching machinery sits beside it.

* import layers: the contracts of `[tool.importlinter]` in pyproject.toml, run by `lint-imports` (the model never
  imports `lstm_book.teaching`, nor matplotlib, ipywidgets, anywidget, IPython or traitlets; no import cycle
  between sibling modules or subpackages), and no import cycle between any two modules of `lstm_book` at all
  (a module and its own package's `__init__` included, which the contract does not see);
* one checked surface: no module of `lstm_book.teaching` and no chapter's code imports a private name of the
  model (`from lstm_book.fast import _forward`), a private model module, or a model module's private attribute;
* module size: every .py file under lstm_book/, book/_ext/ and tools/ has at most 400 lines.

Each check is a function of the graph or of the sources, and each is shown to reject a deliberately broken input.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from shown_code import code_cells  # noqa: E402  (one reader of the notebooks' code cells for both checks)

PACKAGE = "lstm_book"
MACHINERY = f"{PACKAGE}.teaching"
MAX_LINES = 400
SIZE_CHECKED = ("lstm_book", "book/_ext", "tools")
CONTRACT_TYPES = {c.type_name: c for c in (AcyclicSiblingsContract, ForbiddenContract, IndependenceContract,
                                            LayersContract, ProtectedContract)}


# ---- the checks ----------------------------------------------------------------------------------------------

def broken_contracts(graph: grimp.ImportGraph, config: dict) -> list[str]:
    """The names of the contracts of `config` (as importlinter.api.read_configuration gives it) that `graph`
    breaks; each contract is checked on its own copy of the graph, as lint-imports does."""
    broken = []
    for options in config["contracts_options"]:
        contract = CONTRACT_TYPES[options["type"]](name=options["name"], session_options=config["session_options"],
                                                   contract_options=options)
        if not contract.check(copy.deepcopy(graph), verbose=False).kept:
            broken.append(options["name"])
    return broken


def import_cycles(graph: grimp.ImportGraph, package: str = PACKAGE) -> list[list[str]]:
    """Every set of modules of `package` that import each other in a circle (the strongly connected components
    of the import graph with more than one module, or a module importing itself), each as 'a -> b (line n)'."""
    internal = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in internal) for m in internal}
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):  # Tarjan's algorithm; the graphs are small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges[v]:
                components.append(sorted(component))

    for v in internal:
        if v not in index:
            visit(v)
    out = []
    for component in sorted(components):
        links = []
        for a in component:
            for b in edges[a]:
                if b in component:
                    lines = sorted({d["line_number"] for d in graph.get_import_details(importer=a, imported=b)
                                    if d["line_number"] is not None})
                    links.append(f"{a} -> {b}" + (f" (line {', '.join(map(str, lines))})" if lines else ""))
        out.append(links)
    return out


def model_modules(root: Path = ROOT, package: str = PACKAGE) -> set[str]:
    """The dotted names of the model's modules: every module of the package outside its teaching subpackage."""
    names = set()
    for path in (root / package).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if name != MACHINERY and not name.startswith(MACHINERY + "."):
            names.add(name)
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(cells: list[str], model: set[str], *, module: str | None = None, is_package: bool = False,
                    cell_names: list[str] | None = None) -> list[str]:
    """Where code imports something private of the model: a private name (`from lstm_book.fast import
    _forward`), a private model module (`import lstm_book._impl`), or a model module's private attribute
    (`fast._forward` after `from lstm_book import fast`, or `getattr(fast, "_forward")`).

    `cells` are the sources, read in order (a module's text, or a notebook's code cells), named in the messages
    by `cell_names` (default "cell 1", "cell 2", ... when there are several); `module` is the importing module's
    dotted name, for relative imports (None in a notebook). Dunder names are not private.
    """
    if cell_names is None:
        cell_names = [f"cell {n}" for n in range(1, len(cells) + 1)] if len(cells) > 1 else [""]
    found = []
    bound: dict[str, str] = {}  # local name -> the model module it refers to

    def module_of(expr) -> str | None:
        if isinstance(expr, ast.Name):
            return bound.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = module_of(expr.value)
            if base is not None and f"{base}.{expr.attr}" in model:
                return f"{base}.{expr.attr}"
        return None

    def private_module(name: str) -> bool:
        parts = name.split(".")
        return parts[0] == PACKAGE and not name.startswith(MACHINERY) and any(_private(p) for p in parts[1:])

    for cell_name, source in zip(cell_names, cells):
        tree = ast.parse(source)
        for statement in tree.body:
            for node in ast.walk(statement):
                where = (f"{cell_name}, " if cell_name else "") + f"line {getattr(node, 'lineno', '?')}"
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if private_module(alias.name):
                            found.append(f"{where}: import {alias.name}: a private module of the model")
                        local = alias.asname or alias.name.split(".")[0]
                        target = alias.name if alias.asname else alias.name.split(".")[0]
                        if target in model:
                            bound[local] = target
                        else:
                            bound.pop(local, None)
                elif isinstance(node, ast.ImportFrom):
                    base = _absolute(node, module, is_package)
                    if base is None:
                        continue
                    if private_module(base):
                        found.append(f"{where}: from {base} import ...: a private module of the model")
                    for alias in node.names:
                        local = alias.asname or alias.name
                        if base in model and _private(alias.name):
                            found.append(f"{where}: from {base} import {alias.name}: a private name of the model")
                        if f"{base}.{alias.name}" in model:
                            bound[local] = f"{base}.{alias.name}"
                        else:
                            bound.pop(local, None)
                elif isinstance(node, ast.Attribute) and _private(node.attr):
                    owner = module_of(node.value)
                    if owner is not None:
                        found.append(f"{where}: {ast.unparse(node)}: the private attribute {node.attr} of {owner}")
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                      and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                      and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
                    owner = module_of(node.args[0])
                    if owner is not None:
                        found.append(f"{where}: {ast.unparse(node)}: the private attribute "
                                     f"{node.args[1].value} of {owner}")
    return found


def _absolute(node: ast.ImportFrom, module: str | None, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    if module is None:
        return None
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if node.level - 1 >= len(parts):
        return None
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def oversized(paths, limit: int = MAX_LINES) -> list[tuple[Path, int]]:
    """The files of `paths` with more than `limit` lines (as `wc -l` counts them), with their lengths."""
    lengths = {Path(p): len(Path(p).read_text(encoding="utf-8").splitlines()) for p in paths}
    return [(p, n) for p, n in sorted(lengths.items()) if n > limit]


# ---- the real package ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph():
    origin = Path(importlib.util.find_spec(PACKAGE).origin).resolve()
    if ROOT / PACKAGE not in origin.parents:
        pytest.fail(f"{PACKAGE} would be read from {origin}, not from this checkout: run with PYTHONPATH={ROOT}")
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


@pytest.fixture(scope="module")
def config():
    return read_configuration(str(ROOT / "pyproject.toml"))


def test_lint_imports_keeps_every_contract():
    """The command a developer runs: `lint-imports` at the repository's root, with pyproject.toml's contracts."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                          "sys.exit(lint_imports_command())", "--no-cache"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    report = run.stdout[run.stdout.find("Contracts"):]  # without the logo
    assert run.returncode == 0, f"lint-imports found broken contracts:\n{report[-4000:]}{run.stderr[-2000:]}"
    assert "0 broken" in run.stdout and "kept" in run.stdout.lower()


def test_no_import_cycle_between_any_two_modules(graph):
    cycles = import_cycles(graph)
    assert not cycles, "modules of lstm_book that import each other in a circle:\n" + "\n".join(
        "  " + "; ".join(c) for c in cycles)


def test_the_teaching_machinery_and_the_chapters_use_no_private_name_of_the_model():
    model = model_modules()
    found = []
    for path in sorted((ROOT / MACHINERY.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found += [f"{path.relative_to(ROOT)}, {f}" for f in
                  private_imports([path.read_text(encoding="utf-8")], model, module=name, is_package=is_package)]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = code_cells(notebook)
        found += [f"{notebook.relative_to(ROOT)}, {f}" for f in private_imports(
            [source for _, source, _ in cells], model, cell_names=[f"cell {index}" for index, _, _ in cells])]
    assert not found, ("private names of the model used outside it (make them public, or show the public "
                       "function that calls them):\n" + "\n".join("  " + f for f in found))


def test_no_module_is_longer_than_400_lines():
    paths = [p for d in SIZE_CHECKED for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts]
    assert len(paths) > 20  # the folders are there
    too_long = oversized(paths)
    assert not too_long, f"modules longer than {MAX_LINES} lines (split them):\n" + "\n".join(
        f"  {p.relative_to(ROOT)}: {n} lines" for p, n in too_long)


# ---- each check rejects what it should -----------------------------------------------------------------------

def fake_graph(*extra: tuple[str, str]) -> grimp.ImportGraph:
    """A small lstm_book that keeps every contract, plus the `extra` imports (importer, imported)."""
    g = grimp.ImportGraph()
    for m in ["lstm_book", "lstm_book.cell", "lstm_book.fast", "lstm_book.equations", "lstm_book.teaching",
              "lstm_book.teaching.figures", "lstm_book.teaching.figures.plots", "lstm_book.teaching.explorers"]:
        g.add_module(m)
    for m in ["numpy", "matplotlib", "anywidget", "traitlets", "IPython"]:
        g.add_module(m, is_squashed=True)
    for n, (a, b) in enumerate([
        ("lstm_book", "lstm_book.cell"), ("lstm_book", "lstm_book.equations"), ("lstm_book.cell", "lstm_book.equations"),
        ("lstm_book.cell", "numpy"), ("lstm_book.fast", "lstm_book.cell"), ("lstm_book.fast", "numpy"),
        ("lstm_book.teaching.figures", "lstm_book.teaching.figures.plots"),
        ("lstm_book.teaching.figures.plots", "matplotlib"), ("lstm_book.teaching.figures.plots", "lstm_book.cell"),
        ("lstm_book.teaching.explorers", "lstm_book.teaching.figures.plots"),
        ("lstm_book.teaching.explorers", "anywidget"), ("lstm_book.teaching.explorers", "traitlets"),
        ("lstm_book.teaching.explorers", "IPython"), ("lstm_book.teaching.explorers", "lstm_book.fast"),
        *extra,
    ], start=1):
        g.add_import(importer=a, imported=b, line_number=n, line_contents=f"import {b}")
    return g


CONTRACT_NAMES = {"teaching": "The model never imports the teaching machinery",
                  "display": "The model imports no plotting, widget or notebook library",
                  "cycles": "No import cycle between the modules or subpackages"}


def broken_kinds(graph, config) -> set[str]:
    broken = broken_contracts(graph, config)
    return {kind for kind, start in CONTRACT_NAMES.items() for name in broken if name.startswith(start)}


def test_the_contracts_are_the_ones_this_file_breaks(config):
    names = [c["name"] for c in config["contracts_options"]]
    assert all(any(n.startswith(start) for n in names) for start in CONTRACT_NAMES.values()), names
    assert config["session_options"]["include_external_packages"].lower() == "true"


@pytest.mark.parametrize("extra, kinds", [
    # the machinery imports the model, so a model module importing it is also a cycle between siblings
    ([("lstm_book.fast", "lstm_book.teaching.figures.plots")], {"teaching", "cycles"}),
    ([("lstm_book.equations", "lstm_book.teaching")], {"teaching", "cycles"}),
    ([("lstm_book", "lstm_book.teaching.explorers")], {"teaching"}),  # the package's __init__ is no sibling
    ([("lstm_book.equations", "matplotlib")], {"display"}),
    ([("lstm_book", "IPython")], {"display"}),
    ([("lstm_book.cell", "traitlets")], {"display"}),
    ([("lstm_book.cell", "lstm_book.fast")], {"cycles"}),
    ([("lstm_book.teaching.figures.plots", "lstm_book.teaching.explorers")], {"cycles"}),
])
def test_each_contract_rejects_a_graph_that_breaks_it(config, extra, kinds):
    assert broken_kinds(fake_graph(), config) == set()  # the baseline: teaching imports matplotlib and widgets
    assert broken_kinds(fake_graph(*extra), config) == kinds


def test_import_cycles_finds_every_circle():
    assert import_cycles(fake_graph()) == []
    assert import_cycles(fake_graph(("lstm_book.cell", "lstm_book.fast"))) == [
        ["lstm_book.cell -> lstm_book.fast (line 15)", "lstm_book.fast -> lstm_book.cell (line 5)"]]
    # through a package's own __init__, which the acyclic_siblings contract does not look at
    assert import_cycles(fake_graph(("lstm_book.equations", "lstm_book"))) == [
        ["lstm_book -> lstm_book.cell (line 1)", "lstm_book -> lstm_book.equations (line 2)",
         "lstm_book.cell -> lstm_book.equations (line 3)", "lstm_book.equations -> lstm_book (line 15)"]]
    three = import_cycles(fake_graph(("lstm_book.equations", "lstm_book.teaching.explorers")))
    # equations -> explorers -> fast -> cell -> equations, and explorers -> plots -> cell on the way
    assert len(three) == 1 and len(three[0]) == 6 and "lstm_book.cell -> lstm_book.equations (line 3)" in three[0]
    assert import_cycles(fake_graph(("lstm_book.cell", "lstm_book.cell"))) == [
        ["lstm_book.cell -> lstm_book.cell (line 15)"]]


MODEL = {"lstm_book", "lstm_book.fast", "lstm_book.cell", "lstm_book.variants"}


@pytest.mark.parametrize("source", [
    "from lstm_book.fast import _forward",
    "from lstm_book.fast import stack_params, _forward as forward",
    "from lstm_book import _private",
    "from lstm_book.variants import (\n    Variant,\n    _gru_forward,\n)",
    "import lstm_book._impl",
    "from lstm_book._impl import thing",
    "import lstm_book.fast as fast\nfast._forward(1)",
    "from lstm_book import fast\nf = fast._forward",
    "import lstm_book\nlstm_book.fast._forward",
    "import lstm_book.fast\nlstm_book.fast._forward",
    "from lstm_book import fast\ngetattr(fast, '_forward')",
])
def test_private_imports_are_found(source):
    assert len(private_imports([source], MODEL)) == 1


def test_private_imports_across_cells_and_relative_imports():
    found = private_imports(["import numpy as np", "from lstm_book import fast", "x = fast._forward"], MODEL)
    assert found == ["cell 3, line 1: fast._forward: the private attribute _forward of lstm_book.fast"]
    assert private_imports(["from lstm_book.fast import _forward"], MODEL, cell_names=["cell 7"]) == [
        "cell 7, line 1: from lstm_book.fast import _forward: a private name of the model"]
    # a teaching module reaching the model with a relative import
    assert private_imports(["from ...fast import _forward"], MODEL, module="lstm_book.teaching.checkers.part2")
    assert private_imports(["from ... import _x"], MODEL, module="lstm_book.teaching.explorers", is_package=True)
    assert not private_imports(["from .. import _x"], MODEL, module="lstm_book.teaching.explorers", is_package=True)


@pytest.mark.parametrize("source", [
    "from lstm_book.fast import stack_params, lstm_forward",
    "from lstm_book.teaching.explorers.core import _helper",  # the machinery's own private names are its own
    "from .core import _helper",  # (relative, inside the machinery)
    "import numpy as np\nnp._NoValue",
    "from lstm_book import LSTMParams\nLSTMParams._fields",  # an attribute of a class, not of a module
    "import lstm_book\nlstm_book.__file__",
])
def test_public_imports_pass(source):
    assert private_imports([source], MODEL, module="lstm_book.teaching.explorers.learning") == []


def test_oversized_lists_the_files_over_the_limit(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n" * 400)
    (tmp_path / "long.py").write_text("x = 1\n" * 401)
    (tmp_path / "no_newline.py").write_text("x = 1\n" * 400 + "y = 2")  # a last line without its newline counts
    assert oversized([tmp_path / "ok.py", tmp_path / "long.py", tmp_path / "no_newline.py"]) == [
        (tmp_path / "long.py", 401), (tmp_path / "no_newline.py", 401)]
