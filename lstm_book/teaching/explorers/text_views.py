"""The text view's views: the website's HTML, the JupyterLab widget, and the static text (JavaScript off).

Both live views draw with lstm_book/teaching/web/textview.js (beside explorer.js, whose helpers it uses): on the
website mirror.js's `charlm` computes from the weights the page loads (`text_view.weights_script`, served by
book/_ext/offline_assets.py on the pages that show a text view); in JupyterLab the kernel computes (`TextView.read`
and `TextView.sample`, with the package, or the reader's own equations).
"""

from __future__ import annotations

import functools
import html

from lstm_book.validation import LSTMInputError, check_integer

from .html_view import front_end_css, jsonable, spec_json, web_esm, widget_and_html

__all__ = ["text_html", "text_widget", "text_mimebundle", "textview_esm", "NOTE_WEB", "NOTE_KERNEL"]

NOTE_WEB = ("Type in the box: your browser runs the trained network on your text (a JavaScript copy of lstm_book's "
            "forward pass, held to its numbers by the book's tests) and colours each character by the unit you pick.")
NOTE_KERNEL = "Type in the box: Python runs the trained network on your text with lstm_book."


def _visible(ch: str) -> str:
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(ch, ch)


def static_text(view) -> str:
    """The default text coloured by the first unit of the picker, and its guesses: what shows with JavaScript off."""
    first = view.units[0]
    got = view.read(view.text, first["part"], first["unit"])
    spans = "".join(f'<span style="background:{colour}">{html.escape(ch)}</span>'
                    for ch, colour in zip(view.text, got["colours"]))
    guesses = ", ".join(f"{html.escape(_visible(ch))} {p:.0%}" for ch, p in got["guesses"])
    return (f'<div class="lstm-textview-static"><pre class="lstm-textview-text">{spans}</pre>'
            f'<p class="lstm-explorer-kernel-only">{html.escape(view.title)}: the text above coloured by '
            f'{html.escape(first["label"])} ({html.escape(view.spec()["parts"][first["part"]]["label"])}); the '
            f'model\'s guesses for the next character: {guesses}. With JavaScript on, type your own text.</p></div>')


def text_html(view) -> str:
    """The view as the website holds it: the description for textview.js and the static text."""
    spec = {**view.spec(), "note": NOTE_WEB}
    payload = spec_json(spec)
    return (f'<div class="lstm-explorer" data-lstm-textview>'
            f'<script type="application/json" class="lstm-textview-spec">{payload}</script>'
            f'{static_text(view)}</div>')


def textview_esm() -> str:
    """explorer.js (its helpers), mirror.js and textview.js as the ES module anywidget loads."""
    return web_esm(("explorer.js", "mirror.js", "textview.js"), "LSTMTextView")


@functools.lru_cache(maxsize=1)
def _widget_class():
    import anywidget
    import traitlets

    class TextWidget(anywidget.AnyWidget):
        """The live text view in Jupyter: the front end sends {"type": "read", "text", "part", "unit", "cursor"}
        or {"type": "sample", "temperature", "seed", "prompt"}; the kernel answers with what `TextView` computes.
        From a cell: ``w.show(text=..., unit=..., part=...)`` drives it; ``w.last`` is the last answer sent."""

        _esm = traitlets.Unicode(textview_esm()).tag(sync=True)
        _css = traitlets.Unicode(front_end_css()).tag(sync=True)
        spec = traitlets.Dict().tag(sync=True)

        def __init__(self, view):
            super().__init__(spec=jsonable({**view.spec(), "note": NOTE_KERNEL, "weights": None}))
            self.view, self.last = view, None
            self.on_msg(self._on_message)

        def _on_message(self, _widget, content, _buffers):
            if not isinstance(content, dict) or content.get("type") not in ("read", "sample"):
                return
            try:
                if content["type"] == "read":
                    answer = self.view.read(str(content.get("text", "")), content.get("part", "c"),
                                            content.get("unit", 0), content.get("cursor"))
                else:
                    answer = {"text": self.view.sample(content.get("temperature", 0.8), content.get("seed", 1),
                                                       str(content.get("prompt", "")))}
            except Exception as error:                             # the reader's own equations may fail: say so
                answer = {"error": f"{type(error).__name__}: {error}"}
            self.last = {"type": content["type"], "seq": content.get("seq"), **answer}
            self.send(self.last)

        def show(self, text: str | None = None, unit: int | None = None, part: str | None = None) -> None:
            """Drive the view from a cell: put `text` in the box (the cursor at its end), pick entry `unit` of the
            unit picker (an index into its list) or `part` ("c", "h", "i", "j", "f", "o"); the view reads it as if
            typed. ``w.last`` then holds what the kernel computed for it."""
            message = {"type": "set"}
            if text is not None:
                if not isinstance(text, str):
                    raise LSTMInputError(f"show: argument 'text' should be a string, but got {type(text).__name__}")
                message["text"] = text
            if unit is not None:
                message["choice"] = check_integer(unit, func="show", arg="unit", low=0, high=len(self.view.units) - 1)
            if part is not None:
                if part not in self.spec["part_order"]:
                    raise LSTMInputError(f"show: argument 'part' should be one of {self.spec['part_order']}, but got "
                                         f"{part!r:.40}")
                message["part"] = part
            self.send(message)

    return TextWidget


def text_widget(view):
    return _widget_class()(view)


def text_mimebundle(view, include=None, exclude=None):
    """The widget for JupyterLab and `text_html` for the website (as an explorer's output)."""
    return widget_and_html(text_widget(view), text_html(view), include, exclude)
