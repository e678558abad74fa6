"""Checking a gradient against finite differences, and clipping one (chapters 8 and 9).

`gradient_check` compares any analytic gradient with central finite differences, entry by entry: the test every
backward function of the book passes, with one threshold, `TOLERANCE` = 1e-6 on the relative error (float64).
`clip_by_global_norm` scales a gradient down when its norm is too large (norm clipping: Pascanu, Mikolov & Bengio
2013; Mikolov 2012 clipped each entry), the guard against the exploding gradients of chapter 9.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from .validation import LSTMInputError, as_float_array, check_finite, check_float_dtype, check_number, no_overflow

__all__ = ["GradientCheck", "gradient_check", "clip_by_global_norm", "TOLERANCE"]

#: The gradient check's threshold: a correct float64 backward pass stays below it (typically 1e-8 or less), a
#: wrong equation gives 1e-3 or more.
TOLERANCE = 1e-6


class GradientCheck(NamedTuple):
    """The result of `gradient_check`: for each checked array, the largest relative and absolute error.

    `passed` is True when every relative error is below `tolerance`. Printing it gives one line per array.
    """

    relative: dict[str, float]
    absolute: dict[str, float]
    tolerance: float
    entries: int

    @property
    def passed(self) -> bool:
        return max(self.relative.values()) < self.tolerance

    @property
    def max_relative(self) -> float:
        return max(self.relative.values())

    def __str__(self) -> str:
        lines = [f"{'':<7}{'max relative error':>20}{'max absolute error':>20}"]
        lines += [f"{name:<7}{self.relative[name]:>20.1e}{self.absolute[name]:>20.1e}" for name in self.relative]
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"{self.entries} entries checked; largest relative error {self.max_relative:.1e} "
                     f"(tolerance {self.tolerance:.0e}): {verdict}")
        return "\n".join(lines)


def gradient_check(loss: Callable[..., float], inputs: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], eps: float = 1e-6, tolerance: float = TOLERANCE,
                   dtype=np.float64) -> GradientCheck:
    """Compare analytic gradients with central finite differences, entry by entry, in float64 (or `dtype`).

    loss: a function of the arrays in `inputs` (passed as keyword arguments) returning a number.
    grads: the analytic ∂loss/∂(each input) to check, by the same names (a subset of inputs is fine).
    For every entry k the numerical gradient is (loss(a + eps·e_k) − loss(a − eps·e_k)) / (2·eps), and the
    relative error is |analytic − numerical| / max(|analytic|, |numerical|, 1e-3): relative for gradients
    above 1e-3, absolute below (where rounding, about 1e-10 here, would swamp a relative measure).
    A correct float64 backward pass stays below `TOLERANCE` (1e-6; typically 1e-8 or less); a wrong equation gives
    1e-3 or more. dtype: np.float64 (default) or np.float32, the precision in which the inputs are perturbed and
    passed to `loss` (float32 shows why the check is made in float64: rounding swamps it, exercise 8.3).
    """
    if not callable(loss):
        raise LSTMInputError(f"gradient_check: argument 'loss' should be a function, but got {type(loss).__name__}")
    if not (isinstance(eps, float) and 0 < eps < 1e-2):
        raise LSTMInputError(f"gradient_check: argument 'eps' should be a float in (0, 1e-2), but got {eps!r}")
    tolerance = check_number(tolerance, func="gradient_check", arg="tolerance")
    dtype = check_float_dtype(dtype, func="gradient_check", arg="dtype")
    if not 0 < tolerance < 1:
        raise LSTMInputError(f"gradient_check: argument 'tolerance' should be in (0, 1), but got {tolerance!r}")
    for arg, value in (("inputs", inputs), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise LSTMInputError(f"gradient_check: argument '{arg}' should be a mapping from names to arrays, but "
                                 f"got {type(value).__name__}")
    base = {}
    for name, value in inputs.items():
        value = as_float_array(value, func="gradient_check", arg=f"inputs[{name!r}]").astype(np.float64)
        check_finite(value, func="gradient_check", arg=f"inputs[{name!r}]")
        base[name] = value.astype(dtype)
    unknown = set(grads) - set(base)
    if unknown or not grads:
        raise LSTMInputError(f"gradient_check: argument 'grads' should name some of the inputs {sorted(base)}, "
                             f"but got {sorted(grads)}")
    relative, absolute, entries = {}, {}, 0
    for name, analytic in grads.items():
        analytic = as_float_array(analytic, func="gradient_check", arg=f"grads[{name!r}]").astype(np.float64)
        check_finite(analytic, func="gradient_check", arg=f"grads[{name!r}]")
        if analytic.shape != base[name].shape:
            raise LSTMInputError(f"gradient_check: grads[{name!r}] should have the shape of inputs[{name!r}], "
                                 f"{base[name].shape}, but got shape {analytic.shape}")
        numerical = np.empty_like(analytic)
        for k in np.ndindex(analytic.shape):
            values = dict(base)
            values[name] = base[name].copy()
            values[name][k] += eps                     # rounded to `dtype`, as the loss will see it
            plus = _number(loss(**values))
            values[name][k] -= 2 * eps
            minus = _number(loss(**values))
            numerical[k] = (plus - minus) / (2 * eps)
        error = np.abs(analytic - numerical)
        scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numerical)), 1e-3)
        relative[name] = float((error / scale).max())
        absolute[name] = float(error.max())
        entries += analytic.size
    return GradientCheck(relative, absolute, tolerance, entries)


def _number(value) -> float:
    """What the reader's loss returned, as a finite float: anything else is a clear error."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LSTMInputError(f"gradient_check: argument 'loss' should return a number, but returned "
                             f"{type(value).__name__}") from None
    if not np.isfinite(number):
        raise LSTMInputError(f"gradient_check: argument 'loss' returned {number} (not finite) near the given inputs")
    return number


def clip_by_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients down together when their joint norm exceeds max_norm (chapter 9).

    grads: name -> array. The global norm is sqrt(sum of squares of every entry of every array). If it is above
    `max_norm`, every array is multiplied by max_norm / norm, so the direction is kept and the norm becomes
    max_norm; otherwise nothing changes. Returns (the clipped gradients, the norm before clipping).
    """
    max_norm = check_number(max_norm, func="clip_by_global_norm", arg="max_norm")
    if max_norm <= 0:
        raise LSTMInputError(f"clip_by_global_norm: argument 'max_norm' should be a positive number, but got {max_norm!r}")
    if not isinstance(grads, Mapping):
        raise LSTMInputError(f"clip_by_global_norm: argument 'grads' should be a mapping from names to arrays, but "
                             f"got {type(grads).__name__}")
    arrays = {}
    for name, value in grads.items():
        arrays[name] = as_float_array(value, func="clip_by_global_norm", arg=f"grads[{name!r}]")
        check_finite(arrays[name], func="clip_by_global_norm", arg=f"grads[{name!r}]")
    with no_overflow("clip_by_global_norm", {f"grads[{k!r}]": a for k, a in arrays.items()}):
        return _clip_by_global_norm(arrays, max_norm)


def _clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    """`clip_by_global_norm` on checked arrays (the training loop's)."""
    norm = float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: a * a.dtype.type(scale) for name, a in grads.items()}, norm
