"""Part I's checkers of the gates and the candidate (chapters 2, 4, 5, 6): `check_output_gate`,
`check_forget_gate`, `check_input_gate`, `check_input_state`, and their catalogue of mistakes.

`gate_mistakes(g)` is every known wrong version of one of them: the wrong nonlinearity (tanh for σ, σ for tanh,
ReLU, none), a sign error, x_t and h_{t-1} swapped or used twice, weights transposed or swapped, the bias left
out, subtracted or added outside, a term missing, `*` where `@` belongs, ... The step's checker (`step`) tries
them inside the step too, on cases of the same sizes (`CASE_SIZES`): square and non-square weights, one vector
and batches (also of one row), the one-unit cell, saturated gates, float64 and float32, every parameter drawn at
random.
"""

from __future__ import annotations

import numpy as np

from lstm_book.equations import forget_gate, input_gate, input_state, output_gate, sigmoid

from ..diagnoses import Mistake, single
from ..runner import Feedback, check

__all__ = ["check_output_gate", "check_forget_gate", "check_input_gate", "check_input_state"]


def relu(z):
    """max(0, z): the nonlinearity of a mistake (here and in `states`)."""
    return np.maximum(z, 0.0)


def gate_mistakes(g: str) -> list[Mistake]:
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
        Mistake(lambda x, h, W_x, W_h, b_: relu(x @ W_x.T + h @ W_h.T + b_),
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
CASE_SIZES = ((3, 3, None, np.float64, 1.0), (3, 3, 2, np.float64, 1.0), (2, 4, None, np.float64, 1.0),
              (5, 3, 4, np.float64, 1.0), (4, 2, 3, np.float32, 1.0), (1, 1, None, np.float64, 1.0),
              (2, 3, 1, np.float64, 1.0), (3, 3, None, np.float64, 4.0))

GATE_COVERED = ("one vector and batches (also of one row), square and non-square weights, the one-unit cell, "
                "saturated gates, float64 and float32")


def _rng_cases_gate(g: str) -> list[dict]:
    """Cases for a gate or the candidate, of the sizes `CASE_SIZES`. Every parameter is drawn at random (no
    bias is 0 or 1, no two cases share a value). Seeded: the same every run."""
    rng = np.random.default_rng(20150707)
    cases = []
    for D, H, B, dtype, scale in CASE_SIZES:
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
                 single(symbol, gate_mistakes(g), _gate_hint(g)), names, _gate_hint(g), GATE_COVERED)


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
