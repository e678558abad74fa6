"""Training: a network (a cell and its readout), one training step, and the loop (chapter 10).

One training step: draw a batch, run the cell forward, read out (`lstm_book.losses.readout`), compute the loss,
send the error back through the readout and the cell (backpropagation through time), clip the gradient's norm
(Part II's `clip_by_global_norm`), and let Adam (`lstm_book.adam`) move every parameter. `train` repeats that with
a progress bar and returns the learned parameters and the record.

The cells it trains (`CELLS`): the book's LSTM (Part II's `lstm_forward` and `lstm_backward`), the plain RNN
of Part II, and the variants of chapter 11 (`lstm_book.variants`). A network's parameters are one `Params`
(lstm_book.params): the cell's arrays and the readout's W_y (K, H), b_y (K,). `train` checks them once, before the
first step; every step then runs the unchecked bodies of the public functions on arrays it has checked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .adam import Adam
from .backward import _backward
from .cell import LSTMParams, Trace, init_params
from .fast import _forward
from .gradients import _clip_by_global_norm
from .losses import LOSSES, _check_loss, readout, readout_backward
from .memory_tasks import Batch, Task
from .params import Params, as_params
from .rnn import RNNParams, _rnn_backward, _rnn_forward, init_rnn_params
from .validation import LSTMInputError, as_float_array, check_finite, check_integer, check_number, unchecked
from .variants import (VARIANTS, VariantTrace, _gru_backward, _gru_forward, _lstm_family_backward,
                       _lstm_family_forward, init_variant)

__all__ = ["init_network", "network_layout", "network_forward", "network_backward", "train_step", "TrainResult",
           "train", "evaluate", "CELLS"]


# ---------------------------------------------------------------------------------------------------------
# A network: a cell and its readout

#: The cells `train` knows, by name: the book's LSTM (Part II's fast `lstm_forward` and `lstm_backward`), the
#: plain RNN of Part II, and the variants of chapter 11 (`lstm_book.variants`).
CELLS = ("lstm", "rnn") + tuple(name for name in VARIANTS if name != "lstm")

#: Cells whose equations are the book's six: trained with Part II's code (only their initial b_f differs).
_BOOK_LSTM = ("lstm", "forget_bias_0")


def network_layout(cell: str) -> dict[str, str]:
    """The names and symbolic shapes of a network's parameters: the cell's, then W_y "K H" and b_y "K"."""
    _cell(cell, "network_layout")
    if cell == "rnn":
        layout = RNNParams.LAYOUT
    elif cell in _BOOK_LSTM:
        layout = LSTMParams.LAYOUT
    else:
        layout = VARIANTS[cell].layout
    return {**layout, "W_y": "K H", "b_y": "K"}


def init_network(cell: str, input_size: int, hidden_size: int, output_size: int, *, seed: int = 0,
                 forget_bias: float | None = None) -> Params:
    """Random parameters of a cell (named as in the book) plus its readout W_y (K, H) and b_y (K,), as one `Params`.

    Weights are uniform in ±1/√H, biases 0, except b_f: 1 for the LSTM, 0 for "forget_bias_0", or `forget_bias`.
    """
    _cell(cell, "init_network")
    K = check_integer(output_size, func="init_network", arg="output_size", low=1, high=10_000)
    if forget_bias is not None:
        forget_bias = check_number(forget_bias, func="init_network", arg="forget_bias")
    if cell == "rnn":
        params = dict(init_rnn_params(input_size, hidden_size, seed=seed))
    elif cell in _BOOK_LSTM:
        b_f = VARIANTS[cell].forget_bias if forget_bias is None else forget_bias
        params = dict(init_params(input_size, hidden_size, forget_bias=b_f, seed=seed))
    else:
        params = dict(init_variant(cell, input_size, hidden_size, seed=seed, forget_bias=forget_bias))
    rng = np.random.default_rng([seed, 7])
    scale = 1.0 / np.sqrt(hidden_size)
    params["W_y"] = rng.uniform(-scale, scale, (K, hidden_size))
    params["b_y"] = np.zeros(K)
    return Params(params, network_layout(cell), func="init_network")


def _cell(cell, func):
    if not isinstance(cell, str) or cell not in CELLS:
        raise LSTMInputError(f"{func}: argument 'cell' should be one of {list(CELLS)}, but got {cell!r}")
    return cell


def network_forward(params, xs: np.ndarray, cell: str):
    """The cell over a batch xs (T, B, D), then the readout: returns (outputs (T, B, K), the cell's trace).

    params: the network's `Params` (from `init_network`) or a dict of its arrays by name; checked here, once.
    """
    params, xs = _check_network("network_forward", params, xs, cell)
    return _network_forward(params, xs, cell)


def _network_forward(params, xs: np.ndarray, cell: str):
    """`network_forward` on checked inputs: the cells' loops, each from h0 = c0 = 0, and the readout's body."""
    B, H = xs.shape[1], params["W_y"].shape[1]
    zeros = np.zeros((B, H), np.result_type(xs, params["W_y"]))
    if cell in _BOOK_LSTM:
        trace = _forward(xs, params, zeros, zeros)
    elif cell == "rnn":
        trace = _rnn_forward(xs, params, zeros)                        # the hidden states are all there is
    elif cell == "gru":
        trace = _gru_forward(xs, params, VARIANTS[cell], zeros, None)
    else:
        trace = _lstm_family_forward(xs, params, VARIANTS[cell], zeros, zeros)
    h = trace if cell == "rnn" else trace.h
    return unchecked(readout)(h, params["W_y"], params["b_y"]), trace


def network_backward(params, xs: np.ndarray, cell: str, trace, doutputs: np.ndarray) -> dict:
    """The gradient of the loss with respect to every parameter, from doutputs = dL/d(outputs) (T, B, K).

    params, xs, cell: as given to `network_forward`;  trace: what it returned. Checked here, once.
    """
    params, xs = _check_network("network_backward", params, xs, cell)
    T, B, _ = xs.shape
    H, K = params["W_y"].shape[1], params["W_y"].shape[0]
    kind = np.ndarray if cell == "rnn" else Trace if cell in _BOOK_LSTM else VariantTrace
    h = trace if cell == "rnn" else getattr(trace, "h", None)
    if not isinstance(trace, kind) or np.shape(h) != (T, B, H):
        raise LSTMInputError(f"network_backward: argument 'trace' should be what network_forward returned for "
                             f"these inputs (a {kind.__name__} with h of shape {(T, B, H)}), but got "
                             f"{type(trace).__name__}")
    doutputs = as_float_array(doutputs, func="network_backward", arg="doutputs")
    if doutputs.shape != (T, B, K):
        raise LSTMInputError(f"network_backward: argument 'doutputs' should have shape {(T, B, K)}, "
                             f"but got shape {doutputs.shape}")
    check_finite(doutputs, func="network_backward", arg="doutputs")
    return _network_backward(params, xs, cell, trace, doutputs)


def _network_backward(params, xs: np.ndarray, cell: str, trace, doutputs: np.ndarray) -> dict:
    """`network_backward` on checked inputs."""
    h = trace if cell == "rnn" else trace.h
    dW_y, db_y, dh = unchecked(readout_backward)(h, params["W_y"], doutputs)
    zeros = np.zeros(dh.shape[1:], dh.dtype)
    if cell in _BOOK_LSTM:
        grads = _backward(xs, params, trace, dh, zeros, zeros)._asdict()
    elif cell == "rnn":
        grads = _rnn_backward(xs, params, trace, dh, zeros)._asdict()
    elif cell == "gru":
        grads = _gru_backward(xs, params, VARIANTS[cell], trace, dh, zeros, None)
    else:
        grads = _lstm_family_backward(xs, params, VARIANTS[cell], trace, dh, zeros, zeros)
    grads = {name: grads[name] for name in params if name not in ("W_y", "b_y")}
    grads.update(W_y=dW_y, b_y=db_y)
    return grads


def _check_network(func: str, params, xs, cell):
    """The network's parameters (as checked `Params`) and the batch xs (T, B, D), finite, D the cell's."""
    _cell(cell, func)
    params = as_params(params, network_layout(cell), func=func)
    D = params.input_size
    xs = as_float_array(xs, func=func, arg="xs")
    if xs.ndim != 3 or xs.shape[-1] != D or 0 in xs.shape:
        raise LSTMInputError(f"{func}: argument 'xs' should have shape (T, B, D={D}), T, B >= 1, "
                             f"but got shape {xs.shape}")
    check_finite(xs, func=func, arg="xs")
    return params, xs


# ---------------------------------------------------------------------------------------------------------
# One training step


def train_step(params, adam: Adam, batch: Batch, cell: str = "lstm", clip: float | None = 1.0,
               loss: str = "cross_entropy") -> tuple[dict | None, float]:
    """One step of training on one batch: forward, loss, backward, clip the gradient's norm, Adam.

    params: the network's `Params` or a dict of its arrays;  adam: the `Adam` that moves them (it keeps its running
    means and its step count t between calls);  batch: a `Batch` of the task;  cell: one of `CELLS`;  clip: the
    largest gradient norm (None: no clipping);  loss: "cross_entropy" or "squared_error" (the task's `loss`).
    Returns (the parameters after the step, a new dict; the batch's loss before it). The parameters are None
    when the loss, a gradient or a stepped parameter is not finite: the run has diverged.
    """
    if not isinstance(batch, Batch):
        raise LSTMInputError(f"train_step: argument 'batch' should be a Batch, but got {type(batch).__name__}")
    params, xs = _check_network("train_step", params, batch.x, cell)
    if not isinstance(adam, Adam):
        raise LSTMInputError(f"train_step: argument 'adam' should be an Adam, but got {type(adam).__name__}")
    if clip is not None and check_number(clip, func="train_step", arg="clip") <= 0:
        raise LSTMInputError(f"train_step: argument 'clip' should be a number > 0 or None, but got {clip!r}")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise LSTMInputError(f"train_step: argument 'loss' should be one of {list(LOSSES)}, but got {loss!r:.60}")
    shape = xs.shape[:2] + params["W_y"].shape[:1]                 # the outputs' (T, B, K), for y and mask
    _, y, mask = _check_loss("train_step", np.zeros(shape), batch.y, batch.mask,
                             names=("outputs", "labels" if loss == "cross_entropy" else "targets"))
    with np.errstate(over="ignore", invalid="ignore"):
        return _train_step(dict(params), adam, Batch(xs, y, mask), cell, clip, LOSSES[loss])


def _train_step(params: dict, adam: Adam, batch: Batch, cell: str, clip, loss_fn):
    """`train_step` on checked inputs (the loop's): forward, loss, backward, clip, Adam; None if not finite."""
    outputs, trace = _network_forward(params, batch.x, cell)
    loss, doutputs = loss_fn(outputs, batch.y, batch.mask)
    if not np.isfinite(loss):
        return None, loss
    grads = _network_backward(params, batch.x, cell, trace, doutputs)
    if not all(np.all(np.isfinite(g)) for g in grads.values()):
        return None, loss
    if clip is not None:
        grads, _ = _clip_by_global_norm(grads, clip)
    stepped = adam._step(params, grads)
    if not all(np.all(np.isfinite(p)) for p in stepped.values()):
        return None, loss
    return stepped, loss


# ---------------------------------------------------------------------------------------------------------
# The loop


@dataclass
class TrainResult:
    """What a training run produced.

    params: the learned parameters;  losses: (steps run,) the training loss at every step;
    curve: [(step, test loss, test accuracy)] measured along the way;  loss, accuracy: on the test batch at the
    end (None if diverged);  seconds: wall-clock time;  steps: steps run;  diverged: the loss or a gradient
    stopped being finite (training stops there);  solved_at: the first step at which the test accuracy reached
    `target_accuracy` (None if never, or if no target was given).
    """

    cell: str
    task: str
    params: dict
    losses: np.ndarray
    curve: list
    loss: float | None
    accuracy: float | None
    seconds: float
    steps: int
    diverged: bool
    solved_at: int | None = None

    def __repr__(self):
        how = "diverged" if self.diverged else f"loss {self.loss:.4f}, accuracy {self.accuracy:.1%}"
        return f"TrainResult({self.cell} on {self.task}: {how} after {self.steps} steps, {self.seconds:.1f} s)"


def evaluate(params, cell: str, task: Task, batch: Batch) -> tuple[float, float]:
    """(loss, accuracy) of a network on a batch of the task. params: as for `network_forward`."""
    if not isinstance(task, Task):
        raise LSTMInputError(f"evaluate: argument 'task' should be a Task, but got {type(task).__name__}")
    if not isinstance(batch, Batch):
        raise LSTMInputError(f"evaluate: argument 'batch' should be a Batch of the task, but got {type(batch).__name__}")
    params, xs = _check_network("evaluate", params, batch.x, cell)
    if (params.input_size, params["W_y"].shape[0]) != (task.input_size, task.output_size):
        raise LSTMInputError(f"evaluate: argument 'params' should have D={task.input_size} inputs and "
                             f"K={task.output_size} outputs for {task.name}, but has {params.input_size} and "
                             f"{params['W_y'].shape[0]}")
    outputs, _ = _network_forward(params, xs, cell)
    _check_loss("evaluate", outputs, batch.y, batch.mask,
                names=("outputs", "labels" if task.loss == "cross_entropy" else "targets"))
    return _evaluate(params, cell, task, batch)


def _evaluate(params, cell: str, task: Task, batch: Batch) -> tuple[float, float]:
    """`evaluate` on checked inputs; a diverging network gives a loss that is not finite, never a warning."""
    with np.errstate(over="ignore", invalid="ignore"):
        outputs, _ = _network_forward(params, batch.x, cell)
        loss, _ = LOSSES[task.loss](outputs, batch.y, batch.mask)
    return loss, task.accuracy(outputs, batch)


def train(task: Task, cell: str = "lstm", *, hidden_size: int, steps: int, learning_rate: float,
          batch_size: int = 32, clip: float | None = 1.0, seed: int = 0, forget_bias: float | None = None,
          eval_every: int = 50, eval_size: int = 256, test_task: Task | None = None,
          target_accuracy: float | None = None,
          params=None, progress: bool = True, desc: str | None = None) -> TrainResult:
    """Train a cell with a readout on a memory task with Adam, from seeded random weights.

    task: a `Task` of `lstm_book.memory_tasks`;  cell: one of `CELLS`;  hidden_size: H;  steps: how many
    updates, each on a fresh batch of `batch_size` sequences;  learning_rate: Adam's step size;  clip: the
    largest gradient norm (None: no clipping);  seed: the weights and the data (the same seed, the same run);
    forget_bias: the initial b_f (default: the cell's own);  eval_every: measure the test batch (`eval_size`
    sequences, never trained on) every so many steps, for the learning curve;  test_task: draw the test batch
    from this task instead (e.g. longer sequences, to test generalisation);  target_accuracy: stop as soon
    as the test accuracy reaches it;  params: start from these instead of random weights (a network's `Params`
    or a dict of its arrays);  progress: show a progress bar (tqdm) with the loss;  desc: the bar's label.

    Everything is checked here, once: each step then runs the unchecked loops on the checked arrays. A run whose
    loss or gradient stops being finite is stopped and returned with `diverged=True`.
    """
    params = _check_arguments(task, cell, hidden_size, steps, learning_rate, batch_size, clip, seed, forget_bias,
                              eval_every, eval_size, test_task, target_accuracy, params, progress, desc)
    data = np.random.default_rng([seed, 1])                  # the training stream
    test_task = test_task or task
    test = test_task.sample(eval_size, np.random.default_rng([seed, 2]))
    loss_fn = LOSSES[task.loss]
    adam = Adam(learning_rate)
    losses, curve = [], []
    diverged, solved_at = False, None
    bar = _progress(steps, desc or f"{cell} on {task.name}", progress)
    start = time.perf_counter()
    # Overflow while diverging is detected below (a loss or gradient that is not finite), not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            stepped, loss = _train_step(params, adam, task.sample(batch_size, data), cell, clip, loss_fn)
            if stepped is None:
                diverged = True
                break
            params = stepped
            losses.append(loss)
            if step % eval_every == 0 or step == steps:
                test_loss, test_accuracy = _evaluate(params, cell, test_task, test)
                if not np.isfinite(test_loss):
                    diverged = True
                    break
                curve.append((step, test_loss, test_accuracy))
                if bar is not None:
                    bar.set_postfix(loss=f"{loss:.3f}", accuracy=f"{test_accuracy:.0%}", refresh=False)
                if target_accuracy is not None and test_accuracy >= target_accuracy:
                    solved_at = step
                    if bar is not None:
                        bar.update(step - bar.n)
                    break
            if bar is not None and step % 10 == 0:
                bar.update(step - bar.n)
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.update(len(losses) - bar.n)
        if diverged:
            bar.set_postfix_str("diverged")
        bar.close()
    params = Params(params, network_layout(cell), func="train")     # the last finite parameters, as a Params
    if diverged:
        return TrainResult(cell, task.name, params, np.array(losses), curve, None, None, seconds, len(losses), True)
    test_loss, test_accuracy = curve[-1][1:]
    return TrainResult(cell, task.name, params, np.array(losses), curve, test_loss, test_accuracy, seconds,
                       len(losses), False, solved_at)


def _check_arguments(task, cell, hidden_size, steps, learning_rate, batch_size, clip, seed, forget_bias, eval_every,
                     eval_size, test_task, target_accuracy, params, progress, desc) -> dict:
    """The checks of `train`'s arguments, each error naming the argument; returns the starting parameters (a dict
    of checked arrays)."""
    if not isinstance(task, Task):
        raise LSTMInputError(f"train: argument 'task' should be a Task from lstm_book.memory_tasks, "
                             f"but got {type(task).__name__}")
    _cell(cell, "train")
    for name, value, high in (("hidden_size", hidden_size, 10_000), ("steps", steps, 10**8),
                              ("batch_size", batch_size, 100_000), ("eval_every", eval_every, 10**8),
                              ("eval_size", eval_size, 100_000)):
        check_integer(value, func="train", arg=name, low=1, high=high)
    check_integer(seed, func="train", arg="seed", low=0)
    for name, value in (("learning_rate", learning_rate), ("clip", clip)):
        if value is not None and check_number(value, func="train", arg=name) <= 0:
            raise LSTMInputError(f"train: argument '{name}' should be a finite number > 0, but got {value!r}")
    if learning_rate is None:
        raise LSTMInputError("train: argument 'learning_rate' should be a finite number > 0, but got None")
    if forget_bias is not None:
        check_number(forget_bias, func="train", arg="forget_bias")
    if not isinstance(progress, bool):
        raise LSTMInputError(f"train: argument 'progress' should be True or False, but got {progress!r:.60}")
    if desc is not None and not isinstance(desc, str):
        raise LSTMInputError(f"train: argument 'desc' should be a string (the progress bar's label) or None, but "
                             f"got {type(desc).__name__}")
    if test_task is not None and (not isinstance(test_task, Task) or (test_task.input_size, test_task.output_size,
                                                                      test_task.loss) != (task.input_size, task.output_size, task.loss)):
        raise LSTMInputError(f"train: argument 'test_task' should be a Task with the inputs, outputs and loss of "
                             f"{task.name}, but got {test_task!r}")
    if target_accuracy is not None and not (0 < check_number(target_accuracy, func="train",
                                                             arg="target_accuracy") <= 1):
        raise LSTMInputError(f"train: argument 'target_accuracy' should be a number in (0, 1], "
                             f"but got {target_accuracy!r}")
    if params is None:
        return dict(init_network(cell, task.input_size, hidden_size, task.output_size, seed=seed,
                                 forget_bias=forget_bias))
    params = as_params(params, network_layout(cell), func="train")
    want = {"D": task.input_size, "H": hidden_size, "K": task.output_size}
    if any(params.sizes.get(k) != v for k, v in want.items()):
        raise LSTMInputError(f"train: argument 'params' should hold {list(params)} with the shapes of a {cell} of "
                             f"hidden size {hidden_size} on {task.name} (sizes {want}), but has sizes {params.sizes}")
    return {k: np.array(v, dtype=float) for k, v in params.items()}


def _progress(total: int, desc: str, show: bool):
    """A tqdm progress bar: one line that updates in place, in a terminal and in Jupyter alike."""
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=True, mininterval=0.5)
