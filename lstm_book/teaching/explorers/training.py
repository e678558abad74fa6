"""Chapter 10's training view: the reader trains the one-unit cell on the storage task and watches it learn.

`TrainingView` is a description, like `Explorer`: the task, the controls (seed, learning rate, initial forget bias,
batch size, the forget gate on or off), the guided observations, the colours. Its run is `TrainingRun`: the
network of chapter 10's first training (the scalar cell, a readout of two classes, cross-entropy, clipping at 1,
Adam), trained by the package's own `lstm_book.train.train_step`, or by the reader's own function of the same
signature (`TrainingView(train_step=my_train_step)`). The views (`training_views`): the live view in JupyterLab
(the kernel trains) and on the website (`mirror.js` trains, in JavaScript), drawn by the same front end
`lstm_book/teaching/web/trainer.js`, and the static figure of a finished run (what shows with JavaScript off).

The page has no numpy, so the run draws its weights and batches from a small seeded generator (mulberry32) that
gives the same numbers here and in `mirror.js`: a run from a seed is the same run in JupyterLab, on the website and
in the chapter's checks. Its batches are the storage task's (`lstm_book.memory_tasks.storage`: a pulse among the
first 8 steps in half of the sequences, distractions of ±0.3, the answer at the last step), drawn in this order.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lstm_book import running_example
from lstm_book.adam import Adam
from lstm_book.charlm import mulberry32
from lstm_book.memory_tasks import Batch, storage
from lstm_book.train import evaluate, network_forward, network_layout, train_step
from lstm_book.validation import LSTMInputError, check_integer, check_number

from lstm_book.teaching.figures.plots import STYLE, plain_label

__all__ = ["generator", "storage_batch", "TrainingRun", "TrainingView", "TASK"]

_M = 0xFFFFFFFF
#: The storage task of chapter 10's first training (`storage(20)`), with the constants its batches are made with.
TASK = {**storage(20).settings, "pulse": 1.0, "distraction": 0.3, "pulse_window": 8}
_STORAGE = storage(TASK["T"], TASK["distraction_rate"])
CLIP, EVAL_EVERY, EVAL_SIZE, MAX_STEPS = 1.0, 10, 256, 1000
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCH_SIZES = (4, 8, 16, 32, 64)


class generator:
    """mulberry32 (`lstm_book.charlm.mulberry32`): uniform numbers in [0, 1) from a 32-bit seed, the same as
    mirror.js's `generator`. Its state is a counter (the k-th number is a function of seed + k·0x6D2B79F5), so numpy
    draws many at once: `draw(n)`."""

    def __init__(self, seed: int):
        self.state = int(seed) & _M

    def draw(self, n: int) -> np.ndarray:
        numbers = mulberry32(self.state, n)
        self.state = (self.state + 0x6D2B79F5 * n) & _M
        return numbers

    def __call__(self) -> float:
        return float(self.draw(1)[0])


def storage_batch(numbers: generator, batch_size: int, task: Mapping = TASK) -> Batch:
    """B sequences of the storage task, drawn as mirror.js draws them: per sequence, T numbers (a distraction at
    the steps below the rate), T signs, whether it has a pulse, when. x (T, B, 1); labels and mask at the last step."""
    T = task["T"]
    u = numbers.draw(batch_size * (2 * T + 2)).reshape(batch_size, 2 * T + 2)
    x = np.where(u[:, :T] < task["distraction_rate"],
                 np.where(u[:, T:2 * T] < 0.5, -task["distraction"], task["distraction"]), 0.0)
    pulse, when = u[:, 2 * T] < 0.5, (u[:, 2 * T + 1] * task["pulse_window"]).astype(int)
    x[np.flatnonzero(pulse), when[pulse]] = task["pulse"]
    y = np.zeros((T, batch_size), dtype=int)
    y[-1] = pulse
    mask = np.zeros((T, batch_size), dtype=bool)
    mask[-1] = True
    return Batch(x.T[:, :, None].copy(), y, mask)


def flat_names(cell: str) -> list[list[str]]:
    """The network's parameters as mirror.js names them, one list per array of the package: [["W_xi"], ...,
    ["W_y0", "W_y1"], ["b_y0", "b_y1"]]."""
    return [[f"{name}{k}" for k in range(2)] if name in ("W_y", "b_y") else [name] for name in network_layout(cell)]


def _network(flat: Mapping[str, float], cell: str) -> dict[str, np.ndarray]:
    """mirror.js's numbers by name -> the package's arrays (D = H = 1, K = 2)."""
    out = {}
    for group in flat_names(cell):
        name = group[0].rstrip("01") if len(group) == 2 else group[0]
        values = np.array([flat[n] for n in group], dtype=float)
        out[name] = values.reshape(2, 1) if name == "W_y" else values if name == "b_y" else values.reshape(
            (1, 1) if name.startswith("W") else (1,))
    return out


def _flat(params: Mapping[str, np.ndarray], cell: str) -> dict[str, float]:
    return {n: float(v) for group in flat_names(cell)
            for n, v in zip(group, np.ravel(params[group[0].rstrip("01") if len(group) == 2 else group[0]]))}


class TrainingRun:
    """One run of the view, trained by the package: `advance(n)` trains n steps; `state()` is what the front end
    draws. seed: the weights' and the batches' generators;  forget: False trains chapter 11's cell without a forget
    gate (f = 1);  step: lstm_book.train.train_step, or the reader's own function of its signature."""

    def __init__(self, seed: int, learning_rate: float, forget_bias: float, batch_size: int, forget: bool = True,
                 step: Callable = train_step):
        seed = check_integer(seed, func="TrainingRun", arg="seed", low=0, high=2**31)
        learning_rate = check_number(learning_rate, func="TrainingRun", arg="learning_rate")
        forget_bias = check_number(forget_bias, func="TrainingRun", arg="forget_bias")
        batch_size = check_integer(batch_size, func="TrainingRun", arg="batch_size", low=1, high=4096)
        if learning_rate <= 0:
            raise LSTMInputError(f"TrainingRun: argument 'learning_rate' should be > 0, but got {learning_rate!r}")
        if not isinstance(forget, bool):
            raise LSTMInputError(f"TrainingRun: argument 'forget' should be True or False, but got {forget!r:.40}")
        if not callable(step):
            raise LSTMInputError(f"TrainingRun: argument 'step' should be a function like lstm_book.train.train_step, "
                                 f"but got {type(step).__name__}")
        self.cell = "lstm" if forget else "no_forget"
        self.batch_size, self.forget, self._step_fn = batch_size, forget, step
        self._data, self._test = generator(4 * seed + 1), generator(4 * seed + 2)
        init = generator(4 * seed + 3)
        names = [n for group in flat_names(self.cell) for n in group]
        flat = dict(zip(names, (2 * init.draw(len(names)) - 1).tolist()))
        flat = {n: (forget_bias if n == "b_f" else 0.0) if n.startswith("b") else v for n, v in flat.items()}
        self.params = _network(flat, self.cell)
        self.test = storage_batch(self._test, EVAL_SIZE)
        self.adam = Adam(learning_rate)
        self.step, self.losses, self.curve, self.diverged, self.history = 0, [], [], False, [flat]
        self._evaluate()

    def _evaluate(self):
        loss, accuracy = evaluate(self.params, self.cell, _STORAGE, self.test)
        self.curve.append((self.step, loss, accuracy))

    def advance(self, n: int) -> "TrainingRun":
        """Train up to n more steps (fewer when the run diverges or reaches MAX_STEPS)."""
        n = check_integer(n, func="TrainingRun.advance", arg="n", low=0)
        for _ in range(n):
            if self.diverged or self.step >= MAX_STEPS:
                break
            stepped, loss = self._step_fn(self.params, self.adam, storage_batch(self._data, self.batch_size),
                                          self.cell, CLIP, "cross_entropy")
            if stepped is None:
                self.diverged = True
                break
            self.params, self.step = stepped, self.step + 1
            self.losses.append(float(loss))
            self.history.append(_flat(stepped, self.cell))
            if self.step % EVAL_EVERY == 0:
                self._evaluate()
        return self

    @property
    def solved_at(self) -> int | None:
        """The first step at which the test accuracy reached 100% (None if never)."""
        return next((step for step, _, accuracy in self.curve if accuracy == 1.0), None)

    def traces(self) -> dict[str, dict[str, list[float]]]:
        """The cell's c_t and gates on the view's two fixed sequences (with the pulse, without it)."""
        out = {}
        for name, x in _sequences().items():
            _, trace = network_forward(self.params, x[:, None, None], self.cell)
            gates = trace._asdict() if self.forget else {**trace.gates, "c": trace.c, "h": trace.h}
            out[name] = {k: np.asarray(gates[k])[:, 0, 0].tolist() for k in ("i", "j", "f", "o", "c", "h")}
        return out

    def state(self) -> dict:
        """What the front end draws: the step, the weights, the losses, the test curve, the traces, the status."""
        return {"step": self.step, "params": _flat(self.params, self.cell), "losses": list(self.losses),
                "curve": [list(point) for point in self.curve], "traces": self.traces(),
                "diverged": self.diverged, "finished": self.step >= MAX_STEPS}


@functools.lru_cache(maxsize=16)
def _finished(settings: tuple, step: Callable) -> TrainingRun:
    v = dict(settings)
    return TrainingRun(v["seed"], v["learning_rate"], v["forget_bias"], v["batch_size"], bool(v["forget"]),
                       step).advance(MAX_STEPS)


def _sequences() -> dict[str, np.ndarray]:
    """The running example's first 20 steps (the pulse at step 5, a +0.3 at 13), and the same without the pulse."""
    x = running_example().x[:TASK["T"], 0]
    return {"pulse": x, "quiet": np.where(x == 1.0, 0.0, x)}


@dataclass(frozen=True)
class TrainingView:
    """The training view's description (see the module's docstring); `with_observations` gives it buttons."""

    title: str = "Train the one-unit cell on the storage task"
    defaults: Mapping[str, float] = dataclasses.field(default_factory=lambda: {
        "seed": 4, "learning_rate": 0.01, "forget_bias": 1.0, "batch_size": 32, "forget": 1})
    guided: tuple = ()
    train_step: Callable = train_step

    def values(self, **changes) -> dict[str, float]:
        """The defaults with `changes` applied, each checked against its control's range."""
        values = dict(self.defaults)
        for name, value in changes.items():
            if name not in values:
                raise LSTMInputError(f"{self.title}: no control named {name!r}; the controls are {list(values)}")
            number = check_number(value, func=self.title, arg=name)
            ok = {"seed": lambda v: v == int(v) and 0 <= v <= 9999, "learning_rate": lambda v: v in LEARNING_RATES,
                  "forget_bias": lambda v: -3 <= v <= 5 and (v * 2) == int(v * 2),
                  "batch_size": lambda v: v in BATCH_SIZES, "forget": lambda v: v in (0, 1)}[name](number)
            if not ok:
                raise LSTMInputError(f"{self.title}: control {name!r} cannot take {value!r} (see spec()['controls'])")
            values[name] = int(number) if name in ("seed", "batch_size", "forget") else number
        return values

    def with_observations(self, settings: Sequence[tuple[str, Mapping[str, float]]]) -> "TrainingView":
        """This view with the chapter's guided observations: [("1. seed 1 solves it", {"seed": 1}), ...]."""
        checked = []
        for label, changes in settings:
            if not isinstance(label, str) or not label.strip():
                raise LSTMInputError(f"{self.title}: with_observations: a label should be a non-empty string, "
                                     f"but got {label!r}")
            self.values(**changes)                     # names and ranges
            checked.append((label, dict(changes)))
        return dataclasses.replace(self, guided=tuple(checked))

    def run(self, steps: int = MAX_STEPS, observation: str | None = None, **changes) -> TrainingRun:
        """A run of `steps` steps (at most MAX_STEPS) at these settings (or at a guided observation's)."""
        steps = check_integer(steps, func="TrainingView.run", arg="steps", low=0, high=MAX_STEPS)
        if observation is not None:
            changes = {**dict(self.guided)[observation], **changes}
        v = self.values(**changes)
        if steps == MAX_STEPS:  # a finished run is only read: the chapter's checks, figures and page share it
            return _finished(tuple(sorted(v.items())), self.train_step)
        return TrainingRun(v["seed"], v["learning_rate"], v["forget_bias"], v["batch_size"], bool(v["forget"]),
                           self.train_step).advance(steps)

    def spec(self) -> dict:
        """The description for the front end: controls, task, names, colours, sequences, observations."""
        part = {n: n[-1] for n in network_layout("lstm") if n not in ("W_y", "b_y")}
        weights = [{"name": n, "label": n.replace("W_y", "W_{y,").replace("b_y", "b_{y,") + ("}" if "_y" in n else ""),
                    "colour": STYLE[part.get(group[0], "h")][0], "part": part.get(group[0], "y")}
                   for group in flat_names("lstm") for n in group]
        x = _sequences()
        return {
            "title": self.title, "task": TASK, "clip": CLIP, "eval_every": EVAL_EVERY, "eval_size": EVAL_SIZE,
            "max_steps": MAX_STEPS, "steps_per_frame": 6, "steps_per_second": 300,
            "arrays": {cell: flat_names(cell) for cell in ("lstm", "no_forget")},
            "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            "controls": {"seed": {"low": 0, "high": 9999}, "learning_rate": {"choices": list(LEARNING_RATES)},
                         "forget_bias": {"low": -3, "high": 5, "step": 0.5}, "batch_size": {"choices": list(BATCH_SIZES)}},
            "defaults": dict(self.defaults), "weights": weights,
            "sequences": {"t": list(range(1, TASK["T"] + 1)), "pulse": x["pulse"].tolist(), "quiet": x["quiet"].tolist(),
                          "pulse_at": 5},
            "styles": {k: {"colour": STYLE[k][0], "label": plain_label(k)} for k in ("i", "j", "f", "o", "c", "h")},
            "observations": [{"label": label, "values": self.values(**changes)} for label, changes in self.guided],
        }

    def figure(self, steps: int = MAX_STEPS, **changes):
        """The static figure of a finished run (what the website shows with JavaScript off)."""
        from .training_views import run_figure

        return run_figure(self, self.run(steps, **changes))

    def html(self) -> str:
        from .training_views import training_html

        return training_html(self)

    def widget(self):
        from .training_views import training_widget

        return training_widget(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .training_views import training_mimebundle

        return training_mimebundle(self, include, exclude)
