"""A larger catalogue of what learners actually write, tried against every exercise checker.

Each wrong implementation below is written out as a reader would write it (independently of
lstm_book.teaching.checkers) with the fragment of the message it must get: every one is rejected, never crashes the
checker, lets no warning escape, and is told something that points to the mistake. The correct but unusual
implementations (einsum, explicit loops, float32, np.inner, np.vectorize(math.exp), an in-place update of the
function's own array, ...) must all be accepted. test_exercises.py holds the first catalogue; nothing here
repeats it.
"""

from __future__ import annotations

import functools
import math
import signal
import warnings
from collections import namedtuple

import numpy as np
import pytest

import lstm_book.teaching.checkers.runner as exercises
from lstm_book import (
    cell_state, forget_gate, hidden_state, init_params, input_gate, input_state, lstm_step, output_gate,
)
from lstm_book import sigmoid as book_sigmoid
from lstm_book.teaching.checkers import (
    Feedback, check_cell_state, check_forget_gate, check_hidden_state, check_input_gate, check_input_state,
    check_lstm_step, check_output_gate,
)

GATE_CHECKERS = {"o": check_output_gate, "f": check_forget_gate, "j": check_input_gate, "i": check_input_state}


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _act(g):
    return np.tanh if g == "i" else sig


def _assert_rejected(feedback, name, fragment):
    assert isinstance(feedback, Feedback), name
    assert not feedback.correct, f"{name} was accepted: {feedback.message}"
    assert fragment in feedback.message, f"{name}: {feedback.message}"
    assert "Traceback" not in feedback.message


# ------------------------------------------------------------------------------------------ the gates

def _gate_in_place_bias(g):
    def gate(x, h, Wx, Wh, b):  # "b += ..." accumulates into the caller's bias (and fails for a batch)
        z = np.add(b, x @ Wx.T + h @ Wh.T, out=b) if x.ndim == 1 else x @ Wx.T + h @ Wh.T + b
        return _act(g)(z)
    return gate


def _gate_clipped_bias(g):
    def gate(x, h, Wx, Wh, b):  # np.clip(..., out=b) "to keep the bias small" overwrites it
        np.clip(b, -1, 1, out=b)
        return _act(g)(x @ Wx.T + h @ Wh.T + b)
    return gate


def _gate_shape_cache(g):
    remembered = {}

    def gate(x, h, Wx, Wh, b):  # "only compute once per shape": a result remembered from an earlier call
        key = (x.shape, h.shape, Wx.shape)
        if key not in remembered:
            remembered[key] = _act(g)(x @ Wx.T + h @ Wh.T + b)
        return remembered[key]
    return gate


def _gate_lru_cache(g):
    @functools.lru_cache
    def gate(x, h, Wx, Wh, b):
        return _act(g)(x @ Wx.T + h @ Wh.T + b)
    return gate


def _gate_printed(g):
    def gate(x, h, Wx, Wh, b):
        print(_act(g)(x @ Wx.T + h @ Wh.T + b))
    return gate


def _gate_list_of_rows(g):
    def gate(x, h, Wx, Wh, b):  # a loop over the batch that forgets to stack the rows
        if x.ndim == 1:
            return _act(g)(x @ Wx.T + h @ Wh.T + b)
        return [_act(g)(xr @ Wx.T + hr @ Wh.T + b) for xr, hr in zip(x, h)]
    return gate


def _gate_math_exp(g):
    def gate(x, h, Wx, Wh, b):
        z = x @ Wx.T + h @ Wh.T + b
        return math.tanh(z) if g == "i" else 1 / (1 + math.exp(-z))
    return gate


def _gate_async(g):
    async def gate(x, h, Wx, Wh, b):
        return _act(g)(x @ Wx.T + h @ Wh.T + b)
    return gate


def _gate_generator(g):
    def gate(x, h, Wx, Wh, b):
        yield _act(g)(x @ Wx.T + h @ Wh.T + b)
    return gate


def _gate_recursive(g):
    def gate(x, h, Wx, Wh, b):
        return gate(x, h, Wx, Wh, b)
    return gate


def _gate_undefined_sigmoid(g):
    namespace = {"np": np}
    exec("def gate(x, h, Wx, Wh, b):\n    return sigmoid(x @ Wx.T + h @ Wh.T + b)", namespace)
    return namespace["gate"]


def _gate_reordered(g):
    namespace = {"np": np, "act": _act(g)}
    exec(f"def gate(h_prev, x_t, W_x{g}, W_h{g}, b_{g}):\n"
         f"    return act(x_t @ W_x{g}.T + h_prev @ W_h{g}.T + b_{g})", namespace)
    return namespace["gate"]


def _gate_matrix(g):
    def gate(x, h, Wx, Wh, b):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            return np.asmatrix(_act(g)(x @ Wx.T + h @ Wh.T + b))
    return gate


def _gate_mistakes(g):
    """(name, function, fragment of the message) for gate g; '{g}' in a fragment is the gate's letter."""
    act = _act(g)
    return [
        ("np.dot(W, x): columns, fails on a batch", lambda x, h, Wx, Wh, b: act(np.dot(Wx, x) + np.dot(Wh, h) + b),
         "right for one vector but not for a batch"),
        ("W.dot(x)", lambda x, h, Wx, Wh, b: act(Wx.dot(x) + Wh.dot(h) + b), "right for one vector but not for a batch"),
        ("tensordot over the wrong axes", lambda x, h, Wx, Wh, b: act(np.tensordot(x, Wx, axes=(-1, 0))
                                                                       + np.tensordot(h, Wh, axes=(-1, 0)) + b),
         "Your weights are transposed"),
        ("sum over the wrong axis", lambda x, h, Wx, Wh, b: act((Wx * x[..., None, :]).sum(axis=-2)
                                                                + (Wh * h[..., None, :]).sum(axis=-1) + b),
         "from the equation"),
        ("b += ... in place", _gate_in_place_bias(g), f"changes its input `b_{g}` in place"),
        ("np.clip(b, out=b)", _gate_clipped_bias(g), f"changes its input `b_{g}` in place"),
        ("a tuple of numbers", lambda x, h, Wx, Wh, b: tuple(act(x @ Wx.T + h @ Wh.T + b)), "returned a Python tuple"),
        ("a list of rows", _gate_list_of_rows(g), "returned a Python list"),
        ("np.matrix", _gate_matrix(g), "np.matrix"),
        ("math.exp on an array", _gate_math_exp(g), "use np.exp, np.tanh"),
        ("a Python float", lambda x, h, Wx, Wh, b: float(act(x @ Wx.T + h @ Wh.T + b)[..., 0].sum()),
         "plain Python float"),
        ("floor division", lambda x, h, Wx, Wh, b: (1 // (1 + np.exp(-(x @ Wx.T + h @ Wh.T + b)))) if g != "i"
         else np.floor(np.tanh(x @ Wx.T + h @ Wh.T + b)), "floor division"),
        ("rounded to 3 decimals", lambda x, h, Wx, Wh, b: np.round(act(x @ Wx.T + h @ Wh.T + b), 3),
         "rounded to 3 decimals"),
        ("rounded to 4 decimals", lambda x, h, Wx, Wh, b: np.round(act(x @ Wx.T + h @ Wh.T + b), 4),
         "rounded to 4 decimals"),
        ("pre-activation clipped to ±3", lambda x, h, Wx, Wh, b: act(np.clip(x @ Wx.T + h @ Wh.T + b, -3, 3)),
         "from the equation"),
        ("pre-activation clipped to ±6 (±4 for tanh)",
         lambda x, h, Wx, Wh, b: act(np.clip(x @ Wx.T + h @ Wh.T + b, *((-4, 4) if g == "i" else (-6, 6)))),
         "from the equation"),
        ("result clipped away from 0 and 1", lambda x, h, Wx, Wh, b: np.clip(act(x @ Wx.T + h @ Wh.T + b), -0.99, 0.99),
         "from the equation"),
        ("np.squeeze of the inputs", lambda x, h, Wx, Wh, b: act(np.squeeze(x) @ Wx.T + np.squeeze(h) @ Wh.T + b),
         "(on inputs x_t (1,)"),
        ("np.squeeze of the result", lambda x, h, Wx, Wh, b: np.squeeze(act(x @ Wx.T + h @ Wh.T + b)),
         "An axis of size 1 is missing"),
        ("a result remembered per shape", _gate_shape_cache(g), "On case 8"),
        ("functools.lru_cache", _gate_lru_cache(g), "unhashable type"),
        ("print instead of return", _gate_printed(g), "Replace `print(...)` with `return ...`"),
        ("keyword-only weights", lambda x_t, h_prev, *, W, U, b: 0, "defined as (x_t, h_prev, *, W, U, b)"),
        ("an extra argument", lambda x_t, h_prev, W, U, b, c_prev: 0, "give it these 5 arguments"),
        ("x_t and h_prev swapped, own names",
         lambda h, x, W_x, W_h, b: act(x @ W_x.T + h @ W_h.T + b), f"You multiplied W_x{g} by h_(t-1)"),
        ("x_t and h_prev swapped, the book's names", _gate_reordered(g), f"in the order (h_prev, x_t, W_x{g}"),
        ("dtype object", lambda x, h, Wx, Wh, b: np.array(list(act(x @ Wx.T + h @ Wh.T + b)), dtype=object),
         "not an array of numbers"),
        ("bias as a (1, H) row", lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b.reshape(1, -1)),
         "right for a batch of rows but not for one vector"),
        ("mean over the batch", lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b).mean(axis=0),
         "should have shape"),
        ("first unit only", lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b)[..., 0], "should have shape"),
        ("computed in float16", lambda x, h, Wx, Wh, b: act((x @ Wx.T + h @ Wh.T + b).astype(np.float16)).astype(float),
         "from the equation"),
        ("everything summed into one number", lambda x, h, Wx, Wh, b: act((x * Wx).sum() + (h * Wh).sum() + b),
         "from the equation"),
        ("only the first row of a batch", lambda x, h, Wx, Wh, b: act(np.atleast_2d(x)[0] @ Wx.T
                                                                       + np.atleast_2d(h)[0] @ Wh.T + b),
         "only one row computed"),
        ("right only for a batch of one", lambda x, h, Wx, Wh, b: act(x.reshape(-1) @ Wx.T + h.reshape(-1) @ Wh.T
                                                                      + b).reshape(x.shape[:-1] + (-1,)),
         "right for one vector but not for a batch"),
        ("a transposed batch", lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + b).T, "It is transposed"),
        ("the bias rolled by one unit", lambda x, h, Wx, Wh, b: act(x @ Wx.T + h @ Wh.T + np.roll(b, 1)),
         "from the equation"),
        ("sigmoid not defined", _gate_undefined_sigmoid(g), "raised NameError"),
        ("recursion", _gate_recursive(g), "calls itself"),
        ("async def", _gate_async(g), "`async def`"),
        ("yield instead of return", _gate_generator(g), "a `yield`"),
    ]


_GATE_CASES = [(g, *m) for g in "ofji" for m in _gate_mistakes(g)]


@pytest.mark.parametrize("g, name, function, fragment", _GATE_CASES, ids=[f"{c[0]}-{c[1]}" for c in _GATE_CASES])
def test_gate_mistakes_are_rejected_with_their_words(g, name, function, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assert_rejected(GATE_CHECKERS[g](function), name, fragment)


@pytest.mark.parametrize("g", "ofj")
def test_one_minus_sigma_is_a_sign_error(g):
    feedback = GATE_CHECKERS[g](lambda x, h, Wx, Wh, b: 1 - sig(x @ Wx.T + h @ Wh.T + b))
    _assert_rejected(feedback, "1 − σ", "sign error inside σ")


def test_clipping_is_not_called_a_batch_problem():
    """Numbers a little off in a batch (clipping that bites there only) are not 'right for one vector'."""
    feedback = check_cell_state(lambda c, f, i, j: np.clip(c * f + i * j, -1, 1))
    assert not feedback.correct and "right for one vector" not in feedback.message, feedback.message


def _vectorized_sigmoid(z):
    return np.vectorize(lambda v: 1.0 / (1.0 + math.exp(-v)))(z)


def _gate_loops(g):
    def gate(x, h, Wx, Wh, b):
        xs, hs = np.atleast_2d(x), np.atleast_2d(h)
        out = np.empty((xs.shape[0], len(b)))
        for n in range(xs.shape[0]):
            for k in range(len(b)):
                z = b[k] + sum(Wx[k, d] * xs[n, d] for d in range(xs.shape[1])) \
                    + sum(Wh[k, m] * hs[n, m] for m in range(hs.shape[1]))
                out[n, k] = math.tanh(z) if g == "i" else 1.0 / (1.0 + math.exp(-z))
        return out if x.ndim == 2 else out[0]
    return gate


def _gate_own_array_in_place(g):
    def gate(x, h, Wx, Wh, b):
        z = x @ Wx.T          # a new array: changing it in place is fine
        z += h @ Wh.T
        z += b
        return np.tanh(z, out=z) if g == "i" else np.reciprocal(1.0 + np.exp(-z, out=z), out=z)
    return gate


def _gate_correct(g):
    act = _act(g)
    correct = {
        "np.inner": lambda x, h, Wx, Wh, b: act(np.inner(x, Wx) + np.inner(h, Wh) + b),
        "np.matmul": lambda x, h, Wx, Wh, b: act(np.matmul(x, Wx.T) + np.matmul(h, Wh.T) + b),
        "einsum with ellipsis, z named": lambda x, h, Wx, Wh, b: act(np.einsum("hd,...d->...h", Wx, x)
                                                                     + np.einsum("hk,...k->...h", Wh, h) + b),
        "(W @ x.T).T": lambda x, h, Wx, Wh, b: act((Wx @ x.T).T + (Wh @ h.T).T + b),
        "explicit loops with math": _gate_loops(g),
        "in place on its own array": _gate_own_array_in_place(g),
        "float32 throughout": lambda x, h, Wx, Wh, b: act(x.astype(np.float32) @ Wx.astype(np.float32).T
                                                          + h.astype(np.float32) @ Wh.astype(np.float32).T
                                                          + b.astype(np.float32)),
        "*args": lambda *args: act(args[0] @ args[2].T + args[1] @ args[3].T + args[4]),
        "a default value": lambda x, h, Wx, Wh, b=None: act(x @ Wx.T + h @ Wh.T + b),
        "debug print and return": lambda x, h, Wx, Wh, b: print("z computed") or act(x @ Wx.T + h @ Wh.T + b),
        "the book's own function": {"o": output_gate, "f": forget_gate, "j": input_gate, "i": input_state}[g],
    }
    if g == "i":
        correct["sinh / cosh"] = lambda x, h, Wx, Wh, b: (lambda z: np.sinh(z) / np.cosh(z))(x @ Wx.T + h @ Wh.T + b)
        correct["(1 − e^(−2z)) / (1 + e^(−2z))"] = lambda x, h, Wx, Wh, b: (
            lambda z: (1 - np.exp(-2 * z)) / (1 + np.exp(-2 * z)))(x @ Wx.T + h @ Wh.T + b)
    else:
        correct["np.vectorize(math.exp)"] = lambda x, h, Wx, Wh, b: _vectorized_sigmoid(x @ Wx.T + h @ Wh.T + b)
        correct["the book's sigmoid"] = lambda x, h, Wx, Wh, b: book_sigmoid(x @ Wx.T + h @ Wh.T + b)
        correct["1/(1+exp(-z)) in float32"] = lambda x, h, Wx, Wh, b: sig((x @ Wx.T + h @ Wh.T + b).astype(np.float32))
        correct["0.5·(1 + tanh(z/2))"] = lambda x, h, Wx, Wh, b: 0.5 * (1 + np.tanh(0.5 * (x @ Wx.T + h @ Wh.T + b)))
    return correct


@pytest.mark.parametrize("g", "ofji")
def test_unusual_correct_gates_are_accepted(g, capsys):
    for name, function in _gate_correct(g).items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            feedback = GATE_CHECKERS[g](function)
        assert feedback.correct, f"{name}: {feedback.message}"
    assert "z computed" in capsys.readouterr().out, "what the reader prints is still shown"


# ------------------------------------------------------------------------------------------ h_t and c_t

def _hidden_into_gate(c, o):
    o[...] = np.tanh(c) * o
    return o


def _no_numpy_name():
    namespace = {}
    exec("def hidden(c_t, o_t):\n    return np.tanh(c_t) * o_t", namespace)
    return namespace["hidden"]


def _diag(c, o):
    return np.tanh(c) @ np.diag(o)


HIDDEN_WRONG = [
    ("math.tanh", lambda c, o: math.tanh(c) * o, "use np.exp, np.tanh"),
    ("σ applied to the gate again", lambda c, o: np.tanh(c) * sig(o), "You applied σ to o_t again"),
    ("rounded", lambda c, o: np.round(np.tanh(c) * o, 2), "rounded to 2 decimals"),
    ("np.squeeze", lambda c, o: np.squeeze(np.tanh(c) * o), "An axis of size 1 is missing"),
    ("a dict", lambda c, o: {"h_t": np.tanh(c) * o}, "returned a dict"),
    ("tanh(c) @ diag(o)", _diag, "right for one vector but not for a batch"),
    ("o.T", lambda c, o: np.tanh(c) * o.T, "right for one vector but not for a batch"),
    ("a Python number", lambda c, o: 0.5, "plain Python float"),
    ("printed", lambda c, o: print(np.tanh(c) * o), "Replace `print(...)` with `return ...`"),
    ("written into o_t", _hidden_into_gate, "changes its input `o_t` in place"),
    ("numpy not imported", _no_numpy_name(), "import numpy as np"),
    ("np.matrix", lambda c, o: np.asarray(np.tanh(c) * o).view(np.matrix), "np.matrix"),
    ("1 − tanh", lambda c, o: (1 - np.tanh(c)) * o, "from the equation"),
]

CELL_WRONG = [
    ("i_t @ j_t for ⊙", lambda c, f, i, j: c * f + i @ j if c.ndim == 1 else c * f + i * j, "dot product"),
    ("c @ f for ⊙", lambda c, f, i, j: c @ f + i * j, "dot product"),
    ("tanh applied to i_t again", lambda c, f, i, j: c * f + np.tanh(i) * j, "You applied tanh to i_t again"),
    ("σ applied to j_t again", lambda c, f, i, j: c * f + i * sig(j), "You applied σ to j_t again"),
    ("σ applied to f_t again", lambda c, f, i, j: c * sig(f) + i * j, "You applied σ to f_t again"),
    ("c(1 − j) + ij", lambda c, f, i, j: c * (1 - j) + i * j, "couples the two gates"),
    ("clipped to ±1", lambda c, f, i, j: np.clip(c * f + i * j, -1, 1), "from the equation"),
    ("float16", lambda c, f, i, j: (c * f + i * j).astype(np.float16), "too imprecise"),
    ("np.add(..., out=f_t)", lambda c, f, i, j: np.add(c * f, i * j, out=f), "changes its input `f_t` in place"),
    ("rounded to whole numbers", lambda c, f, i, j: np.round(c * f + i * j), "only whole numbers"),
    ("an off-by-one bias", lambda c, f, i, j: c * f + i * j + 1, "from the equation"),
    ("truncated with astype(int)", lambda c, f, i, j: (c * f + i * j).astype(int), "integer dtype"),
]


@pytest.mark.parametrize("checker, name, function, fragment",
                         [(check_hidden_state, *m) for m in HIDDEN_WRONG] + [(check_cell_state, *m) for m in CELL_WRONG],
                         ids=[f"h-{m[0]}" for m in HIDDEN_WRONG] + [f"c-{m[0]}" for m in CELL_WRONG])
def test_state_mistakes_are_rejected_with_their_words(checker, name, function, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.matrix, made on purpose
        _assert_rejected(checker(function), name, fragment)


def _hidden_loop(c, o):
    out = np.empty(np.shape(c))
    for k in np.ndindex(out.shape):
        out[k] = math.tanh(c[k]) * o[k]
    return out


STATE_CORRECT = [
    (check_hidden_state, "explicit loop over np.ndindex", _hidden_loop),
    (check_hidden_state, "(1 − e^(−2c)) / (1 + e^(−2c))", lambda c, o: (1 - np.exp(-2 * c)) / (1 + np.exp(-2 * c)) * o),
    (check_hidden_state, "np.multiply into a new array", lambda c, o: np.multiply(np.tanh(c), o, out=np.empty_like(c))),
    (check_hidden_state, "the book's function", hidden_state),
    (check_hidden_state, "einsum", lambda c, o: np.einsum("...h,...h->...h", np.tanh(c), o)),
    (check_cell_state, "np.sum of a list", lambda c, f, i, j: np.sum([c * f, i * j], axis=0)),
    (check_cell_state, "builtin sum", lambda c, f, i, j: sum([c * f, i * j])),
    (check_cell_state, "float32", lambda c, f, i, j: np.float32(c) * np.float32(f) + np.float32(i) * np.float32(j)),
    (check_cell_state, "einsum", lambda c, f, i, j: np.einsum("...h,...h->...h", c, f) + np.einsum("...h,...h->...h", i, j)),
    (check_cell_state, "the book's function", cell_state),
]


@pytest.mark.parametrize("checker, name, function", STATE_CORRECT, ids=[m[1] for m in STATE_CORRECT])
def test_unusual_correct_states_are_accepted(checker, name, function):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = checker(function)
    assert feedback.correct, f"{name}: {feedback.message}"


# ------------------------------------------------------------------------------------------ the step

def _parts(x, h, p):
    return {g: (np.tanh if g == "i" else sig)(x @ getattr(p, f"W_x{g}").T + h @ getattr(p, f"W_h{g}").T
                                               + getattr(p, f"b_{g}")) for g in "ijfo"}


def _step(x, h, c, p, gates_from=None, activation=None):
    q = _parts(x, h if gates_from is None else gates_from, p)
    if activation:
        q.update(activation(x, h, p))
    c_t = c * q["f"] + q["i"] * q["j"]
    return np.tanh(c_t) * q["o"], c_t


def _step_math_exp(x, h, c, p):
    f = 1 / (1 + math.exp(-(x @ p.W_xf.T + h @ p.W_hf.T + p.b_f)))
    return h, c * f


def _step_cache():
    remembered = {}

    def step(x, h, c, p):
        if x.shape not in remembered:
            remembered[x.shape] = _step(x, h, c, p)
        return remembered[x.shape]
    return step


def _step_loops(x, h, c, p):
    xs, hs, cs = np.atleast_2d(x), np.atleast_2d(h), np.atleast_2d(c)
    h_t, c_t = np.empty(cs.shape), np.empty(cs.shape)
    for n in range(xs.shape[0]):
        for k in range(cs.shape[1]):
            z = {g: getattr(p, f"b_{g}")[k] + float(np.dot(getattr(p, f"W_x{g}")[k], xs[n]))
                 + float(np.dot(getattr(p, f"W_h{g}")[k], hs[n])) for g in "ijfo"}
            s = {g: 1.0 / (1.0 + math.exp(-z[g])) for g in "jfo"}
            c_t[n, k] = cs[n, k] * s["f"] + math.tanh(z["i"]) * s["j"]
            h_t[n, k] = math.tanh(c_t[n, k]) * s["o"]
    return (h_t, c_t) if x.ndim == 2 else (h_t[0], c_t[0])


def _step_book_equations(x, h, c, p):
    i, j = input_state(x, h, *p.part("i")), input_gate(x, h, *p.part("j"))
    f, o = forget_gate(x, h, *p.part("f")), output_gate(x, h, *p.part("o"))
    c_t = cell_state(c, f, i, j)
    return hidden_state(c_t, o), c_t


def _step_infinite(x, h, c, p):
    while True:
        pass


STEP_WRONG = [
    ("h_t and c_t stacked in one array", lambda *a: np.array(_step(*a)), "stacked"),
    ("a dict", lambda *a: dict(zip(("h", "c"), _step(*a))), "return h_t, c_t"),
    ("a generator", lambda *a: (v for v in _step(*a)), "should return 2 values"),
    ("params['W_ix']", lambda x, h, c, p: p["W_ix"], "named as in the equations"),
    ("params.W_ix", lambda x, h, c, p: p.W_ix, "named as in the equations"),
    ("h_prev and c_prev swapped", lambda x, h, c, p: _step(x, c, h, p), "h_prev and c_prev are swapped"),
    ("gates read c_prev", lambda x, h, c, p: _step(x, h, c, p, gates_from=c), "Your gates read c_(t-1)"),
    ("h_prev left out", lambda x, h, c, p: _step(x, h, c, p, gates_from=np.zeros_like(h)), "h_(t-1) is left out"),
    ("c_prev returned", lambda x, h, c, p: (_step(x, h, c, p)[0], c), "Your c_t is c_(t-1), unchanged"),
    ("h_prev returned", lambda x, h, c, p: (h, _step(x, h, c, p)[1]), "Your h_t is h_(t-1), unchanged"),
    ("Python floats", lambda *a: tuple(float(v[..., 0].sum()) for v in _step(*a)), "plain Python float"),
    ("lists", lambda *a: tuple(v.tolist() for v in _step(*a)), "returned a Python list"),
    ("np.squeeze", lambda *a: tuple(np.squeeze(v) for v in _step(*a)), "An axis of size 1 is missing"),
    ("h_t rounded", lambda *a: (np.round(_step(*a)[0], 3), _step(*a)[1]), "rounded to 3 decimals"),
    ("math.exp", _step_math_exp, "use np.exp, np.tanh"),
    ("tanh for the forget gate", lambda x, h, c, p: _step(x, h, c, p, activation=lambda x_, h_, p_: {
        "f": np.tanh(x_ @ p_.W_xf.T + h_ @ p_.W_hf.T + p_.b_f)}), "The mistake is in the forget gate f_t"),
    ("no tanh for the candidate", lambda x, h, c, p: _step(x, h, c, p, activation=lambda x_, h_, p_: {
        "i": x_ @ p_.W_xi.T + h_ @ p_.W_hi.T + p_.b_i}), "pre-activation W_xi"),
    ("a result remembered per shape", _step_cache(), "On case 8"),
    ("printed", lambda *a: print(*_step(*a)), "Replace `print(...)` with `return ...`"),
]


@pytest.mark.parametrize("name, function, fragment", STEP_WRONG, ids=[m[0] for m in STEP_WRONG])
def test_step_mistakes_are_rejected_with_their_words(name, function, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assert_rejected(check_lstm_step(function), name, fragment)


Pair = namedtuple("Pair", "h c")


class _Subscripted:
    """A step that reads every array as params['W_xi'] (LSTMParams is a mapping): `_parts` reads attributes,
    so this turns each attribute read into a subscript on the real params."""

    def __init__(self, params):
        self.params = params

    def __getattr__(self, name):
        return self.params[name]

STEP_CORRECT = {
    "explicit loops": _step_loops,
    "the book's six functions": _step_book_equations,
    "a namedtuple": lambda *a: Pair(*_step(*a)),
    "σ as 0.5·(1 + tanh(z/2))": lambda x, h, c, p: _step(x, h, c, p, activation=lambda x_, h_, p_: {
        g: 0.5 * (1 + np.tanh(0.5 * (x_ @ getattr(p_, f"W_x{g}").T + h_ @ getattr(p_, f"W_h{g}").T
                                     + getattr(p_, f"b_{g}")))) for g in "jfo"}),
    "the package's step, unpacked": lambda *a: tuple(lstm_step(*a))[-1:-3:-1],
    "params read by subscript, params['W_xi']": lambda x, h, c, p: _step(x, h, c, _Subscripted(p)),
}


@pytest.mark.parametrize("name", STEP_CORRECT)
def test_unusual_correct_steps_are_accepted(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = check_lstm_step(STEP_CORRECT[name])
    assert feedback.correct, f"{name}: {feedback.message}"


# ------------------------------------------------------------------------------------------ endless loops

def test_an_endless_loop_is_stopped_and_named(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.3)

    def swallowing(c, o):
        while True:
            try:
                pass
            except Exception:  # the reader's own handler cannot swallow the checker's stop
                pass

    for checker, function in ((check_hidden_state, swallowing), (check_lstm_step, _step_infinite)):
        _assert_rejected(checker(function), function.__name__, "did not finish within 0.3 seconds")


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM on this platform")
def test_the_time_limit_gives_back_a_timer_that_was_running(monkeypatch):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert check_hidden_state(lambda c, o: np.tanh(c) * o).correct
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20.0 < remaining <= 30.0 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# a notebook's own variables, which a reader's function may read by mistake instead of its arguments
params = init_params(3, 3, seed=5)
W_xo = np.ones((3, 3))


def _step_with_the_notebooks_params(x, h, c, p):
    return _step(x, h, c, params)


def test_reading_a_notebook_variable_instead_of_an_argument_is_named():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _assert_rejected(check_lstm_step(_step_with_the_notebooks_params), "global params",
                         "Your lstm_step reads `params` from outside")
        _assert_rejected(check_output_gate(lambda x, h, W, U, b: sig(x @ W_xo.T + h @ U.T + b)), "global W_xo",
                         "Your output_gate reads `W_xo` from outside")
        assert check_output_gate(lambda x_t, h_prev, W_xo, W_ho, b_o: sig(x_t @ W_xo.T + h_prev @ W_ho.T + b_o)).correct


def test_the_catalogue_is_large():
    wrong = len(_gate_mistakes("o")) + 1 + len(HIDDEN_WRONG) + len(CELL_WRONG) + len(STEP_WRONG) + 2
    assert wrong >= 60, wrong
