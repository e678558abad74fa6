"""An explorer's live view in JupyterLab: `ExplorerWidget`, an anywidget whose front end is explorer.js.

On every slider move the front end asks Python for the data, and `Explorer.data` computes them with
`lstm_book`, so that the reader's own functions can drive the figure. The class is made on first use
(`widget_class`), so that anywidget is imported only when a widget is made; `Explorer.widget()` makes one, and
``from lstm_book.teaching.explorers import ExplorerWidget`` gives the class.
"""

from __future__ import annotations

import functools

import numpy as np

from lstm_book.validation import LSTMInputError

from .html_view import front_end_css, front_end_esm, jsonable

__all__ = ["widget_class"]


@functools.lru_cache(maxsize=1)
def widget_class(explorer_type: type):
    """The class `ExplorerWidget`, the live view of an explorer of class `explorer_type` (`Explorer`)."""
    import anywidget
    import traitlets

    class ExplorerWidget(anywidget.AnyWidget):
        """The live view of an `Explorer` in Jupyter (see `lstm_book.teaching.explorers`).

        The front end sends a custom message {"type": "request", "values": {...}, "seq": n} whenever a slider
        moves; Python answers with {"type": "data", "data": {...the arrays as lists..., "seq": n}} (messages, not
        synced state: no echo, less work per move). From code: ``w.set(b_f=4.0)`` (through the `request` trait,
        answered in the `data` trait, which the front end draws too), ``w.values()``, ``w.arrays()``.
        """

        _esm = traitlets.Unicode(front_end_esm()).tag(sync=True)
        _css = traitlets.Unicode(front_end_css()).tag(sync=True)
        spec = traitlets.Dict().tag(sync=True)
        request = traitlets.Dict().tag(sync=True)
        data = traitlets.Dict().tag(sync=True)

        def __init__(self, explorer):
            if not isinstance(explorer, explorer_type):
                raise LSTMInputError(f"ExplorerWidget: argument 'explorer' should be an Explorer (e.g. "
                                     f"gate_explorer('f')), but got {type(explorer).__name__}")
            spec = explorer.spec()
            spec["note"] = ("Move a slider (or focus it and use the arrow keys): Python recomputes the figure "
                            "with lstm_book.")
            spec["mirror"] = None  # the kernel computes here
            spec["transport"] = "message"  # the page's requests and their answers travel as custom messages
            data = spec.pop("data")
            super().__init__(spec=spec, data=data)
            self.explorer = explorer
            self._values = explorer.defaults()
            self.on_msg(self._on_message)

        def _answer(self, request) -> dict:
            values = self.explorer.values(**request.get("values", {}))
            data = jsonable(self.explorer.data(**values))
            data["seq"] = request.get("seq")
            if request.get("by") == "code":  # set() or reset(): the front end moves its sliders to these values
                data["seq"], data["values"] = None, dict(values)
            self._values = values
            return data

        def _on_message(self, _widget, content, _buffers):
            if isinstance(content, dict) and content.get("type") == "request":
                data = self._answer(content)
                self._last = data
                self.send({"type": "data", "data": data})

        @traitlets.observe("request")
        def _on_request(self, change):
            self.data = self._last = self._answer(change["new"] or {})

        def values(self) -> dict[str, float]:
            """The slider values drawn last."""
            return dict(self._values)

        def set(self, **changes: float) -> None:
            """Move sliders from code (as the reader's hand does): the figure is recomputed and the sliders on
            screen move there."""
            values = self.explorer.values(**{**self.values(), **changes})
            self.request = {"values": values, "seq": (self.request or {}).get("seq", 0) + 1, "by": "code"}

        def reset(self) -> None:
            """Every slider back to its default."""
            self.request = {"values": self.explorer.defaults(), "seq": (self.request or {}).get("seq", 0) + 1,
                            "by": "code"}

        def arrays(self) -> dict[str, np.ndarray]:
            """The data drawn last, as numpy arrays."""
            last = getattr(self, "_last", None) or self.data
            return {k: np.asarray(v) for k, v in last.items() if k not in ("seq", "values")}

    return ExplorerWidget
