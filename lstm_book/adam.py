"""Adam (Kingma & Ba 2015), the optimiser of Part III (chapter 10).

Clipping is Part II's `lstm_book.gradients.clip_by_global_norm`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .validation import LSTMInputError, as_float_array, check_finite, check_integer, check_number

__all__ = ["Adam"]


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

    def __post_init__(self):
        for name, low, high in (("learning_rate", 0.0, None), ("beta1", 0.0, 1.0), ("beta2", 0.0, 1.0),
                                ("eps", 0.0, 1.0)):
            value = check_number(getattr(self, name), func="Adam", arg=name)
            if value < low or (value == low and name != "beta1") or (high is not None and value >= high):
                where = {"beta1": "in [0, 1)", "beta2": "in (0, 1)", "eps": "in (0, 1)"}.get(name, "> 0")
                raise LSTMInputError(f"Adam: argument '{name}' should be a number {where}, but got {value!r}")
            setattr(self, name, value)
        self.t = check_integer(self.t, func="Adam", arg="t", low=0)

    def step(self, params: dict, grads: dict) -> dict:
        """The parameters after one step (a new dict; `params` is left unchanged).

        params, grads: name -> array, the same names and shapes (finite floats)."""
        if not hasattr(params, "items") or not hasattr(grads, "keys"):
            raise LSTMInputError(f"Adam.step: arguments 'params' and 'grads' should be mappings from names to "
                                 f"arrays, but got {type(params).__name__} and {type(grads).__name__}")
        if set(grads) != set(params):
            raise LSTMInputError(f"Adam.step: argument 'grads' should have the names of 'params', {sorted(params)}, "
                                 f"but got {sorted(grads)}")
        checked = {}
        for name, theta in params.items():
            theta = as_float_array(theta, func="Adam.step", arg=f"params[{name!r}]")
            g = as_float_array(grads[name], func="Adam.step", arg=f"grads[{name!r}]")
            if g.shape != theta.shape:
                raise LSTMInputError(f"Adam.step: grads[{name!r}] should have the shape of params[{name!r}], "
                                     f"{theta.shape}, but got shape {g.shape}")
            check_finite(theta, func="Adam.step", arg=f"params[{name!r}]")
            check_finite(g, func="Adam.step", arg=f"grads[{name!r}]")
            checked[name] = (theta, g)
        return self._step({k: p for k, (p, _) in checked.items()}, {k: g for k, (_, g) in checked.items()})

    def _step(self, params: dict, grads: dict) -> dict:
        """`step` on checked arrays (the training loop's)."""
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
