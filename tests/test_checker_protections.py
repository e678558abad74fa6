"""Every public checker of the four checker modules (Parts I to IV) against the same hostile catalogue.

Each checker is given a correct answer written here, independently of the package, and the catalogue turns it
into the answers a reader's function can give: None, a tuple of the wrong length, a dict, a string, a generator,
an object whose __array__ raises, NaN and inf, a wrong shape, integers, an exception, a print instead of a
return, a numpy warning, an endless loop, a wrong parameter list, and a change of each input in place. Each must
be rejected with the words that say so, without the checker raising or letting a warning out; results in
float32, and answers computed in float32, must pass. Adding a public check_* to a module without adding it to
ANSWERS fails `test_every_public_checker_is_in_the_catalogue`.
"""

from __future__ import annotations

import inspect
import time
import warnings

import numpy as np
import pytest

from lstm_book import LSTMParams, Step, lstm_step_backward
from lstm_book.teaching.checkers import part1 as exercises, part2 as exercises_backward, part3 as exercises_training, runner
from lstm_book.teaching.checkers import part4 as exercises_text, part4_units as exercises_units
from lstm_book.teaching.checkers import part4_lookback as exercises_lookback
from lstm_book.teaching.checkers import Feedback

MODULES = (exercises, exercises_backward, exercises_training, exercises_text, exercises_units, exercises_lookback)
PARAMS = list(LSTMParams.NAMES)


def sig(z):
    return 1 / (1 + np.exp(-z))


# ------------------------------------------------------------------ correct answers, written independently

def gate(act):
    return lambda x_t, h_prev, W_x, W_h, b: act(x_t @ W_x.T + h_prev @ W_h.T + b)


def step(x_t, h_prev, c_prev, params):
    z = {g: x_t @ getattr(params, f"W_x{g}").T + h_prev @ getattr(params, f"W_h{g}").T + getattr(params, f"b_{g}")
         for g in "ijfo"}
    c_t = c_prev * sig(z["f"]) + np.tanh(z["i"]) * sig(z["j"])
    return np.tanh(c_t) * sig(z["o"]), c_t


def stack(params):
    W = np.vstack([np.hstack([getattr(params, f"W_x{g}"), getattr(params, f"W_h{g}")]) for g in "ijfo"])
    return W, np.hstack([getattr(params, f"b_{g}") for g in "ijfo"])


def memory_backward(dh_t, dc_next, c_t, o_t, c_prev, f_t, i_t, j_t):
    dc = dh_t * o_t * (1 - np.tanh(c_t) ** 2) + dc_next
    return dc * f_t, dc * c_prev, dc * j_t, dc * i_t


def forget_gate_backward(df_t, f_t, x_t, h_prev, W_xf, W_hf):
    dz = df_t * f_t * (1 - f_t)
    dz2 = np.atleast_2d(dz)
    return dz @ W_xf, dz @ W_hf, dz2.T @ np.atleast_2d(x_t), dz2.T @ np.atleast_2d(h_prev), dz2.sum(axis=0)


def lstm_backward(xs, params, trace, dh):
    zeros = np.zeros_like(trace.h[0])
    dh_next = dc_next = zeros
    grads = {k: 0.0 for k in PARAMS}
    dxs = np.zeros_like(xs)
    for t in reversed(range(len(xs))):
        h_prev, c_prev = (trace.h[t - 1], trace.c[t - 1]) if t else (zeros, zeros)
        g = lstm_step_backward(dh[t] + dh_next, dc_next, xs[t], h_prev, c_prev, Step(*(a[t] for a in trace)), params)
        dh_next, dc_next, dxs[t] = g.h_prev, g.c_prev, g.x_t
        grads = {k: grads[k] + getattr(g, k) for k in PARAMS}
    return {**grads, "xs": dxs}


def clip(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(v * v)) for v in grads.values()))
    return {k: v * min(1.0, max_norm / norm) for k, v in grads.items()}


def cross_entropy(logits, labels, mask):
    z = logits - logits.max(-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))
    n = mask.sum()
    loss = -np.sum(np.take_along_axis(log_p, labels[..., None], -1)[..., 0] * mask) / n
    return loss, (np.exp(log_p) - np.eye(logits.shape[-1])[labels]) * mask[..., None] / n


def squared_error(outputs, targets, mask):
    e = (outputs - targets) * mask[..., None]
    return (e ** 2).sum() / mask.sum(), 2 * e / mask.sum()


def adam_step(theta, g, m, v, t, learning_rate):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g * g
    return theta - learning_rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8), m, v


def peephole(x_t, h_prev, c_prev, W_xf, W_hf, p_f, b_f):
    return sig(x_t @ W_xf.T + h_prev @ W_hf.T + p_f * c_prev + b_f)


def stacked_backward(dgates, gates, x_t, h_prev, W):
    H, D = gates.shape[1] // 4, x_t.shape[1]
    slope = np.hstack([1 - gates[:, :H] ** 2, gates[:, H:] * (1 - gates[:, H:])])
    dz = dgates * slope
    back = dz @ W
    return back[:, :D], back[:, D:], dz.T @ np.hstack([x_t, h_prev]), dz.sum(axis=0)


def peephole_backward(df_t, f_t, x_t, h_prev, c_prev, W_xf, W_hf, p_f):
    dz = df_t * f_t * (1 - f_t)
    dz2 = np.atleast_2d(dz)
    return (dz @ W_xf, dz @ W_hf, dz * p_f, dz2.T @ np.atleast_2d(x_t), dz2.T @ np.atleast_2d(h_prev),
            (dz2 * np.atleast_2d(c_prev)).sum(axis=0), dz2.sum(axis=0))


def memory_errors(f, e):
    dc = np.zeros_like(e)
    dc[-1] = e[-1]
    for t in range(len(e) - 2, -1, -1):
        dc[t] = e[t] + f[t + 1] * dc[t + 1]
    return dc


def temperature_gradient(logits, labels, mask, tau):
    loss, ds = cross_entropy(logits / tau, labels, mask)
    return loss, -np.sum(ds * logits) / tau ** 2


def forget_bias(steps, share):
    f = share ** (1 / steps)
    return np.log(f / (1 - f))


def coupled_memory_backward(dc_t, c_prev, f_t, i_t):
    return dc_t * f_t, dc_t * (c_prev - i_t), dc_t * (1 - f_t)


def softmax_t(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def evaluate_in_chunks(params, inputs, targets, seq_len):
    from lstm_book.charlm import charlm_forward
    h = c = np.zeros((inputs.shape[1], params["W_hi"].shape[1]), np.float32)
    total = 0.0
    for s in range(0, len(inputs), seq_len):
        logits, trace = charlm_forward(params, inputs[s:s + seq_len], h, c)
        p = softmax_t(logits.astype(float), 1.0)
        total -= np.log2(np.take_along_axis(p, targets[s:s + seq_len, :, None], -1)).sum()
        h, c = trace.h[-1], trace.c[-1]
    return total / targets.size


def work(D, H, B, T):
    return {"multiplications": 4 * B * H * (D + H), "forward_products": T + 1, "loop_products": 8 * T}


def clipped_norms(norms, max_norm):
    total = np.sqrt(np.sum(norms * norms))
    return norms * min(1.0, max_norm / total) if total > 0 else norms * 1.0


def smallest_forget_bias(start, end, share):
    from lstm_book import running_example, running_example_params
    x = running_example().x[:, 0]
    low, high = -10.0, 20.0
    for _ in range(40):
        middle = (low + high) / 2
        f = sig(middle + running_example_params().W_xf[0, 0] * x)
        low, high = (middle, high) if np.prod(f[start:end]) < share else (low, middle)
    return np.float64(high)


def state_and_factor(w, h0):
    h = h0
    for _ in range(4000):
        h = np.tanh(w * h)
    return np.float64(h), np.float64(w * (1 - h * h))


def uniform_cross_entropy(labels, mask, num_classes):
    p = np.full(labels.shape + (num_classes,), 1 / num_classes)
    return np.float64(np.log(num_classes)), (p - np.eye(num_classes)[labels]) * mask[..., None] / mask.sum()


def constant_gradient_step(g, learning_rate, t):
    return -learning_rate * g / (np.abs(g) + 1e-8)


def matching_size(variant, D, H):
    parts = {"gru": 3, "coupled": 3, "no_output": 3, "no_forget": 3, "no_input": 3}.get(variant, 4)
    extra = 3 if variant == "peepholes" else 0
    size = 1
    while parts * (size * D + size * size + size) + extra * size < 4 * (H * D + H * H + H):
        size += 1
    return size


def best_bias(counts):
    return np.log(np.asarray(counts, dtype=float))


def chars_to_line_end(text):
    out, left = [], 0
    for ch in reversed(text):
        out.append(left)
        left = 0 if ch == "\n" else left + 1
    return np.array(out[::-1], float)


def binary_correlation(values, inside):
    x, y = values - values.mean(0), inside - inside.mean()
    return (y @ x) / np.sqrt((x * x).sum(0) * (y @ y))


def memory_path(e, f, i, j, c_prev, W_xi, W_xj, W_xf):
    delta, carried = np.empty_like(f), e
    for s in reversed(range(len(f))):
        delta[s], carried = carried, carried * f[s]
    return ((delta * j * (1 - i ** 2)) @ W_xi + (delta * i * j * (1 - j)) @ W_xj
            + (delta * c_prev * f * (1 - f)) @ W_xf)


def _gate_names(g):
    return ["x_t", "h_prev", f"W_x{g}", f"W_h{g}", f"b_{g}"]


#: checker name -> (correct answer, the book's parameter names, what it returns: "one", an int n (a tuple of n
#: arrays) or "dict"); the inputs a reader could change in place, as the checker names them
ANSWERS = {
    "check_hidden_state": (lambda c_t, o_t: np.tanh(c_t) * o_t, ["c_t", "o_t"], "one"),
    "check_output_gate": (gate(sig), _gate_names("o"), "one"),
    "check_cell_state": (lambda c_prev, f_t, i_t, j_t: c_prev * f_t + i_t * j_t, ["c_prev", "f_t", "i_t", "j_t"], "one"),
    "check_forget_gate": (gate(sig), _gate_names("f"), "one"),
    "check_input_gate": (gate(sig), _gate_names("j"), "one"),
    "check_input_state": (gate(np.tanh), _gate_names("i"), "one"),
    "check_lstm_step": (step, ["x_t", "h_prev", "c_prev", "params"], 2),
    "check_stack_params": (stack, ["params"], 2),
    "check_memory_backward": (memory_backward, ["dh_t", "dc_next", "c_t", "o_t", "c_prev", "f_t", "i_t", "j_t"], 4),
    "check_forget_gate_backward": (forget_gate_backward, ["df_t", "f_t", "x_t", "h_prev", "W_xf", "W_hf"], 5),
    "check_lstm_backward": (lstm_backward, ["xs", "params", "trace", "dh"], "dict"),
    "check_clip_by_global_norm": (clip, ["grads", "max_norm"], "dict"),
    "check_cross_entropy": (cross_entropy, ["logits", "labels", "mask"], 2),
    "check_squared_error": (squared_error, ["outputs", "targets", "mask"], 2),
    "check_adam_step": (adam_step, ["theta", "g", "m", "v", "t", "learning_rate"], 3),
    "check_coupled_cell_state": (lambda c_prev, f_t, i_t: c_prev * f_t + i_t * (1 - f_t), ["c_prev", "f_t", "i_t"],
                                 "one"),
    "check_gru_hidden_state": (lambda h_prev, z_t, n_t: (1 - z_t) * n_t + z_t * h_prev, ["h_prev", "z_t", "n_t"], "one"),
    "check_peephole_forget_gate": (peephole, ["x_t", "h_prev", "c_prev", "W_xf", "W_hf", "p_f", "b_f"], "one"),
    "check_stacked_backward": (stacked_backward, ["dgates", "gates", "x_t", "h_prev", "W"], 4),
    "check_peephole_forget_gate_backward": (peephole_backward, ["df_t", "f_t", "x_t", "h_prev", "c_prev", "W_xf",
                                                                "W_hf", "p_f"], 7),
    "check_memory_errors": (memory_errors, ["f", "e"], "one"),
    "check_temperature_gradient": (temperature_gradient, ["logits", "labels", "mask", "tau"], 2),
    "check_forget_bias": (forget_bias, ["steps", "share"], "one"),
    "check_coupled_memory_backward": (coupled_memory_backward, ["dc_t", "c_prev", "f_t", "i_t"], 3),
    "check_softmax_with_temperature": (softmax_t, ["logits", "temperature"], "one"),
    "check_evaluate_in_chunks": (evaluate_in_chunks, ["params", "inputs", "targets", "seq_len"], "one"),
    "check_work_counts": (work, ["D", "H", "B", "T"], "dict"),
    "check_clipped_norms": (clipped_norms, ["norms", "max_norm"], "one"),
    "check_smallest_forget_bias": (smallest_forget_bias, ["start", "end", "share"], "one"),
    "check_state_and_factor": (state_and_factor, ["w", "h0"], 2),
    "check_uniform_cross_entropy": (uniform_cross_entropy, ["labels", "mask", "num_classes"], 2),
    "check_constant_gradient_step": (constant_gradient_step, ["g", "learning_rate", "t"], "one"),
    "check_matching_size": (matching_size, ["variant", "D", "H"], "one"),
    "check_unigram_bias": (best_bias, ["counts"], "one"),
    "check_chars_to_line_end": (chars_to_line_end, ["text"], "one"),
    "check_binary_correlation": (binary_correlation, ["values", "inside"], "one"),
    "check_mean_gate_slope": (lambda values: np.mean(values * (1 - values), axis=0), ["values"], "one"),
    "check_factor_per_step": (lambda g, first, last: (g[last] / g[first]) ** (1 / (last - first)),
                              ["g", "first", "last"], "one"),
    "check_memory_path": (memory_path, ["e", "f", "i", "j", "c_prev", "W_xi", "W_xj", "W_xf"], "one"),
    "check_initial_rnn_factor": (lambda hidden_size: 3 ** -0.5, ["hidden_size"], "one"),
}

#: the checkers whose answer is a count: integers are right there (the hostile integers are numbers off)
COUNTS = {"check_work_counts", "check_matching_size"}
#: the checkers whose answer is a value the reader's code made (a training run), not a function: see
#: tests/test_exercises_training.py
VALUES = {"check_forget_bias_run", "check_matching_size_run"}

#: the inputs that hold arrays a function could overwrite (parameters are read-only: see test_read_only_parameters)
CHANGEABLE = {
    **{name: [n for n in names if n != "params"] for name, (_, names, _) in ANSWERS.items()},
    "check_stack_params": [],
    "check_lstm_backward": ["xs", "dh", "trace.h", "trace.c", "trace.f"],
    "check_clip_by_global_norm": ["grads['W']", "grads['b']"],
    "check_adam_step": ["theta", "g", "m", "v"],
    "check_temperature_gradient": ["logits", "labels", "mask"],
    "check_forget_bias": [],
    "check_softmax_with_temperature": ["logits"],
    "check_evaluate_in_chunks": ["inputs", "targets"],
    "check_work_counts": [],
    "check_clipped_norms": ["norms"],
    "check_uniform_cross_entropy": ["labels", "mask"],
    "check_smallest_forget_bias": [],
    "check_state_and_factor": [],
    "check_constant_gradient_step": ["g"],
    "check_matching_size": [],
    "check_unigram_bias": ["counts"],
    "check_chars_to_line_end": [],
    "check_binary_correlation": ["values", "inside"],
    "check_mean_gate_slope": ["values"],
    "check_factor_per_step": ["g"],
    "check_initial_rnn_factor": [],
}

PART_1 = [n for n in exercises.__all__ if n.startswith("check_")]
PARTS_2_3 = [n for m in MODULES[1:] for n in m.__all__ if n.startswith("check_") and n not in VALUES]
CHECKERS = PART_1 + PARTS_2_3


def checker(name):
    return next(getattr(m, name) for m in MODULES if name in m.__all__)


def with_signature(function, names):
    """`function` as a reader's function with these parameter names (what the checker reads)."""
    def answer(*args):
        return function(*args)

    answer.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return answer


def run(name, function):
    """The checker's verdict on `function` (given the book's parameter names), with every warning an error."""
    _, names, _ = ANSWERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = checker(name)(with_signature(function, names))
    assert isinstance(feedback, Feedback) and isinstance(feedback.message, str) and feedback.message
    assert "Traceback" not in feedback.message
    return feedback


def rejected(name, function, words):
    feedback = run(name, function)
    assert not feedback.correct, f"{name} accepted it: {feedback.message}"
    assert words in feedback.message, f"{name}: {feedback.message}"


def change_last(result, kind, change):
    """The result with its last array (the only one, the last of a tuple, the last key's) changed."""
    if kind == "one":
        return change(result)
    if kind == "dict":
        last = list(result)[-1]
        return {**result, last: change(result[last])}
    return (*result[:-1], change(result[-1]))


# ------------------------------------------------------------------ the catalogue


class Unreadable:
    """An object that cannot be printed or made into an array."""

    def __repr__(self):
        raise RuntimeError("no repr")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")


def _raise(exc):
    raise exc


def _loud(result):
    print("my answer is", result)


def _nan(a):
    a = np.array(a, dtype=float)
    a.flat[-1] = np.nan
    return a


def _inf(a):
    a = np.array(a, dtype=float)
    a.flat[0] = np.inf
    return a


def _warns(result, kind):
    np.log(-np.ones(1))  # RuntimeWarning: invalid value
    return change_last(result, kind, lambda a: np.asarray(a) * 1.5)


def hostile(kind):
    """(name, function of the correct answer's result -> what the hostile function returns, words) for a checker
    whose answer is of this kind."""
    n = 1 if kind == "one" else (2 if kind == "dict" else kind)
    return [
        ("None", lambda r: None, "forget the `return`"),
        ("a tuple of the wrong length",
         lambda r: (r, r) if kind == "one" else (tuple(r.values()) if kind == "dict" else tuple(r)[:-1]),
         {"one": "returned 2 values", "dict": "should return a dict"}.get(kind, f"should return {n} values")),
        ("a dict", lambda r: {"oops": 1.0},
         "missing" if kind == "dict" else "a dict"),
        ("a string", lambda r: "the answer", "a string"),
        ("a generator", lambda r: (v for v in range(3)), "generator"),
        ("an object whose __array__ raises",
         lambda r: Unreadable() if kind == "one" else ({k: Unreadable() for k in r} if kind == "dict"
                                                       else (Unreadable(),) * n), "cannot be read as an array"),
        ("NaN", lambda r: change_last(r, kind, _nan), "has nan at index"),
        ("inf", lambda r: change_last(r, kind, _inf), "has inf at index"),
        ("a wrong shape", lambda r: change_last(r, kind, lambda a: np.asarray(a)[..., None]), "shape"),
        ("integers", lambda r: change_last(r, kind, lambda a: np.round(np.asarray(a) * 100).astype(int)),
         "integer dtype"),
        ("numbers off", lambda r: change_last(r, kind, lambda a: np.asarray(a) * 1.01 + 1e-3), " in yours but "),
        ("raises", lambda r: _raise(ValueError("oops")), "raised ValueError: 'oops'"),
        ("prints", _loud, "printed its result but returned None"),
        ("warns", lambda r: _warns(r, kind), "numpy warned: invalid value encountered in log"),
    ]


CATALOGUE = [(name, case) for name in CHECKERS for case in range(len(hostile(1)))]


@pytest.mark.parametrize("name, k", CATALOGUE, ids=[f"{n}-{hostile(1)[k][0]}" for n, k in CATALOGUE])
def test_every_odd_answer_is_rejected_in_words(name, k):
    answer, _, kind = ANSWERS[name]
    what, spoil, words = hostile(kind)[k]
    if name in COUNTS and what == "integers":
        words = " in yours but "  # a count may be an integer: these are a hundred times too large
    if name == "check_lstm_step" and what == "numbers off":
        words = "c_t is wrong"  # the step says where the mistake is instead
    rejected(name, lambda *args: spoil(answer(*args)), words)


@pytest.mark.parametrize("name", CHECKERS)
def test_the_correct_answer_passes(name):
    answer, _, _ = ANSWERS[name]
    feedback = run(name, answer)
    assert feedback.correct, feedback.message


def _float32(value):
    if isinstance(value, np.ndarray):
        return value.astype(np.float32) if value.dtype.kind == "f" else value
    if isinstance(value, dict):
        return {k: _float32(v) for k, v in value.items()}
    if isinstance(value, LSTMParams):
        return LSTMParams(**{k: v.astype(np.float32) for k, v in value.as_dict().items()})
    if isinstance(value, tuple):
        return type(value)(*(_float32(v) for v in value))
    return value


@pytest.mark.parametrize("name", CHECKERS)
def test_an_answer_in_float32_passes(name):
    """Results returned in float32, and results computed in float32 from float32 copies of the inputs."""
    answer, _, kind = ANSWERS[name]

    def as_float32(result):
        if kind == "one":
            return np.asarray(result, dtype=np.float32)
        if kind == "dict":
            return {k: np.asarray(v, dtype=np.float32) for k, v in result.items()}
        return tuple(np.asarray(a, dtype=np.float32) for a in result)

    returned = run(name, lambda *args: as_float32(answer(*args)))
    assert returned.correct, returned.message
    computed = run(name, lambda *args: answer(*(_float32(a) for a in args)))
    assert computed.correct, computed.message


def _overwrite(array):
    """Change an input array in place, as `+=` would (a mask is negated)."""
    if array.dtype == bool:
        np.logical_not(array, out=array)
    else:
        array += 1


@pytest.mark.parametrize("name, label", [(n, label) for n in CHECKERS for label in CHANGEABLE[n]])
def test_an_input_changed_in_place_is_named(name, label):
    answer, names, _ = ANSWERS[name]
    base, rest = label.split("[")[0].split(".")[0], label[len(label.split("[")[0].split(".")[0]):]

    def overwrite(*args):
        result = answer(*args)
        target = args[names.index(base)]
        if rest.startswith("["):
            target = target[rest[2:-2]]
        elif rest.startswith("."):
            target = getattr(target, rest[1:])
        _overwrite(target)
        return result

    rejected(name, overwrite, f"changes its input `{label}` in place")


@pytest.mark.parametrize("name", [n for n in CHECKERS if CHANGEABLE[n]])
def test_a_changed_input_is_also_named_as_the_reader_calls_it(name):
    answer, names, _ = ANSWERS[name]
    label = CHANGEABLE[name][-1]
    base = label.split("[")[0].split(".")[0]
    mine = [f"my_{n}" for n in names]

    def overwrite(*args):
        result = answer(*args)
        target = args[names.index(base)]
        target = target["b"] if "[" in label else (getattr(target, label.split(".")[1]) if "." in label else target)
        _overwrite(target)
        return result

    feedback = checker(name)(with_signature(overwrite, mine))
    assert not feedback.correct and f"in your code: `my_{label}`" in feedback.message, feedback.message


@pytest.mark.parametrize("name", [n for n in CHECKERS if "params" in ANSWERS[n][1]])
def test_read_only_parameters_are_explained(name):
    answer, names, _ = ANSWERS[name]

    def overwrite(*args):
        args[names.index("params")].b_f[0] = 1.0
        return answer(*args)

    rejected(name, overwrite, "tried to change the parameters in place")


@pytest.mark.parametrize("name", CHECKERS)
def test_an_endless_loop_is_stopped(name, monkeypatch):
    monkeypatch.setattr(runner, "TIME_LIMIT", 0.3)
    answer, _, _ = ANSWERS[name]

    def slow(*args):
        end = time.monotonic() + 2.0  # "endless", but ends, so that a checker without a time limit fails here
        while time.monotonic() < end:
            pass
        return answer(*args)

    start = time.monotonic()
    rejected(name, slow, "did not finish within 0.3 seconds")
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("name", CHECKERS)
def test_a_wrong_parameter_list_is_named_before_anything_runs(name):
    answer, names, _ = ANSWERS[name]
    calls = []

    def counted(*args):
        calls.append(1)
        return answer(*args)

    too_few = names[:-1] or ["params", "extra"]
    feedback = checker(name)(with_signature(counted, too_few))
    assert not feedback.correct and f"defined as ({', '.join(too_few)})" in feedback.message, feedback.message
    if len(names) > 1:
        swapped = [names[1], names[0], *names[2:]]
        feedback = checker(name)(with_signature(counted, swapped))
        assert not feedback.correct and f"in the order ({', '.join(swapped)})" in feedback.message, feedback.message
    assert not calls


def test_every_public_checker_is_in_the_catalogue():
    assert set(CHECKERS) == set(ANSWERS), set(CHECKERS) ^ set(ANSWERS)
    assert len(PARTS_2_3) == 33   # Part II's 12, Part III's 12 (and the 2 of training runs), Part IV's 9 (chapters 12-14: 3 each)
    assert VALUES <= {n for m in MODULES for n in m.__all__}


def test_several_results_are_judged_one_by_one():
    """Results in another order, stacked into one array, or one of them off: each said in its own words."""
    reordered = run("check_memory_backward", lambda *a: (lambda r: (r[1], r[0], r[2], r[3]))(memory_backward(*a)))
    assert not reordered.correct and "return them in the order (dc_prev, df_t, di_t, dj_t)" in reordered.message
    stacked = run("check_memory_backward", lambda *a: np.stack(memory_backward(*a)))
    assert not stacked.correct and "stacked" in stacked.message, stacked.message
    off = run("check_adam_step", lambda *a: (lambda r: (r[0], r[1], r[2] * 1.001))(adam_step(*a)))
    assert not off.correct and "v[0] is" in off.message and "from lstm_book" in off.message, off.message
    keyed = run("check_clip_by_global_norm", lambda g, m: {**clip(g, m), "extra": np.zeros(1)})
    assert not keyed.correct and "not expected: ['extra']" in keyed.message, keyed.message
