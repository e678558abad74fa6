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
    text = "\n\n".join(inspect.getsource(o) for o in objects)
    return Code(text, language="python")
