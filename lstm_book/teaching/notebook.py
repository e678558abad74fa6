"""Helpers for the chapters: show the package's own source in a notebook."""

from __future__ import annotations

import inspect


def show_source(*objects):
    """The source of functions or classes of `lstm_book`, syntax-highlighted, as the chapter shows it.

    The chapters never paste a copy of a function: they display the one that runs, from the package.
    """
    from IPython.display import Code

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
    text = "\n\n".join(inspect.getsource(o) for o in objects)
    return Code(text, language="python")
