"""An explorer on the website: its HTML view, and the web front end's files and JSON.

The website holds each explorer as its description (`Explorer.spec()`, JSON) for the front end
`lstm_book/teaching/web/explorer.js`, where `mirror.js`, a JavaScript copy of the scalar cell's arithmetic,
computes; beside it, the static figure at the defaults with its text alternative, what shows with JavaScript off.
In a notebook, `Explorer._repr_mimebundle_` gives both views: the widget for JupyterLab, this HTML for the site.
The JupyterLab widget loads the same front end (`front_end_esm`, `front_end_css`).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lstm_book.validation import LSTMInputError

__all__ = ["WEB_DIR", "front_end_esm", "front_end_css", "jsonable", "explorer_html", "explorer_mimebundle",
           "widget_and_html", "web_esm", "spec_json"]

#: The front end and the JavaScript mirror (served by the website, sent to JupyterLab by the widget).
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@functools.lru_cache(maxsize=1)
def front_end_esm() -> str:
    """explorer.js as the ES module anywidget loads (the same file the website loads as a classic script)."""
    source = (WEB_DIR / "explorer.js").read_text(encoding="utf-8")
    return source + "\nexport default { render: LSTMExplorer.render };\n"


@functools.lru_cache(maxsize=None)
def web_esm(names: tuple, entry: str) -> str:
    """The files `names` of web/, joined, as the ES module anywidget loads: its render is `entry`'s."""
    source = "\n".join((WEB_DIR / name).read_text(encoding="utf-8") for name in names)
    return source + f"\nexport default {{ render: {entry}.render }};\n"


@functools.lru_cache(maxsize=1)
def front_end_css() -> str:
    return (WEB_DIR / "explorer.css").read_text(encoding="utf-8")


def jsonable(value):
    """`value` with numpy arrays and numbers made plain lists and numbers, as the front end reads them."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.ndim else float(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


def spec_json(spec) -> str:
    """A view's description as JSON to hold in the page's <script> element: compact, no NaN, and no "</" that would
    end the element early."""
    return json.dumps(jsonable(spec), separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def explorer_html(explorer) -> str:
    """The explorer (an `Explorer`) as the website holds it: the description (for the front end and the mirror)
    and the static figure at the defaults with its text alternative (what shows with JavaScript off)."""
    spec = explorer.spec()
    payload = spec_json(spec)
    fig = explorer.figure()
    png = base64.b64encode(_png(fig)).decode("ascii")
    alt = html.escape(explorer.describe(), quote=True)
    live = ("Move a slider and the figure is recomputed in your browser." if explorer.mirror is not None else
            "This explorer runs your own code: it recomputes in Jupyter only.")
    return (
        f'<div class="lstm-explorer" data-lstm-explorer>'
        f'<script type="application/json" class="lstm-explorer-spec">{payload}</script>'
        f'<figure class="lstm-explorer-static"><img src="data:image/png;base64,{png}" alt="{alt}">'
        f'<figcaption>{html.escape(explorer.title)}: the figure at the default values. {live}</figcaption></figure>'
        f"</div>"
    )


def explorer_mimebundle(explorer, include=None, exclude=None):
    """What a notebook shows of the explorer: the widget for JupyterLab, and `explorer_html` for the website.

    An explorer driven by the reader's own functions that cannot draw says why in words, not in a traceback.
    """
    if explorer.own:
        try:
            explorer.data()
        except NotImplementedError:
            text = (f"Your {', '.join(explorer.own)} is not written yet: write it in the exercise, run its cell, "
                    f"then run this cell again.")
            return {"text/plain": text, "text/html": f"<p>{html.escape(text)}</p>"}
        except LSTMInputError as error:
            return {"text/plain": str(error), "text/html": f"<p>{html.escape(str(error))}</p>"}
    bundle = explorer.widget()._repr_mimebundle_(include=include, exclude=exclude)
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    data = dict(data)
    data["text/html"] = explorer_html(explorer)
    return (data, metadata) if isinstance(bundle, tuple) else data


def widget_and_html(widget, page: str, include=None, exclude=None):
    """A live view's output: the widget's bundle for JupyterLab, with `page` as its text/html for the website."""
    bundle = widget._repr_mimebundle_(include=include, exclude=exclude)
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    data = {**data, "text/html": page}
    return (data, metadata) if isinstance(bundle, tuple) else data


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()
