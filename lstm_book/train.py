"""Training: a readout on top of the cell, two losses, Adam, gradient clipping, and the loop.

    y_t = W_y h_t + b_y                                  readout: K outputs per step, from the hidden state
    cross-entropy   L = mean over scored steps of -log softmax(y_t)[label]
    squared error   L = mean over scored steps of Σ_k (y_tk - target_tk)²

One training step: draw a batch, run the cell forward, read out, compute the loss, send the error back through
the readout and the cell (backpropagation through time), clip the gradient's norm (Part II's
`clip_by_global_norm`), and let Adam move every parameter. `train` repeats that with a progress bar and returns
the learned parameters and the record.

The cells it trains (`CELLS`): the book's LSTM (Part II's `lstm_forward` and `lstm_backward`), the plain RNN
of Part II, and the variants of chapter 11 (`lstm_book.variants`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .backward import clip_by_global_norm, lstm_backward
from .cell import LSTMParams, init_params
from .fast import lstm_forward
from .memory_tasks import Batch, Task
from .rnn import RNNParams, init_rnn_params, rnn_backward, rnn_forward
from .validation import LSTMInputError, trusted
from .variants import VARIANTS, init_variant, variant_backward, variant_forward

__all__ = ["readout", "readout_backward", "cross_entropy", "squared_error", "Adam",
           "init_network", "network_forward", "network_backward", "TrainResult", "train", "evaluate", "CELLS"]


# ---------------------------------------------------------------------------------------------------------
# Readout and losses


def readout(h, W_y, b_y):
    """y_t = W_y h_t + b_y for every step: h (T, B, H), W_y (K, H), b_y (K,)  ->  (T, B, K)."""
    return h @ W_y.T + b_y


def readout_backward(h, W_y, dy):
    """Gradients of the readout from dy = dL/dy (T, B, K): returns dW_y (K, H), db_y (K,), dh (T, B, H)."""
    return np.einsum("tbk,tbh->kh", dy, h), dy.sum(axis=(0, 1)), dy @ W_y


def cross_entropy(logits, labels, mask):
    """Mean cross-entropy over the scored steps, and its gradient with respect to the logits.

    logits (T, B, K); labels (T, B) integers in [0, K); mask (T, B) bool.  Returns (loss, dlogits (T, B, K)).
    With p = softmax(logits), the gradient of -log p[label] is p - one_hot(label): the error of each output.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)       # the same softmax, no overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    n = mask.sum()
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    loss = -np.sum(picked * mask) / n
    dlogits = np.exp(log_p)
    np.put_along_axis(dlogits, labels[..., None], np.take_along_axis(dlogits, labels[..., None], axis=-1) - 1.0,
                      axis=-1)
    return float(loss), dlogits * (mask[..., None] / n)


def squared_error(outputs, targets, mask):
    """Mean over the scored steps of the squared distance Σ_k (y_k - target_k)², and its gradient.

    outputs, targets (T, B, K); mask (T, B) bool.  Returns (loss, doutputs (T, B, K)).
    """
    n = mask.sum()
    error = (outputs - targets) * mask[..., None]
    return float(np.sum(error ** 2) / n), 2.0 * error / n


LOSSES = {"cross_entropy": cross_entropy, "squared_error": squared_error}


# ---------------------------------------------------------------------------------------------------------
# Adam (clipping is Part II's `clip_by_global_norm`)


@dataclass
class Adam:
    """Adam (Kingma & Ba 2015): each parameter moves by a step of about `learning_rate`, in the direction of
    its gradient's running mean m, scaled down where the gradient's running size √v is large.

        m ← β1 m + (1 - β1) g          v ← β2 v + (1 - β2) g²
        m̂ = m / (1 - β1^t)             v̂ = v / (1 - β2^t)          (the first steps start from m = v = 0)
        θ ← θ - learning_rate · m̂ / (√v̂ + ε)
    """

    learning_rate: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: dict = field(default_factory=dict)
    v: dict = field(default_factory=dict)

    def step(self, params: dict, grads: dict) -> dict:
        """The parameters after one step (a new dict; `params` is left unchanged)."""
        self.t += 1
        new = {}
        for name, theta in params.items():
            g = grads[name]
            self.m[name] = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * g
            self.v[name] = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * g ** 2
            m_hat = self.m[name] / (1 - self.beta1 ** self.t)
            v_hat = self.v[name] / (1 - self.beta2 ** self.t)
            new[name] = theta - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
        return new


# ---------------------------------------------------------------------------------------------------------
# A network: a cell and its readout

#: The cells `train` knows, by name: the book's LSTM (Part II's fast `lstm_forward` and `lstm_backward`), the
#: plain RNN of Part II, and the variants of chapter 11 (`lstm_book.variants`).
CELLS = ("lstm", "rnn") + tuple(name for name in VARIANTS if name != "lstm")

#: Cells whose equations are the book's six: trained with Part II's code (only their initial b_f differs).
_BOOK_LSTM = ("lstm", "forget_bias_0")


def init_network(cell: str, input_size: int, hidden_size: int, output_size: int, *, seed: int = 0,
                 forget_bias: float | None = None) -> dict[str, np.ndarray]:
    """Random parameters of a cell (named as in the book) plus its readout W_y (K, H) and b_y (K,).

    Weights are uniform in ±1/√H, biases 0, except b_f: 1 for the LSTM, 0 for "forget_bias_0", or `forget_bias`.
    """
    _cell(cell, "init_network")
    if cell == "rnn":
        params = init_rnn_params(input_size, hidden_size, seed=seed).as_dict()
    elif cell in _BOOK_LSTM:
        b_f = VARIANTS[cell].forget_bias if forget_bias is None else forget_bias
        params = init_params(input_size, hidden_size, forget_bias=b_f, seed=seed).as_dict()
    else:
        params = init_variant(cell, input_size, hidden_size, seed=seed, forget_bias=forget_bias)
    rng = np.random.default_rng([seed, 7])
    scale = 1.0 / np.sqrt(hidden_size)
    params["W_y"] = rng.uniform(-scale, scale, (output_size, hidden_size))
    params["b_y"] = np.zeros(output_size)
    return params


def _cell(cell, func):
    if cell not in CELLS:
        raise LSTMInputError(f"{func}: argument 'cell' should be one of {list(CELLS)}, but got {cell!r}")
    return cell


def _split(params: dict):
    cell_params = {k: v for k, v in params.items() if k not in ("W_y", "b_y")}
    return cell_params, params["W_y"], params["b_y"]


def network_forward(params: dict, xs: np.ndarray, cell: str):
    """The cell over a batch xs (T, B, D), then the readout: returns (outputs (T, B, K), the cell's trace)."""
    cell_params, W_y, b_y = _split(params)
    if cell in _BOOK_LSTM:
        zeros = np.zeros(xs.shape[1:-1] + W_y.shape[1:])             # h0 = c0 = 0, passed explicitly
        trace = lstm_forward(xs, LSTMParams(**cell_params), zeros, zeros)
    elif cell == "rnn":
        trace = rnn_forward(xs, RNNParams(**cell_params))           # the hidden states are all there is
    else:
        trace = variant_forward(xs, cell_params, cell)
    h = trace if cell == "rnn" else trace.h
    return readout(h, W_y, b_y), trace


def network_backward(params: dict, xs: np.ndarray, cell: str, trace, doutputs: np.ndarray) -> dict:
    """The gradient of the loss with respect to every parameter, from doutputs = dL/d(outputs) (T, B, K)."""
    cell_params, W_y, _ = _split(params)
    h = trace if cell == "rnn" else trace.h
    dW_y, db_y, dh = readout_backward(h, W_y, doutputs)
    if cell in _BOOK_LSTM:
        zeros = np.zeros(dh.shape[1:])
        grads = lstm_backward(xs, LSTMParams(**cell_params), trace, dh, zeros, zeros)._asdict()
    elif cell == "rnn":
        grads = rnn_backward(xs, RNNParams(**cell_params), trace, dh)._asdict()
    else:
        grads = variant_backward(xs, cell_params, cell, trace, dh)
    grads = {name: grads[name] for name in cell_params}
    grads.update(W_y=dW_y, b_y=db_y)
    return grads


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


def evaluate(params: dict, cell: str, task: Task, batch: Batch) -> tuple[float, float]:
    """(loss, accuracy) of a network on a batch."""
    with trusted(), np.errstate(over="ignore", invalid="ignore"):
        outputs, _ = network_forward(params, batch.x, cell)
        loss, _ = LOSSES[task.loss](outputs, batch.y, batch.mask)
    return loss, task.accuracy(outputs, batch)


def _check_number(name, value, *, low=0.0, inclusive=False):
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool) \
            or not np.isfinite(value) or value < low or (value == low and not inclusive):
        sign = ">=" if inclusive else ">"
        raise LSTMInputError(f"train: argument '{name}' should be a finite number {sign} {low}, but got {value!r}")


def _check_int(name, value, low=1):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise LSTMInputError(f"train: argument '{name}' should be an integer >= {low}, but got {value!r}")


def train(task: Task, cell: str = "lstm", *, hidden_size: int, steps: int, learning_rate: float,
          batch_size: int = 32, clip: float | None = 1.0, seed: int = 0, forget_bias: float | None = None,
          eval_every: int = 50, eval_size: int = 256, test_task: Task | None = None,
          target_accuracy: float | None = None,
          params: dict | None = None, progress: bool = True, desc: str | None = None) -> TrainResult:
    """Train a cell with a readout on a memory task with Adam, from seeded random weights.

    task: a `Task` of `lstm_book.memory_tasks`;  cell: one of `CELLS`;  hidden_size: H;  steps: how many
    updates, each on a fresh batch of `batch_size` sequences;  learning_rate: Adam's step size;  clip: the
    largest gradient norm (None: no clipping);  seed: the weights and the data (the same seed, the same run);
    forget_bias: the initial b_f (default: the cell's own);  eval_every: measure the test batch (`eval_size`
    sequences, never trained on) every so many steps, for the learning curve;  test_task: draw the test batch
    from this task instead (e.g. longer sequences, to test generalisation);  target_accuracy: stop as soon
    as the test accuracy reaches it;  params: start from these instead of random weights;  progress: show a
    progress bar (tqdm) with the loss.

    A run whose loss or gradient stops being finite is stopped and returned with `diverged=True`.
    """
    params = _check_arguments(task, cell, hidden_size, steps, learning_rate, batch_size, clip, seed, forget_bias,
                              eval_every, eval_size, test_task, target_accuracy, params)
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
    with trusted(), np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            batch = task.sample(batch_size, data)
            try:
                outputs, trace = network_forward(params, batch.x, cell)
                loss, doutputs = loss_fn(outputs, batch.y, batch.mask)
                if np.isfinite(loss):
                    grads = network_backward(params, batch.x, cell, trace, doutputs)
            except LSTMInputError:   # the inputs were checked above: here it is the cell overflowing
                loss = np.nan
            if not (np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())):
                diverged = True
                break
            if clip is not None:
                grads, _ = clip_by_global_norm(grads, clip)
            stepped = adam.step(params, grads)
            if not all(np.all(np.isfinite(p)) for p in stepped.values()):
                diverged = True
                break
            params = stepped
            losses.append(loss)
            if step % eval_every == 0 or step == steps:
                try:
                    test_loss, test_accuracy = evaluate(params, cell, test_task, test)
                except LSTMInputError:
                    test_loss = np.nan
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
    if diverged:
        return TrainResult(cell, task.name, params, np.array(losses), curve, None, None, seconds, len(losses), True)
    test_loss, test_accuracy = curve[-1][1:]
    return TrainResult(cell, task.name, params, np.array(losses), curve, test_loss, test_accuracy, seconds,
                       len(losses), False, solved_at)


def _check_arguments(task, cell, hidden_size, steps, learning_rate, batch_size, clip, seed, forget_bias, eval_every,
                     eval_size, test_task, target_accuracy, params) -> dict:
    """The checks of `train`'s arguments, each error naming the argument; returns the starting parameters."""
    if not isinstance(task, Task):
        raise LSTMInputError(f"train: argument 'task' should be a Task from lstm_book.memory_tasks, "
                             f"but got {type(task).__name__}")
    _cell(cell, "train")
    _check_int("hidden_size", hidden_size)
    _check_int("steps", steps)
    _check_number("learning_rate", learning_rate)
    _check_int("batch_size", batch_size)
    if clip is not None:
        _check_number("clip", clip)
    _check_int("seed", seed, low=0)
    if forget_bias is not None:
        _check_number("forget_bias", forget_bias, low=-np.inf)
    _check_int("eval_every", eval_every)
    _check_int("eval_size", eval_size)
    if test_task is not None and (not isinstance(test_task, Task) or (test_task.input_size, test_task.output_size,
                                                                      test_task.loss) != (task.input_size, task.output_size, task.loss)):
        raise LSTMInputError(f"train: argument 'test_task' should be a Task with the inputs, outputs and loss of "
                             f"{task.name}, but got {test_task!r}")
    if target_accuracy is not None and not (isinstance(target_accuracy, (int, float)) and 0 < target_accuracy <= 1):
        raise LSTMInputError(f"train: argument 'target_accuracy' should be a number in (0, 1], "
                             f"but got {target_accuracy!r}")
    if params is None:
        params = init_network(cell, task.input_size, hidden_size, task.output_size, seed=seed,
                              forget_bias=forget_bias)
    else:
        expected = init_network(cell, task.input_size, hidden_size, task.output_size)
        if set(params) != set(expected) or any(np.shape(params[k]) != expected[k].shape for k in expected):
            raise LSTMInputError(f"train: argument 'params' should hold {sorted(expected)} with the shapes of a "
                                 f"{cell} of hidden size {hidden_size} on {task.name}")
        params = {k: np.array(v, dtype=float) for k, v in params.items()}

    return params


def _progress(total: int, desc: str, show: bool):
    """A tqdm progress bar: one line that updates in place, in a terminal and in Jupyter alike."""
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=True, mininterval=0.5)
