"""Interactive explorers: data first, widget second.

An `Explorer` is a description: its sliders (a name as in the equations, a range, a default), a pure
`compute` function from slider values to the arrays to draw (numpy, from `lstm_book`), the panels to draw
(which quantities, in the colours of `lstm_book.plots.STYLE`), the events of the input signal and any
reference lines. From that one description come

* the live view in JupyterLab, `Explorer.widget()`: the front end `lstm_book/web/explorer.js` (an anywidget)
  draws, and on every slider move Python computes with `compute`, so the reader's own code can drive it;
* the live view on the website: the same front end, where `lstm_book/web/mirror.js`, a JavaScript copy of the
  scalar cell's arithmetic, computes (`spec()["mirror"]` names the computation and its fixed inputs);
  tests/test_mirror.py holds that copy to this package's numbers;
* the static figure (`Explorer.figure`, matplotlib): at the defaults it is what the website shows with
  JavaScript off, and with other values it is the figure of a guided observation;
* tests, which set values in code and check what was computed and drawn (`Explorer.data`, `ExplorerWidget`).

Guided observations are data too: ``explorer.with_observations([("2. b_o = 6", {"b_o": 6.0}), ...])`` gives the
explorer its chapter's settings. The live view draws one button per setting that moves every slider there (the
sliders not named back to their defaults), exactly as a hand on the sliders would; `Explorer.observations()`
draws the same settings as small multiples (the print and no-JavaScript version), and a figure of some of them
names them by label (``explorer.observations(["2. b_o = 6"])``, ``explorer.figure(observation="2. b_o = 6")``), so
that a chapter writes each setting once.

Adding an explorer: write its compute function (slider values -> dict of arrays, with "t"), describe it with
`Explorer(...)`, and, for it to respond on the website, give `mirror=` a computation that `mirror.js` knows
(or register a new one there and add it to tests/test_mirror.py). The front end needs no change.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from lstm_book.cell import LSTMParams, lstm_forward, scalar_params
from lstm_book.equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate
from lstm_book.teaching.figures.plots import EVENT_STYLE, REFERENCE_COLOURS, STYLE, fixed_limits, plain_label, plot_series
from lstm_book.tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params
from lstm_book.validation import LSTMInputError, check_integer, check_number, trusted

__all__ = [
    "Slider",
    "Panel",
    "ReferenceLine",
    "Explorer",
    "ExplorerWidget",
    "running_example_data",
    "leaky_integrator_data",
    "full_cell_explorer",
    "gate_explorer",
    "hidden_state_explorer",
    "cell_state_explorer",
    "WEB_DIR",
]

#: The front end and the JavaScript mirror (served by the website, sent to JupyterLab by the widget).
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@dataclass(frozen=True)
class Slider:
    """One parameter of an explorer: `name` as in the equations (plain text: w_xf, b_f), its range and default.

    `label` is what the page shows (the name, unless given).
    """

    name: str
    low: float
    high: float
    default: float
    step: float = 0.1
    label: str | None = None

    def __post_init__(self):
        for arg in ("low", "high", "default", "step"):
            check_number(getattr(self, arg), func=f"Slider {self.name!r}", arg=arg)
        if not self.low < self.high or not self.step > 0:
            raise LSTMInputError(f"Slider {self.name!r}: arguments 'low' < 'high' and 'step' > 0 are needed, but got "
                                 f"low={self.low}, high={self.high}, step={self.step}")
        if not self.low <= self.default <= self.high:
            raise LSTMInputError(f"Slider {self.name!r}: argument 'default' = {self.default} is outside the range "
                                 f"of arguments 'low' = {self.low} and 'high' = {self.high}")


@dataclass(frozen=True)
class Panel:
    """One panel of an explorer's figure: the quantities it draws (names of `lstm_book.plots.STYLE`)."""

    series: tuple[str, ...]
    scale: str = "linear"  # or "log": the magnitudes |value| on a log axis (gradients spanning decades)

    def __post_init__(self):
        if self.scale not in ("linear", "log"):
            raise LSTMInputError(f"Panel: argument 'scale' should be 'linear' or 'log', but got {self.scale!r}")

    @property
    def limits(self):
        """Fixed y-limits for gates (0..1) and bounded quantities (-1..1); None: fitted to the data."""
        return fixed_limits(self.series) if self.scale == "linear" else None


@dataclass(frozen=True)
class ReferenceLine:
    """A reference line in the last panel: horizontal at the value `key` of the data, or vertical (a time)."""

    label: str        # legend, plain text with subscripts as c_t: "fixed point c* = i·j/(1 − f)"
    key: str          # the data entry holding the value, e.g. "c_star"
    orientation: str  # "h" or "v"
    colour: str
    text: str         # for the text alternative: "fixed point c*"


@dataclass(frozen=True)
class Explorer:
    """Sliders, a compute function and the panels it draws (see the module docstring)."""

    title: str
    sliders: tuple[Slider, ...]
    compute: Callable[..., Mapping[str, np.ndarray]]
    panels: tuple[Panel, ...]
    caption: str                                   # one sentence: what the figure shows
    events: Mapping[str, object] | None = None     # {"pulse": 5, "distractions": (13, ...), "reset": 50}
    lines: tuple[ReferenceLine, ...] = ()
    mirror: Mapping[str, object] | None = None     # the website's computation; None: live in Jupyter only
    columns: int = 1
    own: tuple[str, ...] = ()                      # the equations replaced by the reader's own functions
    guided: tuple[tuple[str, Mapping[str, float]], ...] = ()  # the guided observations: (label, slider changes)
    _names: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_names", tuple(s.name for s in self.sliders))
        object.__setattr__(self, "guided", self._checked_settings(self.guided, "guided") if self.guided else ())

    def defaults(self) -> dict[str, float]:
        """The slider values the explorer starts from (and the website shows)."""
        return {s.name: s.default for s in self.sliders}

    def values(self, **changes: float) -> dict[str, float]:
        """The defaults with `changes` applied, each checked against its slider's range."""
        values = self.defaults()
        for name, value in changes.items():
            if name not in values:
                raise LSTMInputError(f"{self.title}: no slider named {name!r}; the sliders are {list(self._names)}")
            slider = next(s for s in self.sliders if s.name == name)
            number = check_number(value, func=self.title, arg=name)  # refuses bool, str, NaN, ...
            if not slider.low <= number <= slider.high:
                raise LSTMInputError(
                    f"{self.title}: slider {name!r} should be a number in [{slider.low}, {slider.high}], but got {value!r}"
                )
            values[name] = number
        return values

    def with_observations(self, settings: Sequence[tuple[str, Mapping[str, float]]]) -> "Explorer":
        """This explorer carrying its chapter's guided observations: [("2. b_o = 6", {"b_o": 6.0}), ...].

        Each setting becomes a button of the live view ("Set the explorer: 2. b_o = 6") that puts every slider
        there, the ones not named back to their defaults; `observations()` draws the same settings. Every value
        must lie on its slider's grid (low + k·step), where a slider can stand.
        """
        return dataclasses.replace(self, guided=self._checked_settings(settings, "settings"))

    def _checked_settings(self, settings, arg: str) -> tuple[tuple[str, dict[str, float]], ...]:
        func = f"{self.title}: with_observations"
        if isinstance(settings, (str, bytes, Mapping)) or not isinstance(settings, Sequence) or not settings:
            raise LSTMInputError(f"{func}: argument {arg!r} should be a non-empty list of (label, {{slider: value}}) "
                                 f"pairs, like [(\"2. b_o = 6\", {{\"b_o\": 6.0}})], but got {settings!r:.80}")
        out, seen = [], set()
        for k, item in enumerate(settings):
            if (not isinstance(item, (tuple, list)) or len(item) != 2 or not isinstance(item[0], str)
                    or not item[0].strip() or not isinstance(item[1], Mapping)):
                raise LSTMInputError(f"{func}: {arg}[{k}] should be a pair (label, {{slider: value}}) with a "
                                     f"non-empty label, but got {item!r:.80}")
            label, changes = item[0], dict(item[1])
            if label in seen:
                raise LSTMInputError(f"{func}: {arg}[{k}] repeats the label {label!r}; each button needs its own")
            seen.add(label)
            try:
                values = self.values(**changes)  # names and ranges
            except LSTMInputError as error:
                raise LSTMInputError(f"{func}: {arg}[{k}] ({label!r}): {error}") from None
            for name in changes:
                slider = self.sliders[self._names.index(name)]
                steps = (values[name] - slider.low) / slider.step
                if abs(steps - round(steps)) > 1e-6:
                    raise LSTMInputError(f"{func}: {arg}[{k}] ({label!r}) sets {name} = {values[name]:g}, which a "
                                         f"slider of step {slider.step:g} from {slider.low:g} cannot show; expected "
                                         f"a value on its grid")
            out.append((label, {name: values[name] for name in changes}))
        return tuple(out)

    def _own_setting(self, label: str, arg: str, func: str) -> dict[str, float]:
        """The slider changes of the explorer's own setting with this label (given to `with_observations`)."""
        own = dict(self.guided)
        if label not in own:
            known = f"its settings are {list(own)}" if own else "it has none (make it with .with_observations([...]))"
            raise LSTMInputError(f"{self.title}: {func}(): {arg} should be the label of one of the explorer's own "
                                 f"settings, but got {label!r}; {known}")
        return dict(own[label])

    def data(self, **changes: float) -> Mapping[str, np.ndarray]:
        """The arrays drawn for these slider values (defaults for the ones not given)."""
        return self.compute(**self.values(**changes))

    def figure(self, title: str | None = None, *, observation: str | None = None, **changes: float):
        """The static Figure for these slider values: the website's figure with JavaScript off when called with
        none, a guided observation's figure with some (``explorer.figure(b_f=4.0)``), or with one of the
        explorer's own settings named by its label (``explorer.figure(observation="2. b_f = 4")``, a setting given
        to `with_observations`), so that a chapter writes each setting once."""
        if observation is not None:
            if changes:
                raise LSTMInputError(f"{self.title}: figure() takes either argument 'observation' or slider values, "
                                     f"but got both: observation={observation!r} and {changes}")
            changes = self._own_setting(observation, "observation", "figure")
        values = self.values(**changes)
        data = self.compute(**values)
        if title is None:
            changed = ", ".join(f"{k} = {v:g}" for k, v in values.items() if v != self.defaults()[k])
            title = f"{self.title}: {changed}" if changed else f"{self.title} (the defaults)"
        lines = {"h": [], "v": []}
        for line in self.lines:
            value = float(data[line.key])
            if line.orientation == "h" or value <= float(np.max(data["t"])):
                lines[line.orientation].append((_mathtext(line.label), value, line.colour))
        shown = {**data, **{n: np.abs(data[n]) for p in self.panels if p.scale == "log" for n in p.series}}
        fig = plot_series(shown, [p.series for p in self.panels], title=title, events=self.events,
                          hlines=lines["h"], vlines=lines["v"])
        for ax, panel in zip(fig.axes, self.panels):
            if panel.scale == "log":
                _log_axis(ax, [shown[n] for n in panel.series])
        return fig

    def observations(self, settings: Sequence[tuple[str, Mapping[str, float]] | str] | None = None,
                     panels: Sequence[int] | None = None):
        """Small multiples of guided observations: one row per setting, one column per panel.

        settings: [("1. b_o = 6", {"b_o": 6.0}), ...], by default the explorer's own (`with_observations`); an
        item may also be the label of one of the explorer's own settings, so that a figure draws some of them
        without writing their values again: ``explorer.observations(["4. b_i = −1", "5. b_f = 6"])``;
        panels: which of the explorer's panels to draw (default: all but an input panel, which is the same in
        every row). Each column shares its y-axis across rows, so rows compare at a glance. Returns the Figure;
        its lines carry "<row label>: <quantity label>".
        """
        if settings is None:
            if not self.guided:
                raise LSTMInputError(f"{self.title}: observations() needs argument 'settings', or an explorer made "
                                     f"with .with_observations([...]); this one has no guided observations")
            settings = self.guided
        if isinstance(settings, (str, bytes, Mapping)) or not isinstance(settings, Sequence) or not settings:
            raise LSTMInputError(f"{self.title}: observations(): argument 'settings' should be a non-empty list of "
                                 f"(label, {{slider: value}}) pairs or labels of the explorer's own settings, but got "
                                 f"{settings!r:.80}")
        settings = [(item, self._own_setting(item, f"settings[{k}]", "observations")) if isinstance(item, str)
                    else item for k, item in enumerate(settings)]
        chosen = [p for k, p in enumerate(self.panels) if (k in panels if panels is not None else p.series != ("x",))]
        rows = [(label, self.compute(**self.values(**values))) for label, values in settings]
        n, m = len(rows), len(chosen)
        fig, axes = plt.subplots(n, m, sharex=True, sharey="col", figsize=(8.0, 0.6 + 1.45 * n), squeeze=False)
        for col, panel in enumerate(chosen):
            values = np.concatenate([np.ravel(d[name]) for _, d in rows for name in panel.series]
                                    + [np.ravel(d[line.key]) for _, d in rows for line in self.lines
                                       if line.orientation == "h" and panel == self.panels[-1]])
            limits = panel.limits or (min(values.min(), -1.0) - 0.08 * np.ptp(values), max(values.max(), 1.0) + 0.08 * np.ptp(values))
            for row, (label, data) in enumerate(rows):
                ax = axes[row, col]
                for name in panel.series:
                    colour, text = STYLE[name]
                    ax.plot(data["t"], np.ravel(data[name]), color=colour, lw=1.5, label=f"{label}: {text}")
                ax.set_ylim(*limits)
                ax.axhline(0.0, color="#bbbbbb", lw=0.6, zorder=0)
                ax.grid(alpha=0.25)
                ax.tick_params(labelsize=8)
                for kind, value in (self.events or {}).items():
                    colour, how, _ = EVENT_STYLE[kind]
                    for step in (value if isinstance(value, (tuple, list)) else (value,)):
                        if how == "band":
                            ax.axvspan(step - 0.5, step + 0.5, color=colour, alpha=0.55, lw=0, zorder=0)
                if col == m - 1 and panel == self.panels[-1]:
                    for line in self.lines:
                        value = float(data[line.key])
                        if line.orientation == "h":
                            ax.axhline(value, color=line.colour, ls="--", lw=1.1)
                        elif value <= float(np.max(data["t"])):
                            ax.axvline(value, color=line.colour, ls=":", lw=1.2)
                if row == 0:
                    ax.set_title(", ".join(STYLE[name][1] for name in panel.series), fontsize=9)
                if col == 0:
                    ax.set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center")
            axes[-1, col].set_xlabel("time step $t$", fontsize=9)
        fig.tight_layout()
        return fig

    def describe(self, data: Mapping[str, np.ndarray] | None = None) -> str:
        """A text alternative of the figure: what it shows, and the range of every quantity drawn."""
        data = self.data() if data is None else data
        t = np.asarray(data["t"])
        parts = []
        for panel in self.panels:
            for name in panel.series:
                values = np.asarray(data[name])
                lo, hi = int(np.argmin(values)), int(np.argmax(values))
                if values[hi] - values[lo] < 0.005:
                    parts.append(f"{plain_label(name)} constant at {values[lo]:.2f}")
                else:
                    parts.append(f"{plain_label(name)} from {values[lo]:.2f} (t = {t[lo]}) to {values[hi]:.2f} (t = {t[hi]})")
        parts += [f"{line.text} = {float(data[line.key]):.2f}" for line in self.lines]
        return f"{self.caption} " + "; ".join(parts) + "."

    def spec(self) -> dict:
        """The description as JSON-ready data, for the front end: sliders, panels, colours, events, reference
        lines, the mirror's computation, and the data at the defaults (computed by this package)."""
        names = [n for p in self.panels for n in p.series]
        spec = {
            "title": self.title,
            "caption": self.caption,
            "note": ("Move a slider (or focus it and use the arrow keys): your browser recomputes the figure with a "
                     "JavaScript copy of the cell's arithmetic, held to lstm_book's numbers by the book's tests."),
            "columns": self.columns,
            "sliders": [{"name": s.name, "label": s.label or s.name, "low": s.low, "high": s.high,
                         "default": s.default, "step": s.step} for s in self.sliders],
            "panels": [{"series": list(p.series), "limits": list(p.limits) if p.limits else None, "scale": p.scale}
                       for p in self.panels],
            "styles": {n: {"colour": STYLE[n][0], "label": plain_label(n), "text": plain_label(n),
                           "short": _symbol(n), "steps": n == "x"} for n in names},
            "events": _events(self.events),
            "lines": [{"label": l.label, "key": l.key, "orientation": l.orientation, "colour": l.colour,
                       "text": l.text} for l in self.lines],
            "mirror": _jsonable(self.mirror) if self.mirror is not None else None,
            # one button each: every slider's value (the ones the setting does not name at their defaults)
            "observations": [{"label": label, "action": "Set the explorer:", "values": self.values(**changes)}
                             for label, changes in self.guided],
            "data": _jsonable(self.data()),
        }
        return spec

    def widget(self) -> "ExplorerWidget":
        """The live view in Jupyter: sliders and the figure, recomputed by Python whenever a slider moves."""
        return _widget_class()(self)

    def html(self) -> str:
        """The explorer as the website holds it: the description (for the front end and the mirror) and the
        static figure at the defaults with its text alternative (what shows with JavaScript off)."""
        spec = self.spec()
        payload = json.dumps(spec, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
        fig = self.figure()
        png = base64.b64encode(_png(fig)).decode("ascii")
        alt = html.escape(self.describe(), quote=True)
        live = ("Move a slider and the figure is recomputed in your browser." if self.mirror is not None else
                "This explorer runs your own code: it recomputes in Jupyter only.")
        return (
            f'<div class="lstm-explorer" data-lstm-explorer>'
            f'<script type="application/json" class="lstm-explorer-spec">{payload}</script>'
            f'<figure class="lstm-explorer-static"><img src="data:image/png;base64,{png}" alt="{alt}">'
            f'<figcaption>{html.escape(self.title)}: the figure at the default values. {live}</figcaption></figure>'
            f"</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.own:  # the reader's functions: say in words what keeps them from drawing, not a traceback
            try:
                self.data()
            except NotImplementedError:
                text = (f"Your {', '.join(self.own)} is not written yet: write it in the exercise, run its cell, "
                        f"then run this cell again.")
                return {"text/plain": text, "text/html": f"<p>{html.escape(text)}</p>"}
            except LSTMInputError as error:
                return {"text/plain": str(error), "text/html": f"<p>{html.escape(str(error))}</p>"}
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        data["text/html"] = self.html()
        return (data, metadata) if isinstance(bundle, tuple) else data


def _log_axis(ax, arrays):
    """A log y-axis over whole decades of the magnitudes drawn (as the front end draws it)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    exponents = np.log10(np.maximum(values, 1e-300))
    low, high = np.floor(exponents.min()), np.ceil(exponents.max())
    ax.set_yscale("log")
    ax.set_ylim(10.0 ** low, 10.0 ** max(high, low + 1))


def _symbol(name: str) -> str:
    label = STYLE[name][1]
    return label[label.index("$") + 1:label.rindex("$")].replace("\\", "")


def _mathtext(label: str) -> str:
    """'fixed point c* = i·j/(1 − f)' for matplotlib: the same text (plain is fine for mathtext-free labels)."""
    return label


def _events(events):
    out = []
    for kind, value in (events or {}).items():
        colour, how, legend = EVENT_STYLE[kind]
        steps = value if isinstance(value, (tuple, list)) else (value,)
        for k, step in enumerate(steps):
            out.append({"kind": kind, "t": int(step), "colour": colour, "style": how, "legend": legend,
                        "label": {"pulse": "pulse", "reset": "reset"}.get(kind, "") if k == 0 else ""})
    return out


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.ndim else float(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# The live view in Jupyter: an anywidget whose front end is lstm_book/web/explorer.js

@functools.lru_cache(maxsize=1)
def front_end_esm() -> str:
    """explorer.js as the ES module anywidget loads (the same file the website loads as a classic script)."""
    source = (WEB_DIR / "explorer.js").read_text(encoding="utf-8")
    return source + "\nexport default { render: LSTMExplorer.render };\n"


@functools.lru_cache(maxsize=1)
def front_end_css() -> str:
    return (WEB_DIR / "explorer.css").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _widget_class():
    import anywidget
    import traitlets

    class ExplorerWidget(anywidget.AnyWidget):
        """The live view of an `Explorer` in Jupyter (see the module docstring).

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

        def __init__(self, explorer: Explorer):
            if not isinstance(explorer, Explorer):
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
            data = _jsonable(self.explorer.data(**values))
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


def __getattr__(name):
    if name == "ExplorerWidget":
        return _widget_class()
    raise AttributeError(name)


# --------------------------------------------------------------------------------------------------
# The explorers of the chapters. All run on the book's running example (lstm_book.tasks) unless noted.

_EQUATIONS = {
    "hidden_state": hidden_state, "output_gate": output_gate, "cell_state": cell_state,
    "forget_gate": forget_gate, "input_gate": input_gate, "input_state": input_state,
}


def _run_cell(xs: np.ndarray, params: LSTMParams, h0: np.ndarray, c0: np.ndarray,
              functions: Mapping[str, Callable]) -> dict[str, np.ndarray]:
    """The readable step, written with the six equations, where `functions` replace some of them (the reader's
    own). Every value a replaced function returns is checked: shape (1,) and finite."""
    eq = {**_EQUATIONS, **functions}
    out = {k: [] for k in "ijfoch"}
    h, c = h0, c0

    def checked(name, value):
        if name in functions:
            try:
                array = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise LSTMInputError(f"explorer: your {name} returned {type(value).__name__}, expected an array "
                                     f"of shape (1,)") from None
            if array.shape != (1,) or not np.all(np.isfinite(array)):
                raise LSTMInputError(f"explorer: your {name} returned {array!r} (shape {array.shape}), expected "
                                     f"a finite array of shape (1,), like the package's {name}")
            return array
        return value

    with trusted():
        for x_t in xs:
            i_t = checked("input_state", eq["input_state"](x_t, h, *params.part("i")))
            j_t = checked("input_gate", eq["input_gate"](x_t, h, *params.part("j")))
            f_t = checked("forget_gate", eq["forget_gate"](x_t, h, *params.part("f")))
            o_t = checked("output_gate", eq["output_gate"](x_t, h, *params.part("o")))
            c = checked("cell_state", eq["cell_state"](c, f_t, i_t, j_t))
            h = checked("hidden_state", eq["hidden_state"](c, o_t))
            for name, value in zip("ijfoch", (i_t, j_t, f_t, o_t, c, h)):
                out[name].append(value[0])
    return {k: np.array(v) for k, v in out.items()}


def _check_functions(functions: Mapping[str, Callable], allowed: Sequence[str], func: str):
    for name, fn in functions.items():
        if name not in allowed:
            raise LSTMInputError(f"{func}: no equation named {name!r} can be replaced here; expected some of {list(allowed)}")
        if not callable(fn):
            raise LSTMInputError(f"{func}: argument {name!r} should be a function like lstm_book.{name}, but got "
                             f"{type(fn).__name__}")


def running_example_data(functions: Mapping[str, Callable] | None = None, **weights: float) -> dict[str, np.ndarray]:
    """Run the scalar cell with these weights over the running example; every quantity as a (T,) array.

    With `functions` ({"forget_gate": my_forget_gate, ...}) the step is the readable one of the six equations with
    those replaced by the reader's own; without, it is `lstm_forward`.
    """
    example = running_example()
    params = running_example_params(**weights)
    if functions:
        data = _run_cell(example.x, params, np.zeros(1), np.zeros(1), functions)
    else:
        trace = lstm_forward(example.x, params)
        data = {name: values[:, 0] for name, values in trace._asdict().items()}
    data.update(t=example.t, x=example.x[:, 0], tanh_c=np.tanh(data["c"]))
    return data


def _running_events():
    example = running_example()
    return {"pulse": example.pulse, "distractions": example.distractions, "reset": example.reset}


def _sliders(names: Sequence[str], weight_range=(-10.0, 10.0), bias_range=(-8.0, 8.0)) -> tuple[Slider, ...]:
    out = []
    for name in names:
        low, high = bias_range if name.startswith("b") else weight_range
        out.append(Slider(name, low, high, RUNNING_EXAMPLE_WEIGHTS[name]))
    return tuple(out)


def _running_mirror():
    example = running_example()
    return {"name": "scalar_cell", "x": example.x[:, 0], "t": example.t, "params": dict(RUNNING_EXAMPLE_WEIGHTS),
            "h0": 0.0, "c0": 0.0, "state": {}}


def _running_explorer(title, sliders, panels, caption, functions, func, allowed, columns=1):
    functions = dict(functions or {})
    _check_functions(functions, allowed, func)
    compute = functools.partial(running_example_data, functions) if functions else running_example_data
    if functions:
        title += " (driven by your " + ", ".join(functions) + ")"
    return Explorer(
        title=title, sliders=sliders, compute=compute, panels=tuple(Panel(tuple(p)) for p in panels),
        caption=caption, events=_running_events(), mirror=None if functions else _running_mirror(), columns=columns,
        own=tuple(functions),
    )


def _summary(panels) -> str:
    return "; ".join(", ".join(plain_label(n) for n in p) for p in panels)


def full_cell_explorer(**functions: Callable) -> Explorer:
    """Chapter 0: all twelve weights and biases of the scalar cell; plots the gates, c_t and h_t over time.

    functions: optionally the reader's own equations, e.g. ``full_cell_explorer(forget_gate=my_forget_gate)``.
    """
    names = [f"{kind}{g}" for g in "ijfo" for kind in ("w_x", "w_h", "b_")]
    panels = [("x",), ("j", "f", "o"), ("i",), ("c", "h")]
    return _running_explorer(
        "The whole cell on the running example", _sliders(names), panels,
        f"Four panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "full_cell_explorer", list(_EQUATIONS), columns=3,
    )


_GATE_NAMES = {"i": "input state (candidate) i_t", "j": "input gate j_t", "f": "forget gate f_t", "o": "output gate o_t"}
_GATE_FUNCTIONS = {"i": "input_state", "j": "input_gate", "f": "forget_gate", "o": "output_gate"}


def gate_explorer(g: str, **functions: Callable) -> Explorer:
    """Chapters 2, 4, 5, 6: the weights w_xg, w_hg and bias b_g of one part g ('o', 'f', 'j' or 'i');
    plots that part and c_t over time (and h_t for the output gate, which acts on it).

    functions: optionally the reader's own function for that part, e.g.
    ``gate_explorer("f", forget_gate=my_forget_gate)``: the figure is then computed with it (in Jupyter).
    """
    if not isinstance(g, str) or g not in _GATE_NAMES:
        raise LSTMInputError(f"gate_explorer: argument 'g' should be one of {sorted(_GATE_NAMES)}, but got {g!r}")
    last = ("c", "h") if g == "o" else ("c",)
    panels = [("x",), (g,), last]
    return _running_explorer(
        f"The {_GATE_NAMES[g]} on the running example", _sliders([f"w_x{g}", f"w_h{g}", f"b_{g}"]), panels,
        f"Three panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "gate_explorer", [_GATE_FUNCTIONS[g]],
    )


def hidden_state_explorer(**functions: Callable) -> Explorer:
    """Chapter 1: h_t has no weights of its own, so the sliders are the output gate's; plots o_t, and c_t with
    tanh(c_t) and h_t beside it, to show that h_t is tanh(c_t) scaled down by o_t.

    functions: optionally ``hidden_state=my_hidden_state``.
    """
    panels = [("x",), ("o",), ("c",), ("tanh_c", "h")]
    return _running_explorer(
        "The hidden state h_t = tanh(c_t) ⊙ o_t on the running example",
        _sliders(["w_xo", "w_ho", "b_o"]) + (Slider("w_xi", -10.0, 10.0, RUNNING_EXAMPLE_WEIGHTS["w_xi"]),),
        panels, f"Four panels over the 60 time steps of the running example: {_summary(panels)}.",
        functions, "hidden_state_explorer", ["hidden_state"],
    )


def leaky_integrator_data(b_f: float, b_j: float, b_i: float, c_0: float, T: int = 40,
                          functions: Mapping[str, Callable] | None = None) -> dict[str, np.ndarray]:
    """The cell with every weight 0, so that the gates are constants set by their biases, started from c_0.

    Then c_t = f·c_{t-1} + i·j is a leaky integrator: it approaches c* = i·j / (1 − f) with time constant
    τ = 1 / (1 − f) steps. Returns the simulated quantities and the theory ("c_star", "tau").
    The steps are numbered t = 1..T (c_0 is the given start, not part of the arrays): ``data["c"][k]`` is
    c_{k+1}, and ``data["t"][k]`` says so.
    """
    b_f = check_number(b_f, func="leaky_integrator_data", arg="b_f")
    if not -700.0 <= b_f <= 700.0:  # e^b_f stays within float64
        raise LSTMInputError(f"leaky_integrator_data: argument 'b_f' should be in [-700, 700], but got {b_f}")
    b_j, b_i, c_0 = (check_number(value, func="leaky_integrator_data", arg=name)
                     for name, value in (("b_j", b_j), ("b_i", b_i), ("c_0", c_0)))
    T = check_integer(T, func="leaky_integrator_data", arg="T", low=1, high=100_000)
    params = scalar_params(b_f=b_f, b_j=b_j, b_i=b_i)
    if functions:
        data = _run_cell(np.zeros((T, 1)), params, np.zeros(1), np.array([c_0]), functions)
    else:
        trace = lstm_forward(np.zeros((T, 1)), params, c0=np.array([c_0]))
        data = {name: values[:, 0] for name, values in trace._asdict().items()}
    j, i = data["j"][0], data["i"][0]
    tau = 1.0 + np.exp(b_f)  # = 1 / (1 - f) for f = σ(b_f), without dividing by 1 - f (which is 0.0 for b_f ≥ 37)
    data.update(t=np.arange(1, T + 1), x=np.zeros(T), tanh_c=np.tanh(data["c"]),
                c_star=np.array(i * j * tau), tau=np.array(tau))
    return data


def cell_state_explorer(**functions: Callable) -> Explorer:
    """Chapter 3: the cell state as a leaky integrator. Biases set constant gates; c_0 is the initial memory.

    functions: optionally ``cell_state=my_cell_state``.
    """
    functions = dict(functions)
    _check_functions(functions, ["cell_state"], "cell_state_explorer")
    panels = (Panel(("j", "f")), Panel(("i",)), Panel(("c",)))
    T = 40
    return Explorer(
        title="The cell state c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t with constant gates"
              + (" (driven by your cell_state)" if functions else ""),
        sliders=(Slider("b_f", -6.0, 6.0, 1.0), Slider("b_j", -6.0, 6.0, 0.0), Slider("b_i", -3.0, 3.0, 1.0),
                 Slider("c_0", -3.0, 3.0, 0.0)),
        compute=functools.partial(leaky_integrator_data, T=T, functions=functions or None),
        panels=panels,
        caption=f"Three panels over the {T} time steps t = 1..{T}, from c_0 at t = 0 (the book's convention), with "
                f"every weight 0: {_summary([p.series for p in panels])}, "
                "with the fixed point c* (dashed) and one time constant τ (dotted).",
        lines=(ReferenceLine("fixed point c* = i·j / (1 − f)", "c_star", "h", REFERENCE_COLOURS[0], "fixed point c*"),
               ReferenceLine("one time constant τ = 1 / (1 − f)", "tau", "v", REFERENCE_COLOURS[1], "time constant τ")),
        own=tuple(functions),
        mirror=None if functions else {"name": "constant_gates", "x": np.zeros(T), "t": np.arange(1, T + 1),
                                       "params": {k: 0.0 for k in RUNNING_EXAMPLE_WEIGHTS}, "h0": 0.0, "c0": 0.0,
                                       "state": {"c_0": "c0"}},
    )
