"""An explorer's description: its sliders, its compute function, its panels, its guided observations.

`Explorer` is data: everything else an explorer is, it draws from here. `spec()` is this description as the
web front end reads it; the views are in the modules beside this one, and the methods that give them
(`figure`, `observations`, `widget`, `html`, `_repr_mimebundle_`) hand the explorer to them:

* `lstm_book.teaching.explorers.figure`: the static matplotlib figure and the small multiples of observations;
* `lstm_book.teaching.explorers.widget`: the live view in JupyterLab (`ExplorerWidget`, an anywidget);
* `lstm_book.teaching.explorers.html_view`: the website's view, and the front end's files and JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from lstm_book.teaching.figures.plots import EVENT_STYLE, STYLE, fixed_limits, plain_label
from lstm_book.validation import LSTMInputError, check_number

from .figure import small_multiples, static_figure
from .html_view import explorer_html, explorer_mimebundle, jsonable
from .widget import widget_class

__all__ = ["Slider", "Panel", "ReferenceLine", "Explorer"]


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
    """One panel of an explorer's figure: the quantities it draws (names of `lstm_book.teaching.figures.STYLE`)."""

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
    """Sliders, a compute function and the panels it draws (see `lstm_book.teaching.explorers`)."""

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
        if title is None:
            changed = ", ".join(f"{k} = {v:g}".replace("-", "\u2212") for k, v in values.items() if v != self.defaults()[k])
            title = f"{self.title}: {changed}" if changed else f"{self.title} (the defaults)"
        return static_figure(self, self.compute(**values), title)

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
        return small_multiples(self, rows, chosen)

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
                           "short": _symbol(n), "scale": _scale(n), "steps": n == "x"} for n in names},
            "events": _events(self.events),
            "lines": [{"label": l.label, "key": l.key, "orientation": l.orientation, "colour": l.colour,
                       "text": l.text} for l in self.lines],
            "mirror": jsonable(self.mirror) if self.mirror is not None else None,
            # one button each: every slider's value (the ones the setting does not name at their defaults)
            "observations": [{"label": label, "action": "Set the explorer:", "values": self.values(**changes)}
                             for label, changes in self.guided],
            "data": jsonable(self.data()),
        }
        return spec

    def widget(self) -> "ExplorerWidget":
        """The live view in Jupyter: sliders and the figure, recomputed by Python whenever a slider moves."""
        return widget_class(Explorer)(self)

    def html(self) -> str:
        """The explorer as the website holds it: the description (for the front end and the mirror) and the
        static figure at the defaults with its text alternative (what shows with JavaScript off)."""
        return explorer_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """What a notebook shows: the widget in JupyterLab, the HTML view on the website."""
        return explorer_mimebundle(self, include=include, exclude=exclude)


def _symbol(name: str) -> str:
    label = STYLE[name][1]
    return label[label.index("$") + 1:label.rindex("$")].replace("\\", "")


def _scale(name: str) -> str:
    """What the drawn values are multiplied by, when the label says so after its symbol ("×100"), else ""."""
    label = STYLE[name][1]
    return label[label.rindex("$") + 1:].strip()


def _events(events):
    out = []
    for kind, value in (events or {}).items():
        colour, how, legend = EVENT_STYLE[kind]
        steps = value if isinstance(value, (tuple, list)) else (value,)
        for k, step in enumerate(steps):
            out.append({"kind": kind, "t": int(step), "colour": colour, "style": how, "legend": legend,
                        "label": {"pulse": "pulse", "reset": "reset"}.get(kind, "") if k == 0 else ""})
    return out
