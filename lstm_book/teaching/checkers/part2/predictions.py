"""Part II's checkers of numbers the reader predicts or derives before running the code: the work of one step
and of a sequence (exercise 7.2), the norms after clipping (9.1), the smallest forget bias that lets a share of
the error reach back (9.2), and where the one-unit plain RNN settles with its error factor there (9.3).

Each runs the reader's function on seeded cases that vary every input the exercise allows and compares it with
the package (clipping, the running example's backward pass) or with the numbers worked out here; on a mismatch
it names the mistake from its catalogue; when none matches, the quantity, the first index that differs and both
values. A count may come as an integer.
"""

from __future__ import annotations

import numpy as np

from lstm_book import lstm_forward, running_example, running_example_params
from lstm_book.backward import error_signal
from lstm_book.equations import forget_gate
from lstm_book.gradients import clip_by_global_norm

from ..diagnoses import Mistake, as_floats, attempt, keyed, several, single
from ..results import as_numbers
from ..runner import Feedback, check, no_batches

__all__ = ["check_work_counts", "check_clipped_norms", "check_smallest_forget_bias", "check_state_and_factor"]


# ------------------------------------------------------------------ exercise 7.2: count the work

def _work(D, H, B, T, *, mult=None, forward=None, loop=None):
    return {"multiplications": float(4 * B * H * (D + H) if mult is None else mult),
            "forward_products": float(T + 1 if forward is None else forward),
            "loop_products": float(8 * T if loop is None else loop)}


def check_work_counts(function) -> Feedback:
    """Check a reader's ``work(D, H, B, T)`` -> {"multiplications": the multiplications of one step's weighted
    sums (either version), "forward_products": the matrix products of `lstm_forward` over T steps,
    "loop_products": those of a loop over `lstm_step`}."""
    def make(**changes):
        return lambda D, H, B, T: _work(D, H, B, T, **{k: f(D, H, B, T) for k, f in changes.items()})

    mistakes = [
        Mistake(make(mult=lambda D, H, B, T: 4 * H * (D + H)), "Your multiplications leave out the batch: each of "
                "the B rows is multiplied by the whole W, so 4H(D + H) per row and 4BH(D + H) in all."),
        Mistake(make(mult=lambda D, H, B, T: B * H * (D + H)), "Your multiplications are those of one part: there "
                "are four (i, j, f, o), each H × (D + H) weights per row: 4BH(D + H)."),
        Mistake(make(mult=lambda D, H, B, T: 8 * B * H * (D + H)), "You counted the multiplications twice: the eight "
                "products of lstm_step are four with W_x (B·H·D each) and four with W_h (B·H·H each), 4BH(D + H) in "
                "all, exactly the entries of the stacked W times B."),
        Mistake(make(mult=lambda D, H, B, T: 4 * B * H * (D + H + 1)), "You counted the bias as multiplications: "
                "it is added, not multiplied; the products make 4BH(D + H)."),
        Mistake(make(mult=lambda D, H, B, T: 4 * B * H * D * H), "You multiplied D by H: the input product makes "
                "B·H·D multiplications per part and the recurrent one B·H·H, which add: 4BH(D + H)."),
        Mistake(make(forward=lambda D, H, B, T: T), "lstm_forward makes one product per step for h_(t-1) W_h^T, "
                "and one more before the loop for the input half of every step at once: T + 1."),
        Mistake(make(forward=lambda D, H, B, T: 2 * T), "lstm_forward does the input half once for all steps, "
                "before the loop (one large product), then one product per step: T + 1, not 2T."),
        Mistake(make(loop=lambda D, H, B, T: 4 * T), "lstm_step makes eight products per step (W_x and W_h for each of "
                "the four parts), so the loop makes 8T."),
        Mistake(make(loop=lambda D, H, B, T: 12 * T), "You counted the bias additions as products: lstm_step makes "
                "eight products and four additions per step; the products are 8T."),
        Mistake(make(loop=lambda D, H, B, T: 8 * T + 1), "A loop over lstm_step has no product before the loop: "
                "8 per step, 8T."),
    ]
    cases = [{"D": D, "H": H, "B": B, "T": T} for D, H, B, T in ((1, 1, 1, 60), (3, 5, 2, 10), (8, 4, 16, 100),
                                                                  (2, 7, 1, 1), (5, 2, 3, 7))]
    hint = "Return a dict with the three counts: multiplications, forward_products, loop_products."
    diagnose = keyed(("multiplications", "forward_products", "loop_products"), mistakes, hint,
                     what="the keys 'multiplications', 'forward_products' and 'loop_products'", exact=False,
                     differ="These counts differ", source="counting the products")
    return check("work", function, _work, cases, as_floats(diagnose), ["D", "H", "B", "T"], hint, "",
                 batched=no_batches, passed=f"Your counts are right for all {len(cases)} cases: sizes D and H from 1 "
                                            f"to 8, batches of 1 to 16, 1 to 100 steps.")


# ------------------------------------------------------------------ exercise 9.1: the norms after clipping

def _clipped(norms, max_norm):
    """The package's clipping on arrays of these norms, and the norms that come out."""
    grads = {f"g{k}": np.array([n, 0.0]) for k, n in enumerate(np.asarray(norms, dtype=float))}
    return np.array([abs(a[0]) for a in clip_by_global_norm(grads, float(max_norm))[0].values()])


def _scaled(norms, max_norm, total, always=False):
    n = np.asarray(norms, dtype=float)
    with np.errstate(all="ignore"):
        return n * (max_norm / total if always else min(1.0, max_norm / total) if total > 0 else 1.0)


def check_clipped_norms(function) -> Feedback:
    """Check a reader's ``clipped_norms(norms, max_norm)`` -> the norm of each array after clipping by the global
    norm, given each array's norm before."""
    def euclid(n):
        return float(np.sqrt(np.sum(np.square(np.asarray(n, dtype=float)))))

    mistakes = [
        Mistake(lambda n, m: np.minimum(np.asarray(n, dtype=float), m),
                "You clipped each array on its own (its norm cut to max_norm): clipping by the GLOBAL norm scales every "
                "array by the same factor min(1, max_norm / ‖g‖), where ‖g‖ = √(Σ_k ‖g_k‖²) covers all of them."),
        Mistake(lambda n, m: _scaled(n, m, euclid(n) ** 2),
                "You divided by the squared global norm: ‖g‖ = √(Σ_k ‖g_k‖²), the square root of the sum of squares."),
        Mistake(lambda n, m: _scaled(n, m, float(np.sum(n))),
                "You added the norms: the global norm is √(Σ_k ‖g_k‖²) (every entry of every array squared), not "
                "Σ_k ‖g_k‖."),
        Mistake(lambda n, m: _scaled(n, m, euclid(n), always=True),
                "You scaled even where nothing needed clipping: the factor is min(1, max_norm / ‖g‖), so gradients "
                "whose global norm is below max_norm (or zero) stay as they are."),
        Mistake(lambda n, m: np.asarray(n, dtype=float) * euclid(n) / m if euclid(n) > m else np.asarray(n, dtype=float),
                "Your factor is upside down: clipping multiplies by max_norm / ‖g‖ (below 1 when ‖g‖ > max_norm)."),
        Mistake(lambda n, m: np.full(np.shape(n), float(m)) if euclid(n) > m else np.asarray(n, dtype=float),
                "Every clipped array gets max_norm: it is their JOINT norm that becomes max_norm; each array keeps its "
                "share, ‖g_k‖ · max_norm / ‖g‖."),
    ]
    rng = np.random.default_rng(1994)
    cases = [{"norms": np.array([3.0, 4.0]), "max_norm": 3.5},                # one array below max_norm
             {"norms": np.array([3.0, 4.0]), "max_norm": 10.0},                  # nothing to clip
             {"norms": rng.uniform(0, 2, 6) * 1e6, "max_norm": 5.0},
             {"norms": np.array([2.5]), "max_norm": 0.5},
             {"norms": rng.uniform(0, 1, 4) * 1e-6, "max_norm": 1e-7},
             {"norms": np.zeros(3), "max_norm": 1.0},                            # zero gradients: nothing to scale
             {"norms": np.array([0.0, 12.0, 5.0]), "max_norm": 6.5},
             {"norms": rng.uniform(0, 3, 5).astype(np.float32), "max_norm": 2.0}]
    hint = "Return an array like norms: each norm times min(1, max_norm / ‖g‖), with ‖g‖ = √(Σ norms²)."
    return check("clipped_norms", function, _clipped, cases, single("the clipped norms", mistakes, hint),
                 ["norms", "max_norm"], hint, "one to six arrays, norms from 1e-7 to 1e6, nothing to clip, all zero, "
                                              "float32", batched=no_batches)


# ------------------------------------------------------------------ exercise 9.2: how far back can it learn?

_EXAMPLE = running_example()


def _reaching(b_f, start, end, *, shift=0):
    """The share of the error at the memory at step `end` (the loss L = h_end) that reaches the memory at step
    `start`, with every recurrent weight 0: the forget gates f_(start+1) ... f_end multiply it on the way (the
    tests hold this to the package's `error_signal`). `shift` moves the gates read by whole steps (a mistake)."""
    params = running_example_params(b_f=b_f)
    f = forget_gate(_EXAMPLE.x, np.zeros_like(_EXAMPLE.x), params.W_xf, params.W_hf, params.b_f)[:, 0]
    return float(np.prod(f[start + shift:end + shift]))        # steps start+1 .. end are rows start .. end-1


def reaching_by_backward_pass(b_f, start, end):
    """The same share measured with the package's backward pass: dc_start / dc_end (for the tests)."""
    params = running_example_params(b_f=b_f)
    dh = np.zeros((len(_EXAMPLE.x), 1))
    dh[end - 1] = 1.0
    errors = error_signal(_EXAMPLE.x, params, lstm_forward(_EXAMPLE.x, params), dh)
    return errors.c[start - 1, 0] / errors.c[end - 1, 0]


def _smallest(share, reaching, low=-10.0, high=20.0):
    for _ in range(60):                                     # bisection: the share reaching grows with b_f
        middle = (low + high) / 2
        low, high = (middle, high) if reaching(middle) < share else (low, middle)
    return np.float64(high)


def _smallest_bias(start, end, share, **switches):
    return _smallest(share, lambda b: _reaching(b, start, end, **switches))


def check_smallest_forget_bias(function) -> Feedback:
    """Check a reader's ``smallest_forget_bias(start, end, share)`` -> the smallest b_f (to 1e-3) for which at
    least `share` of the error at the memory at step `end` (loss L = h_end) reaches the memory at step `start`, in
    the running example with every recurrent weight 0."""
    def sig(b):
        return 1 / (1 + np.exp(-b))

    mistakes = [
        Mistake(lambda s, e, q: _smallest(q, lambda b: sig(b) ** (e - s)),
                "That is the estimate with every gate at rest, σ(b_f)^(end − start): the distractions between the two "
                "steps move their gates to σ(b_f ± 1.8). Measure the share with the backward pass (error_signal), "
                "dc_start / dc_end, and search b_f."),
        *[Mistake(lambda s, e, q, k=k: _smallest_bias(s, e, q, shift=k),
                  "Your steps are off by one: step t is row t − 1 (x[0] is step 1, the memory at step t is "
                  "errors.c[t − 1]), and the gates between the memory at `start` and at `end` are f_(start+1), …, "
                  "f_end.") for k in (-1, 1)],
        Mistake(lambda s, e, q: _smallest(q, lambda b: sig(b) ** (e - s + 1)),
                "That is the estimate with one gate too many: between the memory at `start` and at `end` lie the gates "
                "f_(start+1), …, f_end, end − start of them; and the distractions move some of them."),
    ]
    cases = [{"start": s, "end": e, "share": q} for s, e, q in ((5, 49, 0.1), (5, 20, 0.5), (12, 40, 0.01),
                                                                 (30, 31, 0.5), (5, 49, 0.9), (20, 45, 0.3))]
    hint = "Return one number, b_f, to three decimals: the smallest forget bias whose share reaching back is ≥ share."

    def diagnose(got, expected, case):
        numbers = as_numbers(got)
        if numbers is not None and numbers.shape == () and abs(float(numbers) - float(expected)) <= 1e-3:
            return None                                    # a bisection or a search to three decimals is enough
        for mistake in mistakes:
            wrong = attempt(mistake.compute, case)
            if wrong is not None and numbers is not None and numbers.shape == () \
                    and abs(float(numbers) - wrong) <= 1e-3 \
                    and abs(wrong - float(expected)) > 2e-3:
                return mistake.message
        return single("b_f", [], hint)(got, expected, case)

    return check("smallest_forget_bias", function, _smallest_bias, cases, diagnose, ["start", "end", "share"], hint,
                 "one step to 44 steps back, shares from 0.01 to 0.9", batched=no_batches)


# ------------------------------------------------------------------ exercise 9.3: linear, saturated, exploding

def _settle(w, h0, steps=5_000):
    h = float(h0)
    for _ in range(steps):
        h = np.tanh(w * h)
    return h


def _state_and_factor(w, h0, *, one_step=False, always_positive=False, leaves_zero=False, factor="ok"):
    h = float(np.tanh(w * h0)) if one_step else _settle(w, h0)
    if leaves_zero and h0 == 0 and w > 1:
        h = _settle(w, 0.5)
    if always_positive:
        h = abs(h)
    return np.float64(h), np.float64({"ok": w * (1 - h**2), "w": w, "no_w": 1 - h**2, "not_squared": w * (1 - abs(h)),
                                      "tanh": np.tanh(w)}[factor])


def check_state_and_factor(function) -> Feedback:
    """Check a reader's ``state_and_factor(w, h0)`` -> (h_star, factor): the state the one-unit plain RNN
    h_t = tanh(w h_(t-1)) settles at from h0, and the error factor per step, w (1 − h²), there."""
    def make(**switches):
        return lambda w, h0: _state_and_factor(w, h0, **switches)

    mistakes = [
        Mistake(make(factor="w"), "Your factor is w, as for a linear unit: at the settled state tanh is saturated and "
                                  "its slope 1 − h² multiplies it, w (1 − h²)."),
        Mistake(make(factor="no_w"), "Your factor has lost w: the error goes back through w h_(t-1) and then through "
                                     "tanh, so it is w (1 − h²)."),
        Mistake(make(factor="not_squared"), "tanh's slope is 1 − h², squared: the factor is w (1 − h²)."),
        Mistake(make(one_step=True), "That is the state after one step, tanh(w h0): run the recursion until the state "
                                     "stops moving (a few thousand steps), then take the factor there."),
        Mistake(make(always_positive=True), "From a negative h0 the state settles at the negative fixed point −h*: "
                                            "tanh is odd, so h and −h behave alike."),
        Mistake(make(leaves_zero=True), "From h0 = 0 the state never leaves 0 (tanh(w · 0) = 0), whatever w: there "
                                        "the factor is w itself."),
    ]
    cases = [{"w": w, "h0": h0} for w, h0 in ((2.0, 0.5), (0.9, 0.0), (2.0, 0.0), (0.5, 0.8), (3.0, -0.2),
                                              (1.5, 2.0), (5.0, 1e-3), (1.2, 0.3))]
    hint = "Return two numbers, (h_star, factor): the settled state and w (1 − h_star²)."
    return check("state_and_factor", function, _state_and_factor, cases, several(("h_star", "factor"), mistakes, hint),
                 ["w", "h0"], hint, "", batched=no_batches,
                 passed=f"Your state_and_factor agrees with the recursion run to its end on all {len(cases)} cases: "
                        f"weights 0.5 to 5, starting states −0.2 to 2 and 0.")
