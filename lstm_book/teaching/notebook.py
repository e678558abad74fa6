"""Helpers for the chapters: show the package's own source in a notebook."""

from __future__ import annotations

import inspect
import types

__all__ = ["show_source", "shown_objects"]


def show_source(*objects):
    """The source of functions or classes of `lstm_book`, syntax-highlighted, as the chapter shows it.

    The chapters never paste a copy of a function: they display the one that runs, from the package. After each
    function comes the code it hands its work to, so that every line that computes is on the page: the model's
    private functions of the same module that it calls (the loop that `lstm_forward` runs after checking its
    inputs, `_forward`, ...), in the order it calls them. The input checks (`_check...`) are not shown, and a
    private function that is the body of another public one (`_cross_entropy` of `cross_entropy`) is shown only
    with that one. See `shown_objects`.
    """
    from IPython.display import Code

    text = "\n\n".join(inspect.getsource(o) for o in shown_objects(*objects))
    return Code(text, language="python")


def shown_objects(*objects) -> list:
    """What `show_source(*objects)` shows, in order: each object, each followed by the private functions it runs.

    A private function `_f` of the same model module is followed when the object's code names it, unless it is an
    input check (its name starts with ``_check``) or it is the body of another public function of that module
    (there is a public `f` and the object is not `f`). Each object appears once.
    """
    if not objects:
        raise ValueError("show_source: pass at least one function or class")
    for number, o in enumerate(objects, start=1):
        if not (inspect.isfunction(o) or inspect.isclass(o) or inspect.ismethod(o) or inspect.ismodule(o)):
            raise TypeError(
                f"show_source: argument {number} should be a function, class or module written in Python "
                f"(e.g. show_source(lstm_step)), but got {o!r:.60} ({type(o).__name__})"
            )
        try:
            inspect.getsource(o)
        except (OSError, TypeError) as exc:
            raise TypeError(f"show_source: argument {number} ({getattr(o, '__name__', o)!r}) has no Python "
                            f"source to show ({exc})") from None
    shown: list = []
    for o in objects:
        _follow(o, getattr(o, "__name__", ""), shown)
    return shown


def _follow(o, root: str, shown: list) -> None:
    if any(o is s for s in shown):
        return
    shown.append(o)
    module = inspect.getmodule(o)
    if module is None or not _in_model(module.__name__) or inspect.ismodule(o):
        return
    for name in _names_used(o):
        if not name.startswith("_") or name.startswith("__") or name.startswith("_check"):
            continue
        target = vars(module).get(name)
        if not inspect.isfunction(target) or target.__module__ != module.__name__:
            continue
        partner = vars(module).get(name[1:])
        if callable(partner) and name[1:] != root:   # the body of another public function: shown with that one
            continue
        _follow(target, root, shown)


def _in_model(module: str) -> bool:
    return module.startswith("lstm_book.") and not module.startswith("lstm_book.teaching")


def _names_used(o) -> list[str]:
    """The global names an object's code uses, in order of first use (functions, methods, nested code)."""
    codes = []
    if inspect.isclass(o):
        codes = [inspect.unwrap(f).__code__ for f in vars(o).values() if inspect.isfunction(f)]
    elif inspect.isfunction(o) or inspect.ismethod(o):
        codes = [inspect.unwrap(o).__code__]
    names: list[str] = []
    while codes:
        code = codes.pop(0)
        names += [n for n in code.co_names if n not in names]
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names
