"""Checkers for the exercises of Part I (chapters 1-6): the six equations and the step.

Each checker calls the reader's function on several cases (square and non-square weights, one vector and a
batch of rows, a batch of one row, the one-unit cell, saturated gates, float64 and float32, every parameter
drawn at random, and the first shapes again with new numbers), compares with the package, and on a
mismatch compares the reader's answer with the mistakes people actually make (σ and tanh swapped, ReLU, a sign
error, x_t and h_{t-1} swapped, weights transposed, the bias left out or subtracted, one gate used twice, ...).
When no known mistake matches, the message names the quantity, the first index that differs and both values;
for the step, it says which equation the mistake is in.

They run on the runner shared by every checker (`runner.check`, with its protections: copies of the inputs,
changed inputs named, a time limit, the parameter list read first, any return value or exception explained).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lstm_book.cell import LSTMParams, Step, lstm_step
from lstm_book.equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate, sigmoid

from .diagnoses import Mistake, attempt, single
from .results import as_result, close, compare, rounding, show, what_came
from .runner import Feedback, check

__all__ = [
    "check_hidden_state",
    "check_output_gate",
    "check_cell_state",
    "check_forget_gate",
    "check_input_gate",
    "check_input_state",
    "check_lstm_step",
]


# ------------------------------------------------------------------------------------------------ gates

def _relu(z):
    return np.maximum(z, 0.0)


def _gate_mistakes(g: str) -> list[Mistake]:
    """The known wrong versions of a gate (g in 'o', 'f', 'j') or of the candidate (g = 'i')."""
    Wx, Wh, b = f"W_x{g}", f"W_h{g}", f"b_{g}"
    is_gate = g != "i"
    act = sigmoid if is_gate else np.tanh
    other = np.tanh if is_gate else sigmoid
    other_message = {
        "o": "Values outside (0, 1): did you use tanh where σ belongs? A gate is a fraction between 0 and 1 (how "
             "much of the memory is shown), so the output gate uses the sigmoid σ.",
        "f": "Values outside (0, 1): did you use tanh where σ belongs? The forget gate is the fraction of the old "
             "memory that is kept, a number between 0 and 1: it uses the sigmoid σ.",
        "j": "Values outside (0, 1): you used tanh, the nonlinearity of the input state i_t. In this book's notation "
             "j_t is the input gate (PyTorch calls it i_t): a fraction between 0 and 1, so it uses the sigmoid σ. "
             "Did you mix up i_t and j_t?",
        "i": "Your values are all between 0 and 1: you used σ, the nonlinearity of a gate. The input state i_t is "
             "the candidate value to write (PyTorch's g_t), which must be able to be negative: it uses tanh. Did "
             "you mix up i_t and j_t?",
    }[g]
    name = "σ" if is_gate else "tanh"
    mistakes = [
        Mistake(lambda x, h, W_x, W_h, b_: other(x @ W_x.T + h @ W_h.T + b_), other_message),
        Mistake(lambda x, h, W_x, W_h, b_: x @ W_x.T + h @ W_h.T + b_,
                f"You returned the pre-activation {Wx} x_t + {Wh} h_(t-1) + {b}: the equation applies {name} to that "
                f"sum, so the result is bounded."),
        Mistake(lambda x, h, W_x, W_h, b_: _relu(x @ W_x.T + h @ W_h.T + b_),
                f"Your values are never negative and not bounded: that is ReLU, max(0, z). The equation uses {name}, "
                + ("whose values lie in (0, 1)." if is_gate else "whose values lie in (-1, 1).")),
        Mistake(lambda x, h, W_x, W_h, b_: act(-(x @ W_x.T + h @ W_h.T + b_)),
                ("A sign error inside σ: you computed σ(−z) = 1/(1 + e^(+z)), which is also 1 − σ(z). "
                 "The sigmoid is σ(z) = 1/(1 + e^(−z)): large z gives values near 1.") if is_gate else
                "A sign error: your values are −tanh(z). Check the signs of the three terms and of tanh itself."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_x.T + x @ W_h.T + b_),
                f"You multiplied {Wx} by h_(t-1) and {Wh} by x_t: the input weights {Wx} (shape H×D) go with the "
                f"input x_t, the recurrent weights {Wh} (shape H×H) with the previous hidden state h_(t-1)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_h.T + h @ W_h.T + b_),
                f"You applied the recurrent weights {Wh} to the input x_t as well: x_t goes with the input weights "
                f"{Wx}, h_(t-1) with {Wh}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_x.T + b_),
                f"You applied the input weights {Wx} to h_(t-1) as well: h_(t-1) goes with the recurrent weights "
                f"{Wh}, x_t with {Wx}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_x.T + h @ W_h.T + b_),
                f"You used h_(t-1) twice: the input term is {Wx} x_t, with the current input x_t, not h_(t-1)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + x @ W_h.T + b_),
                f"You used x_t twice: the recurrent term is {Wh} h_(t-1), with the previous hidden state h_prev."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x + h @ W_h + b_),
                f"Your weights are transposed: {Wx} has shape (H, D) and maps the D numbers of x_t to H numbers. "
                f"With x_t as a row vector (numpy's 1-D array, or a batch of rows) that is x_t @ {Wx}.T; "
                f"for a single vector, {Wx} @ x_t is the same."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x + h @ W_h.T + b_),
                f"{Wx} is transposed: with x_t as a row, the product is x_t @ {Wx}.T ({Wh} you have right)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h + b_),
                f"{Wh} is transposed: with h_(t-1) as a row, the product is h_prev @ {Wh}.T ({Wx} you have right)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T),
                f"The bias is left out: add {b} inside the nonlinearity."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T - b_),
                f"The bias is subtracted: the equation adds it, {Wx} x_t + {Wh} h_(t-1) + {b}."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + h @ W_h.T) + b_,
                f"The bias is added after the nonlinearity: {b} belongs inside it, with the two products."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T + b_),
                f"The recurrent term is missing: add {Wh} h_(t-1), the previous hidden state's contribution."),
        Mistake(lambda x, h, W_x, W_h, b_: act(h @ W_h.T + b_),
                f"The input term is missing: add {Wx} x_t, the current input's contribution."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x * W_x + h * W_h + b_),
                f"You used `*` (elementwise) between a weight matrix and a vector: that makes a matrix. The "
                f"products are matrix products, x_t @ {Wx}.T (or {Wx} @ x_t for a single vector)."),
        Mistake(lambda x, h, W_x, W_h, b_: act(x @ W_x.T) + act(h @ W_h.T) + act(b_),
                f"You applied {name} to each term separately: it applies once, to the whole sum "
                f"{Wx} x_t + {Wh} h_(t-1) + {b}."),
    ]
    if is_gate:
        mistakes.append(Mistake(lambda x, h, W_x, W_h, b_: 0.5 * np.tanh(x @ W_x.T + h @ W_h.T + b_) + 0.5,
                                "You computed 0.5·tanh(z) + 0.5, which is σ(2z): the identity is "
                                "σ(z) = 0.5·tanh(z/2) + 0.5."))
    else:
        mistakes.append(Mistake(lambda x, h, W_x, W_h, b_: 2.0 * sigmoid(x @ W_x.T + h @ W_h.T + b_) - 1.0,
                                "You computed 2σ(z) − 1, which is tanh(z/2): the identity is tanh(z) = 2σ(2z) − 1."))
    return mistakes


def _gate_hint(g: str) -> str:
    return (f"W_x{g} has shape (H, D) and meets x_t (size D); W_h{g} has shape (H, H) and meets h_prev (size H); "
            f"b_{g} has size H. With rows: x_t @ W_x{g}.T + h_prev @ W_h{g}.T + b_{g}, which also works for a batch.")


#: (D, H, B, dtype, scale of the weights) of the cases of the gate and step checkers: square weights first (so that
#: swapped or transposed weights still run and can be recognised), then non-square weights, unbatched and batched,
#: a float32 batch, the book's one-unit cell (D = H = 1, where np.squeeze or .item() slips show), a batch of one
#: row, and last the shapes of the first case again with large weights: saturated gates (so that clipping shows)
#: and new numbers for old shapes (so that a result remembered from an earlier call shows).
_CASE_SIZES = ((3, 3, None, np.float64, 1.0), (3, 3, 2, np.float64, 1.0), (2, 4, None, np.float64, 1.0),
               (5, 3, 4, np.float64, 1.0), (4, 2, 3, np.float32, 1.0), (1, 1, None, np.float64, 1.0),
               (2, 3, 1, np.float64, 1.0), (3, 3, None, np.float64, 4.0))

_GATE_COVERED = ("one vector and batches (also of one row), square and non-square weights, the one-unit cell, "
                 "saturated gates, float64 and float32")


def _rng_cases_gate(g: str) -> list[dict]:
    """Cases for a gate or the candidate, of the sizes `_CASE_SIZES`. Every parameter is drawn at random (no
    bias is 0 or 1, no two cases share a value). Seeded: the same every run."""
    rng = np.random.default_rng(20150707)
    cases = []
    for D, H, B, dtype, scale in _CASE_SIZES:
        lead = () if B is None else (B,)
        case = {
            "x_t": rng.normal(0, 1.0, lead + (D,)),
            "h_prev": rng.uniform(-1, 1, lead + (H,)),
            f"W_x{g}": rng.normal(0, scale, (H, D)),
            f"W_h{g}": rng.normal(0, scale, (H, H)),
            f"b_{g}": rng.normal(0, scale, (H,)) + 0.5,
        }
        cases.append({k: v.astype(dtype) for k, v in case.items()})
    return cases


_GATE_TITLES = {"o": ("output_gate", "o_t"), "f": ("forget_gate", "f_t"), "j": ("input_gate", "j_t"),
                "i": ("input_state", "i_t")}
_GATE_REFERENCES = {"o": output_gate, "f": forget_gate, "j": input_gate, "i": input_state}


def _check_gate(function, g: str) -> Feedback:
    title, symbol = _GATE_TITLES[g]
    names = ["x_t", "h_prev", f"W_x{g}", f"W_h{g}", f"b_{g}"]
    return check(title, function, _GATE_REFERENCES[g], _rng_cases_gate(g),
                 single(symbol, _gate_mistakes(g), _gate_hint(g)), names, _gate_hint(g), _GATE_COVERED)


def check_output_gate(function) -> Feedback:
    """Check a reader's ``output_gate(x_t, h_prev, W_xo, W_ho, b_o)``."""
    return _check_gate(function, "o")


def check_forget_gate(function) -> Feedback:
    """Check a reader's ``forget_gate(x_t, h_prev, W_xf, W_hf, b_f)``."""
    return _check_gate(function, "f")


def check_input_gate(function) -> Feedback:
    """Check a reader's ``input_gate(x_t, h_prev, W_xj, W_hj, b_j)``."""
    return _check_gate(function, "j")


def check_input_state(function) -> Feedback:
    """Check a reader's ``input_state(x_t, h_prev, W_xi, W_hi, b_i)``."""
    return _check_gate(function, "i")


# ------------------------------------------------------------------------------------------------ states

def _state_cases(names: Sequence[str], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    rng = np.random.default_rng(19971115)
    cases = []
    for lead, H, dtype in (((), 4, np.float64), ((3,), 4, np.float64), ((2,), 5, np.float64),
                           ((3,), 2, np.float32), ((), 1, np.float64), ((1,), 3, np.float64), ((), 4, np.float64)):
        cases.append({n: rng.uniform(*ranges[n], lead + (H,)).astype(dtype) for n in names})
    return cases


_STATE_HINT = "All inputs and the result have the same shape, (H,) or (B, H): every operation is elementwise (⊙)."
_STATE_COVERED = "one vector and batches (also of one row), one unit and several, float64 and float32"

_HIDDEN_MISTAKES = [
    Mistake(lambda c, o: c * o, "Your h_t is c_t ⊙ o_t: the tanh is missing. tanh(c_t) squashes the memory into "
                                "(-1, 1) before the output gate scales it, so that |h_t| < 1 even when c_t is large."),
    Mistake(lambda c, o: sigmoid(c) * o, "You used σ(c_t) where tanh(c_t) belongs: the sigmoid would make h_t "
                                         "positive always, and a memory of a negative value could not be shown."),
    Mistake(lambda c, o: _relu(c) * o, "You used ReLU, max(0, c_t), where tanh(c_t) belongs: a negative memory "
                                       "would never be shown, and a large one would not be bounded."),
    Mistake(lambda c, o: np.tanh(-c) * o, "A sign error: your h_t is −tanh(c_t) ⊙ o_t. The hidden state has the "
                                          "sign of the memory, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c * o), "You applied tanh after multiplying: the equation is tanh(c_t) ⊙ o_t, "
                                         "squash first, then scale by the gate."),
    Mistake(lambda c, o: np.tanh(c), "The output gate is missing: multiply tanh(c_t) by o_t elementwise."),
    Mistake(lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped: tanh acts on the cell state c_t, and the gate "
                                         "o_t multiplies the result."),
    Mistake(lambda c, o: np.tanh(c) + o, "You added o_t: the gate multiplies (⊙), it scales tanh(c_t) between "
                                         "0 and its full value."),
    Mistake(lambda c, o: np.tanh(c) * (1 - o), "You multiplied by 1 − o_t: the output gate is the fraction that "
                                               "is shown, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c) * np.tanh(o), "You squashed the gate too: o_t is already in (0, 1) and "
                                                  "multiplies tanh(c_t) as it is."),
    Mistake(lambda c, o: (2 * sigmoid(c) - 1) * o, "You computed 2σ(c_t) − 1, which is tanh(c_t/2): the identity "
                                                   "is tanh(z) = 2σ(2z) − 1."),
    Mistake(lambda c, o: np.tanh(c) * sigmoid(o), "You applied σ to o_t again: o_t is already the gate's value in "
                                                  "(0, 1) (σ was applied when it was computed); multiply by o_t as it is."),
]


def check_hidden_state(function) -> Feedback:
    """Check a reader's ``hidden_state(c_t, o_t)``."""
    cases = _state_cases(["c_t", "o_t"], {"c_t": (-3.0, 3.0), "o_t": (0.05, 0.95)})
    return check("hidden_state", function, hidden_state, cases, single("h_t", _HIDDEN_MISTAKES, _STATE_HINT),
                  ["c_t", "o_t"], _STATE_HINT, _STATE_COVERED)


_CELL_MISTAKES = [
    Mistake(lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t: the forget gate decides how much "
                                          "of the old memory is kept, c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * (1 - f) + i * j, "You kept c_(t-1) ⊙ (1 − f_t): in this book f_t is the "
                                                    "fraction that is kept, so the term is c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + i * (1 - f), "You wrote i_t ⊙ (1 − f_t): that couples the input and forget "
                                                    "gates (a variant, and the GRU's rule). This cell has its own input "
                                                    "gate: the new content is i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i, "The input gate is missing: the candidate i_t is written through the "
                                          "gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself into the memory: what is written is the "
                                          "candidate i_t, scaled by the input gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i * f, "You used f_t twice: it scales the old memory c_(t-1), and the "
                                              "input gate j_t (not f_t) scales the candidate i_t."),
    Mistake(lambda c, f, i, j: c * j + i * j, "You used j_t twice: the input gate j_t scales the candidate i_t, "
                                              "and the forget gate f_t (not j_t) scales the old memory c_(t-1)."),
    Mistake(lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped: f_t scales the old memory c_(t-1), j_t "
                                              "scales the new candidate i_t."),
    Mistake(lambda c, f, i, j: c * i + f * j, "The arguments are mixed up: the old memory c_(t-1) is scaled by "
                                              "the forget gate f_t, and the candidate i_t by the input gate j_t."),
    Mistake(lambda c, f, i, j: c * f - i * j, "The new content is subtracted: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t "
                                              "adds it (its sign comes from the candidate i_t)."),
    Mistake(lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well: only the old "
                                                "memory passes through the forget gate; i_t ⊙ j_t is added after."),
    Mistake(lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh: the cell state is not "
                                                       "squashed (it may grow past ±1); only h_t applies tanh."),
    Mistake(lambda c, f, i, j: i * j, "The old memory is missing: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t keeps a "
                                      "fraction f_t of what was stored before."),
    Mistake(lambda c, f, i, j: c * f, "The new content is missing: add i_t ⊙ j_t, the candidate let in by the "
                                      "input gate."),
    Mistake(lambda c, f, i, j: c * f * i * j, "You multiplied everything together: the two terms are added, "
                                              "c_(t-1) ⊙ f_t + i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * (1 - j) + i * j, "You kept c_(t-1) ⊙ (1 − j_t): that couples the two gates (a "
                                                    "variant). This cell has its own forget gate: c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + np.tanh(i) * j, "You applied tanh to i_t again: i_t is already the candidate "
                                                       "(tanh was applied when it was computed); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + i * sigmoid(j), "You applied σ to j_t again: j_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * sigmoid(f) + i * j, "You applied σ to f_t again: f_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + np.dot(i, j), "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
    Mistake(lambda c, f, i, j: np.dot(c, f) + i * j, "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
]


def check_cell_state(function) -> Feedback:
    """Check a reader's ``cell_state(c_prev, f_t, i_t, j_t)``."""
    names = ["c_prev", "f_t", "i_t", "j_t"]
    cases = _state_cases(names, {"c_prev": (-3.0, 3.0), "f_t": (0.05, 0.95), "i_t": (-0.95, 0.95),
                                 "j_t": (0.05, 0.95)})
    return check("cell_state", function, cell_state, cases, single("c_t", _CELL_MISTAKES, _STATE_HINT), names,
                 _STATE_HINT, _STATE_COVERED)


# ------------------------------------------------------------------------------------------------ the step

def _step_cases() -> list[dict]:
    """Every one of the twelve parameters drawn at random for every case (the forget bias too: a step that
    writes a constant where params.b_f belongs cannot pass), and non-zero states."""
    cases = []
    for seed, (D, H, B, dtype, scale) in enumerate(_CASE_SIZES):
        rng = np.random.default_rng(2000 + seed)
        lead = () if B is None else (B,)
        values = {}
        for g in "ijfo":
            values[f"W_x{g}"] = rng.normal(0, 1.2 * scale, (H, D))
            values[f"W_h{g}"] = rng.normal(0, 1.2 * scale, (H, H))
            values[f"b_{g}"] = rng.normal(0.3, scale, H)
        params = LSTMParams(**{k: v.astype(dtype) for k, v in values.items()})
        cases.append({"x_t": rng.normal(0, 1, lead + (D,)).astype(dtype),
                      "h_prev": rng.uniform(-0.9, 0.9, lead + (H,)).astype(dtype),
                      "c_prev": rng.uniform(-2, 2, lead + (H,)).astype(dtype), "params": params})
    return cases


_PART_NAMES = {"i": "the candidate i_t", "j": "the input gate j_t", "f": "the forget gate f_t", "o": "the output gate o_t"}
_ACTIVATION = {"i": np.tanh, "j": sigmoid, "f": sigmoid, "o": sigmoid}


def _parts(x, h, p: LSTMParams, replace: dict | None = None) -> dict:
    """i, j, f, o computed by the book's equations, with some parts replaced by given functions of
    (x, h, W_x, W_h, b)."""
    replace = replace or {}
    out = {}
    for g in "ijfo":
        Wx, Wh, b = p.part(g)
        compute = replace.get(g) or (lambda x_, h_, W_x, W_h, b_, act=_ACTIVATION[g]: act(x_ @ W_x.T + h_ @ W_h.T + b_))
        out[g] = compute(x, h, Wx, Wh, b)
    return out


def _step_mistakes() -> list[tuple[Mistake, str]]:
    """Wrong steps, each with where the reader should look; results are (h_t, c_t)."""

    def step_with(replace=None, cell=None, hidden=None):
        def compute(x, h, c, p):
            q = _parts(x, h, p, replace)
            c_t = (cell or (lambda c_, f, i, j: c_ * f + i * j))(c, q["f"], q["i"], q["j"])
            h_t = (hidden or (lambda c_, o: np.tanh(c_) * o))(c_t, q["o"])
            return h_t, c_t
        return compute

    out: list[tuple[Mistake, str]] = []

    def pytorch(x, h, c, p):
        gate = sigmoid(x @ p.W_xi.T + h @ p.W_hi.T + p.b_i)
        candidate = np.tanh(x @ p.W_xj.T + h @ p.W_hj.T + p.b_j)
        q = _parts(x, h, p)
        c_t = c * q["f"] + candidate * gate
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(pytorch,
                        "You used the i weights for the gate and the j weights for the candidate, as PyTorch's letters "
                        "would suggest. In this book i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i) is the candidate "
                        "(PyTorch's g) and j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j) is the input gate (PyTorch's i)."), ""))

    def old_memory(x, h, c, p):
        q = _parts(x, h, p)
        return np.tanh(c) * q["o"], c * q["f"] + q["i"] * q["j"]

    out.append((Mistake(old_memory, "Your h_t uses the old memory c_(t-1): compute c_t first, then "
                                    "h_t = tanh(c_t) ⊙ o_t from the new one."), ""))

    def h_for_c(x, h, c, p):
        q = _parts(x, h, p)
        c_t = h * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(h_for_c, "Your c_t keeps a fraction of h_prev: the memory that the forget gate keeps is the "
                                 "old cell state, c_t = c_prev ⊙ f_t + i_t ⊙ j_t."), ""))
    def states_step(x, h, c, p, h_gates, c_kept):
        q = _parts(x, h_gates, p)
        c_t = c_kept * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, h),
                        "h_prev and c_prev are swapped: the gates read the previous hidden state h_(t-1), and the "
                        "forget gate scales the previous cell state c_(t-1). Take them in the order "
                        "(x_t, h_prev, c_prev, params)."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, c),
                        "Your gates read c_(t-1) where h_(t-1) belongs: every gate is computed from x_t and the "
                        "previous hidden state, W_x? x_t + W_h? h_(t-1) + b_?."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, h, c, p, np.zeros_like(h), c),
                        "h_(t-1) is left out of every gate: add the recurrent terms W_h? h_(t-1) (params.W_hi, "
                        "params.W_hj, params.W_hf, params.W_ho)."), ""))
    out.append((Mistake(lambda x, h, c, p: (step_with()(x, h, c, p)[0], c),
                        "Your c_t is c_(t-1), unchanged: return the new cell state c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t, "
                        "not the one that came in."), "c"))
    out.append((Mistake(lambda x, h, c, p: (h, step_with()(x, h, c, p)[1]),
                        "Your h_t is h_(t-1), unchanged: return the new hidden state h_t = tanh(c_t) ⊙ o_t, not the "
                        "one that came in."), "h"))
    # one part computed with the weights of another (a copy-and-paste slip)
    for g in "ijfo":
        for other in "ijfo":
            if other == g:
                continue

            def compute(x, h, c, p, g=g, other=other):
                Wx, Wh, b = p.part(other)
                act = _ACTIVATION[g]
                return step_with({g: lambda x_, h_, *_: act(x_ @ Wx.T + h_ @ Wh.T + b)})(x, h, c, p)

            words = (f"{_PART_NAMES[g][0].upper()}{_PART_NAMES[g][1:]} is computed with the weights of "
                     f"{_PART_NAMES[other]} (params.W_x{other}, params.W_h{other}, params.b_{other}): it needs its "
                     f"own, params.W_x{g}, params.W_h{g}, params.b_{g}.")
            if {g, other} == {"j", "f"}:  # the same numbers as using one gate twice in c_t
                twice = other
                words = (f"Your c_t uses {twice}_t twice, as if c_t = c_(t-1) ⊙ {twice}_t + i_t ⊙ {twice}_t (or "
                         + words[0].lower() + words[1:-1] + "). c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t: f_t keeps the old "
                         "memory, j_t lets the candidate in.")
            out.append((Mistake(compute, words), g))
    # a known mistake in one equation, with everything else right
    for g in "ijfo":
        for mistake in _gate_mistakes(g):
            out.append((Mistake(step_with({g: mistake.compute}), mistake.message), g))
    for mistake in _CELL_MISTAKES:
        out.append((Mistake(step_with(cell=mistake.compute), mistake.message), "c"))
    for mistake in _HIDDEN_MISTAKES:
        out.append((Mistake(step_with(hidden=mistake.compute), mistake.message), "h"))
    return out


_WHERE = {
    "": "",
    "i": "The mistake is in the candidate i_t (c_t is wrong, the gates are right). ",
    "j": "The mistake is in the input gate j_t (c_t is wrong, the other parts are right). ",
    "f": "The mistake is in the forget gate f_t (c_t is wrong, the other parts are right). ",
    "o": "The mistake is in the output gate o_t (c_t is right, h_t is wrong). ",
    "c": "The mistake is in the cell state c_t (the four gates are right). ",
    "h": "The mistake is in the hidden state h_t (c_t and o_t are right). ",
}


def _locate(got_c: np.ndarray, got_h: np.ndarray, step: Step, case: dict) -> str:
    """Where the mistake is when no known one matches: which equation, judged from which results are right."""
    c_prev = np.asarray(case["c_prev"], dtype=float)
    if close(got_c, step.c):
        # c_t right: h_t is wrong; if tanh(c_t) could not give it with any gate in (0, 1), look at the tanh
        ratio = np.divide(got_h, np.tanh(step.c), out=np.full(step.c.shape, np.nan), where=np.abs(step.c) > 1e-3)
        if np.all((ratio > 0) & (ratio < 1) | np.isnan(ratio)):
            return ("c_t is right and h_t is not, and your h_t is tanh(c_t) times numbers in (0, 1): look at the "
                    "output gate o_t = σ(W_xo x_t + W_ho h_(t-1) + b_o).")
        return "c_t is right and h_t is not: look at h_t = tanh(c_t) ⊙ o_t and at the output gate o_t."
    x, h, params = np.asarray(case["x_t"], dtype=float), np.asarray(case["h_prev"], dtype=float), case["params"]
    written, kept = step.i * step.j, c_prev * step.f
    with np.errstate(all="ignore"):
        implied = {  # the value each part would need for your c_t, if the other parts were right
            "f": np.divide(got_c - written, c_prev, out=np.full(c_prev.shape, np.nan), where=np.abs(c_prev) > 1e-2),
            "j": np.divide(got_c - kept, step.i, out=np.full(c_prev.shape, np.nan), where=np.abs(step.i) > 1e-2),
            "i": np.divide(got_c - kept, step.j, out=np.full(c_prev.shape, np.nan), where=np.abs(step.j) > 1e-2),
        }
    low = {"f": 0.0, "j": 0.0, "i": -1.0}
    suspects = [g for g, v in implied.items() if np.all(((v > low[g]) & (v < 1)) | np.isnan(v))
                and not np.all(np.isnan(v))]
    for g in suspects:  # a constant where params.b_g belongs, or a bias with the wrong sign?
        v = implied[g]
        with np.errstate(all="ignore"):
            z = np.arctanh(v) if g == "i" else np.log(v) - np.log1p(-v)
        Wx, Wh, b = params.part(g)
        bias = z - (x @ Wx.T + h @ Wh.T)
        seen = bias[np.isfinite(bias)]
        if seen.size and np.ptp(seen) < 1e-4 * max(1.0, float(np.max(np.abs(seen)))):
            value = float(np.mean(seen))
            return (f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were {value:.4g} in every unit, "
                    f"but params.b_{g} is {np.round(np.asarray(b, dtype=float), 4).tolist()}: use params.b_{g}, "
                    f"not a constant.")
        if seen.size and np.allclose(seen, -np.broadcast_to(b, bias.shape)[np.isfinite(bias)], rtol=1e-4, atol=1e-6):
            return f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were subtracted: add params.b_{g}."
    described = {"f": "the forget gate f_t = σ(W_xf x_t + W_hf h_(t-1) + b_f)",
                 "j": "the input gate j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j)",
                 "i": "the candidate i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i)"}
    if len(suspects) == 1:
        return (f"c_t is wrong. If the other parts are right, only {described[suspects[0]]} could give your c_t "
                f"with a value in its range: look there first, then at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    if suspects:
        return (f"c_t is wrong: look at {' or at '.join(described[g] for g in suspects)}, and at "
                f"c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    return "c_t is wrong: look at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t and at the gates it is made of."


def _diagnose_step(hint: str):
    mistakes = _step_mistakes()

    def diagnose(got, expected, case):
        step: Step = expected
        if isinstance(got, Step) or (isinstance(got, tuple) and len(got) == 6):
            return ("it returned all six quantities (a Step): return just the two states, (h_t, c_t), e.g. "
                    "`return step.h, step.c`.")
        if isinstance(got, np.ndarray) and got.ndim and got.shape[0] == 2 and got.shape[1:] == step.h.shape:
            return ("it returned one array with h_t and c_t stacked (np.array([h_t, c_t])): return them as two "
                    "values, `return h_t, c_t`.")
        if isinstance(got, dict):
            return f"it returned a dict ({show(got)}): return the two arrays as a pair, `return h_t, c_t`."
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return f"it should return 2 values, (h_t, c_t); it returned {what_came(got)}."
        first, second = got
        if (isinstance(first, np.ndarray) and isinstance(second, np.ndarray) and close(first, step.c)
                and close(second, step.h) and not close(first, step.h)):
            return "it returned (c_t, h_t): return the hidden state first, (h_t, c_t)."
        got_h, problem = as_result(first, step.h, "h_t", hint)
        if got_h is None:
            return problem
        got_c, problem = as_result(second, step.c, "c_t", hint)
        if got_c is None:
            return problem
        if close(got_h, step.h) and close(got_c, step.c):
            return None
        for mistake, where in mistakes:
            wrong = attempt(mistake.compute, case)
            if (wrong is not None and close(got_h, wrong[0]) and close(got_c, wrong[1])
                    and not (close(wrong[0], step.h) and close(wrong[1], step.c))):
                return _WHERE[where] + mistake.message
        rounded = rounding(got_c, step.c, "c_t") or rounding(got_h, step.h, "h_t")
        if rounded:
            return rounded
        c_words = compare(got_c, step.c, "c_t")
        h_words = compare(got_h, step.h, "h_t")
        located = _locate(got_c, got_h, step, case)
        return f"{located} {c_words or h_words}"

    return diagnose


def check_lstm_step(function) -> Feedback:
    """Check a reader's ``lstm_step(x_t, h_prev, c_prev, params)`` that returns ``(h_t, c_t)``.

    The diagnosis says where a mistake is: c_t is compared first (it is made of i_t, j_t, f_t), then h_t (made
    of c_t and o_t), and every known mistake of the six per-equation checkers is tried inside the step.
    """
    hint = ("x_t has shape (D,) or (B, D), h_prev and c_prev (H,) or (B, H); h_t and c_t have the shape of h_prev. "
            "Use params.W_xi, params.W_hi, params.b_i and so on, as named in the equations.")
    return check("lstm_step", function, lstm_step, _step_cases(), _diagnose_step(hint),
                 ["x_t", "h_prev", "c_prev", "params"], hint, _GATE_COVERED)
