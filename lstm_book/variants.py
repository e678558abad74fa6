"""The cells compared in chapter 11: the book's LSTM with one part changed, and the GRU.

Each variant changes the six equations in one place (Greff et al. 2017 did the same, one change at a time):

    lstm           the book's cell, b_f starts at 1 (positive: Gers et al. 2000; the value 1: Jozefowicz et al. 2015)
    forget_bias_0  the same equations, b_f initialised to 0
    no_forget      f_t = 1: c_t = c_{t-1} + i_t ⊙ j_t, the cell of Hochreiter & Schmidhuber (1997)
    no_input       j_t = 1: everything the candidate proposes is written
    no_output      o_t = 1: h_t = tanh(c_t)
    coupled        j_t = 1 - f_t: what is written is exactly what is forgotten
    peepholes      the gates also see the cell state: j_t, f_t get + p_j ⊙ c_{t-1}, p_f ⊙ c_{t-1};
                   o_t gets + p_o ⊙ c_t (Gers & Schmidhuber 2000)
    gru            the gated recurrent unit of Cho et al. (2014), see `gru_forward`, b_z initialised to 0
    gru_bias_1     the GRU with its update gate's bias b_z initialised to 1: the LSTM's initial retention σ(1)

A variant's parameters are a `Params` (lstm_book.params) of the arrays its equations use, named as in the book
(`no_forget` has no `W_xf`): W_x? (H, D), W_h? (H, H), b_? and p_? (H,); a dict of them is accepted and checked.
Every variant has a forward pass and a backward pass that reuses its trace, checked in the tests against finite
differences, `lstm_forward`/`lstm_backward` of Part II, and PyTorch's `nn.GRU`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .equations import sigmoid
from .params import Params, as_params
from .validation import (LSTMInputError, as_float_array, check_finite, check_float_dtype, check_integer, check_number,
                         labelled, no_overflow)

__all__ = ["Variant", "VARIANTS", "VariantTrace", "init_variant", "variant_forward", "variant_backward",
           "lstm_family_forward", "lstm_family_backward", "gru_forward", "gru_backward"]


@dataclass(frozen=True)
class Variant:
    """One cell of the comparison: which gates it has, how they are tied, and how b_f starts."""

    name: str
    title: str
    forget: bool = True        # False: f_t = 1
    input: bool = True         # False: j_t = 1
    output: bool = True        # False: o_t = 1
    coupled: bool = False      # True: j_t = 1 - f_t
    peepholes: bool = False    # True: the gates see the cell state
    forget_bias: float = 1.0   # the initial b_f (the GRU's b_z: its update gate keeps the old state)
    gru: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts that have weights, in the book's order (i, j, f, o); the GRU's are z, r, n."""
        if self.gru:
            return ("z", "r", "n")
        has = {"i": True, "j": self.input and not self.coupled, "f": self.forget, "o": self.output}
        return tuple(g for g in ("i", "j", "f", "o") if has[g])

    @property
    def peephole_names(self) -> tuple[str, ...]:
        return tuple(f"p_{g}" for g in ("j", "f", "o") if self.peepholes and g in self.parts)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        names = tuple(name for g in self.parts for name in (f"W_x{g}", f"W_h{g}", f"b_{g}"))
        return names + self.peephole_names

    @property
    def layout(self) -> dict[str, str]:
        """Each parameter's shape in symbols, as `lstm_book.params.Params` checks it: W_x? (H, D), W_h? (H, H),
        b_? and p_? (H,)."""
        return {name: {"W_x": "H D", "W_h": "H H"}.get(name[:3], "H") for name in self.parameter_names}


VARIANTS: dict[str, Variant] = {v.name: v for v in [
    Variant("lstm", "LSTM (b_f starts at 1)"),
    Variant("forget_bias_0", "LSTM, b_f starts at 0", forget_bias=0.0),
    Variant("no_forget", "no forget gate (f = 1)", forget=False, forget_bias=0.0),
    Variant("no_input", "no input gate (j = 1)", input=False),
    Variant("no_output", "no output gate (o = 1)", output=False),
    Variant("coupled", "coupled gates (j = 1 - f)", coupled=True),
    Variant("peepholes", "peepholes", peepholes=True),
    Variant("gru", "GRU (b_z starts at 0)", gru=True, forget_bias=0.0),
    Variant("gru_bias_1", "GRU, b_z starts at 1", gru=True),
]}


class VariantTrace(NamedTuple):
    """A forward pass of a variant: every quantity over time, each (T, B, H) (a gate a variant lacks holds 1).

    LSTM family: i, j, f, o, c, h.  GRU: z, r, n, hn (= W_hn h_{t-1}, kept for the backward pass) and h; c is h.
    """

    h: np.ndarray
    c: np.ndarray
    gates: dict


def _variant(variant, func: str = "variant", gru: bool = True) -> Variant:
    """The `Variant` named (or given); gru=False refuses the GRU (for the functions of the LSTM family)."""
    v = variant if isinstance(variant, Variant) else VARIANTS.get(variant) if isinstance(variant, str) else None
    if v is None or (v.gru and not gru):
        allowed = sorted(k for k, w in VARIANTS.items() if gru or not w.gru)
        raise LSTMInputError(f"{func}: argument 'variant' should be one of {allowed}, but got {variant!r}")
    return v


def init_variant(variant, input_size: int, hidden_size: int, *, seed: int = 0, forget_bias: float | None = None,
                 dtype=np.float64) -> Params:
    """Random parameters of a variant, drawn like `init_params`: weights uniform in ±1/√H, biases 0, except
    b_f (the GRU's b_z) = the variant's forget bias (or `forget_bias` if given). Returns the checked `Params` (lstm_book.params)
    of the variant's layout. input_size, hidden_size: integers >= 1;  seed: an integer >= 0;  dtype: float64/32."""
    v = _variant(variant, "init_variant")
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 1 <= value <= 10_000:
            raise LSTMInputError(f"init_variant: argument '{name}' should be a positive integer (at most 10000), "
                                 f"but got {value!r}")
    b_f = v.forget_bias if forget_bias is None else check_number(forget_bias, func="init_variant", arg="forget_bias")
    seed = check_integer(seed, func="init_variant", arg="seed", low=0)
    dtype = check_float_dtype(dtype, func="init_variant", arg="dtype")
    rng = np.random.default_rng(seed)
    D, H = input_size, hidden_size
    scale = 1.0 / np.sqrt(H)
    params = {}
    for g in v.parts:
        params[f"W_x{g}"] = rng.uniform(-scale, scale, (H, D)).astype(dtype)
        params[f"W_h{g}"] = rng.uniform(-scale, scale, (H, H)).astype(dtype)
        params[f"b_{g}"] = np.full(H, b_f if g in ("f", "z") else 0.0, dtype=dtype)
    for name in v.peephole_names:
        params[name] = rng.uniform(-scale, scale, H).astype(dtype)
    return Params(params, v.layout, func="init_variant")


def _check(func, v: Variant, xs, params, h0, c0):
    """Validate the public arguments once: params (a `Params` of the variant's layout, or a dict of arrays by the
    book's names, checked now), xs (T, D) or (T, B, D), h0 and c0 (H,) or (B, H) batched like xs (None: zeros; the
    GRU takes no c0). Returns the checked params, xs as (T, B, D), the states as (B, H), and whether xs was
    unbatched."""
    if v.gru and c0 is not None:
        raise LSTMInputError(f"{func}: argument 'c0' should be None for the GRU, which has no cell state")
    params = as_params(params, v.layout, func=func)
    H, D = params.hidden_size, params.input_size
    xs = as_float_array(xs, func=func, arg="xs")
    if xs.ndim not in (2, 3) or xs.shape[-1] != D:
        raise LSTMInputError(f"{func}: argument 'xs' should have shape (T, D={D}) or (T, B, D={D}), "
                             f"but got shape {xs.shape}")
    if xs.shape[0] == 0 or (xs.ndim == 3 and xs.shape[1] == 0):
        raise LSTMInputError(f"{func}: argument 'xs' is empty (shape {xs.shape}); need T >= 1 and B >= 1")
    check_finite(xs, func=func, arg="xs")
    unbatched = xs.ndim == 2
    if unbatched:
        xs = xs[:, None, :]
    out = {}
    for name, value in (("h0", h0), ("c0", c0)):
        want = (H,) if unbatched else (xs.shape[1], H)
        if value is None:
            value = np.zeros(want, dtype=xs.dtype)
        value = as_float_array(value, func=func, arg=name)
        if value.shape != want:
            raise LSTMInputError(f"{func}: argument '{name}' should have shape {want}, batched like 'xs' "
                                 f"(shape {xs.shape}), but got shape {value.shape}")
        check_finite(value, func=func, arg=name)
        out[name] = value[None] if unbatched else value
    return params, xs, out, unbatched


def _stack(params, names):
    """The weights of several parts stacked into one product: (P·H, D), (P·H, H), (P·H,)."""
    return (np.concatenate([params[f"W_x{g}"] for g in names]), np.concatenate([params[f"W_h{g}"] for g in names]),
            np.concatenate([params[f"b_{g}"] for g in names]))


def variant_forward(xs, params, variant, h0=None, c0=None) -> VariantTrace:
    """Run a variant over a sequence or a batch: xs (T, D) or (T, B, D); h0, c0 (H,) or (B, H).

    params: the variant's `Params` (from `init_variant`) or a dict of its arrays by the book's names.
    Returns a `VariantTrace` whose arrays are (T, H) or (T, B, H). The GRU has no c0 (pass None).
    """
    v = _variant(variant, "variant_forward")
    params, xs, states, unbatched = _check("variant_forward", v, xs, params, h0, c0)
    with no_overflow("variant_forward", {"xs": xs, **states, **labelled(params)}):
        trace = (_gru_forward if v.gru else _lstm_family_forward)(xs, params, v, states["h0"], states["c0"])
    return _unbatch(trace) if unbatched else trace


def lstm_family_forward(xs, params, variant="lstm", h0=None, c0=None) -> VariantTrace:
    """The LSTM with the variant's change (any variant but the GRU): arguments and result as `variant_forward`."""
    v = _variant(variant, "lstm_family_forward", gru=False)
    params, xs, states, unbatched = _check("lstm_family_forward", v, xs, params, h0, c0)
    with no_overflow("lstm_family_forward", {"xs": xs, **states, **labelled(params)}):
        trace = _lstm_family_forward(xs, params, v, states["h0"], states["c0"])
    return _unbatch(trace) if unbatched else trace


def _unbatch(trace: VariantTrace) -> VariantTrace:
    return VariantTrace(trace.h[:, 0], trace.c[:, 0], {k: a[:, 0] for k, a in trace.gates.items()})


def _lstm_family_forward(xs, params, v: Variant, h, c) -> VariantTrace:
    """The six equations with the variant's change; all four gate products in one matrix product per step."""
    T, B, _ = xs.shape
    H = h.shape[-1]
    parts = v.parts
    W_x, W_h, b = _stack(params, parts)
    a_x = xs @ W_x.T + b                                     # the input's share of every pre-activation
    p = {g: params.get(f"p_{g}", 0.0) for g in ("j", "f", "o")}
    one = np.ones((B, H), dtype=xs.dtype)
    out = {g: np.empty((T, B, H), dtype=xs.dtype) for g in ("i", "j", "f", "o", "c", "h")}
    blocks = {g: slice(k * H, (k + 1) * H) for k, g in enumerate(parts)}   # each part's columns
    for t in range(T):
        a_t = a_x[t] + h @ W_h.T
        a = {g: a_t[:, cols] for g, cols in blocks.items()}
        i = np.tanh(a["i"])
        f = sigmoid(a["f"] + p["f"] * c) if v.forget else one
        j = 1.0 - f if v.coupled else sigmoid(a["j"] + p["j"] * c) if v.input else one
        c = c * f + i * j
        o = sigmoid(a["o"] + p["o"] * c) if v.output else one
        h = np.tanh(c) * o
        for name, value in (("i", i), ("j", j), ("f", f), ("o", o), ("c", c), ("h", h)):
            out[name][t] = value
    gates = {g: out[g] for g in ("i", "j", "f", "o")}
    return VariantTrace(out["h"], out["c"], gates)


def variant_backward(xs, params, variant, trace: VariantTrace, dh, h0=None, c0=None) -> dict[str, np.ndarray]:
    """Backpropagation through time for a variant, reusing the trace of `variant_forward`.

    dh: the loss's gradient with respect to every h_t, shaped like `trace.h`. Returns the gradient of every
    parameter (same names and shapes as `params`) and of "xs", "h0" and (except the GRU) "c0".
    """
    v = _variant(variant, "variant_backward")
    params, xs, trace, dh, states, unbatched = _check_backward("variant_backward", v, xs, params, trace, dh, h0, c0)
    with no_overflow("variant_backward", {"xs": xs, "dh": dh, **states, **labelled(params)}):
        grads = (_gru_backward if v.gru else _lstm_family_backward)(xs, params, v, trace, dh, states["h0"],
                                                                    states["c0"])
    return _unbatch_grads(grads) if unbatched else grads


def lstm_family_backward(xs, params, variant, trace: VariantTrace, dh, h0=None, c0=None) -> dict[str, np.ndarray]:
    """Backpropagation through time for the LSTM with the variant's change: as `variant_backward`."""
    v = _variant(variant, "lstm_family_backward", gru=False)
    params, xs, trace, dh, states, unbatched = _check_backward("lstm_family_backward", v, xs, params, trace, dh,
                                                               h0, c0)
    with no_overflow("lstm_family_backward", {"xs": xs, "dh": dh, **states, **labelled(params)}):
        grads = _lstm_family_backward(xs, params, v, trace, dh, states["h0"], states["c0"])
    return _unbatch_grads(grads) if unbatched else grads


def _unbatch_grads(grads: dict) -> dict:
    return {k: (g[:, 0] if k == "xs" else g[0] if k in ("h0", "c0") else g) for k, g in grads.items()}


def _check_backward(func, v: Variant, xs, params, trace, dh, h0, c0):
    """The checks of the backward passes: the forward's arguments as in `_check`, then the trace and dh against
    them. Returns params, xs (T, B, D), trace and dh batched, the states (B, H), and whether xs was unbatched."""
    params, xs, states, unbatched = _check(func, v, xs, params, h0, c0)
    if not isinstance(trace, VariantTrace):
        raise LSTMInputError(f"{func}: argument 'trace' should be a VariantTrace from variant_forward, "
                             f"but got {type(trace).__name__}")
    T, B, _ = xs.shape
    want = (T, params.hidden_size) if unbatched else (T, B, params.hidden_size)
    fields = {}
    for name, value in (("h", trace.h), ("c", trace.c), *trace.gates.items()):
        value = as_float_array(value, func=func, arg=f"trace.{name}")
        if value.shape != want:
            raise LSTMInputError(f"{func}: argument 'trace' does not belong to these inputs: its {name} has shape "
                                 f"{value.shape}, but xs of shape {xs.shape[:1] + xs.shape[2:] if unbatched else xs.shape} "
                                 f"needs {want}")
        check_finite(value, func=func, arg=f"trace.{name}")
        fields[name] = value[:, None] if unbatched else value
    dh = as_float_array(dh, func=func, arg="dh")
    if dh.shape != want:
        raise LSTMInputError(f"{func}: argument 'dh' should have the shape of trace.h, {want}, but got shape {dh.shape}")
    check_finite(dh, func=func, arg="dh")
    trace = VariantTrace(fields.pop("h"), fields.pop("c"), fields)
    return params, xs, trace, dh[:, None] if unbatched else dh, states, unbatched


def _lstm_family_backward(xs, params, v: Variant, trace, dh, h0, c0):
    """The backward step of each equation, from h back to i (the order of Part II), then the weights."""
    T, B, _ = xs.shape
    parts = v.parts
    W_x, W_h, _ = _stack(params, parts)
    g = trace.gates
    p = {k: params.get(f"p_{k}", 0.0) for k in ("j", "f", "o")}
    da = {k: np.zeros_like(trace.h) for k in parts}          # d loss / d pre-activation, every step
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        c_prev = trace.c[t - 1] if t > 0 else c0
        i, j, f, o, c = g["i"][t], g["j"][t], g["f"][t], g["o"][t], trace.c[t]
        dh_t = dh[t] + dh_next
        tanh_c = np.tanh(c)
        dc = dc_next + dh_t * o * (1.0 - tanh_c ** 2)        # h_t = tanh(c_t) o_t
        if v.output:
            da["o"][t] = dh_t * tanh_c * o * (1.0 - o)      # o_t = σ(a_o + p_o c_t)
            dc = dc + da["o"][t] * p["o"]
        dj = dc * i                                          # c_t = c_{t-1} f_t + i_t j_t
        df = dc * c_prev - (dj if v.coupled else 0.0)        # coupled: j_t = 1 - f_t
        da["i"][t] = dc * j * (1.0 - i ** 2)                 # i_t = tanh(a_i)
        dc_next = dc * f
        if v.forget:
            da["f"][t] = df * f * (1.0 - f)                  # f_t = σ(a_f + p_f c_{t-1})
            dc_next = dc_next + da["f"][t] * p["f"]
        if "j" in parts:
            da["j"][t] = dj * j * (1.0 - j)                  # j_t = σ(a_j + p_j c_{t-1})
            dc_next = dc_next + da["j"][t] * p["j"]
        dh_next = np.concatenate([da[k][t] for k in parts], axis=-1) @ W_h
    # the peepholes' weights: j and f saw c_{t-1}, o saw c_t; summed over the steps and the batch
    c_prev_all = np.concatenate([c0[None], trace.c[:-1]])
    seen = {"j": c_prev_all, "f": c_prev_all, "o": trace.c}
    dp = {f"p_{k}": np.sum(da[k] * seen[k], axis=(0, 1)) for k in ("j", "f", "o") if f"p_{k}" in params}
    return _weight_grads(xs, trace.h, h0, parts, da, W_x, dh_next, dp, {"c0": dc_next})


def _weight_grads(xs, hs, h0, parts, da, W_x, dh0, extra, states):
    """Gradients of the weights from the pre-activations' gradients: summed over steps and the batch."""
    T, B, D = xs.shape
    H = hs.shape[-1]
    da_all = np.concatenate([da[k] for k in parts], axis=-1)            # (T, B, P·H)
    flat = da_all.reshape(T * B, -1)
    h_prev = np.concatenate([h0[None], hs[:-1]]).reshape(T * B, H)      # h_{t-1} for every t
    dW_x, dW_h = flat.T @ xs.reshape(T * B, D), flat.T @ h_prev          # one product each, all steps at once
    grads = {}
    for n, k in enumerate(parts):
        rows = slice(n * H, (n + 1) * H)
        grads[f"W_x{k}"] = dW_x[rows]
        grads[f"W_h{k}"] = dW_h[rows]          # (the GRU's W_hn is replaced by its own gradient)
        grads[f"b_{k}"] = flat[:, rows].sum(axis=0)
    return {**grads, **extra, "xs": da_all @ W_x, "h0": dh0, **states}


# The GRU (Cho et al. 2014), in the form PyTorch and cuDNN use:
#     z_t = σ(W_xz x_t + W_hz h_{t-1} + b_z)            update gate
#     r_t = σ(W_xr x_t + W_hr h_{t-1} + b_r)            reset gate
#     n_t = tanh(W_xn x_t + b_n + r_t ⊙ (W_hn h_{t-1}))  candidate
#     h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
# (Cho et al. apply the reset gate before the product, W_hn (r_t ⊙ h_{t-1}); the two forms learn alike.)


def gru_forward(xs, params, h0=None) -> VariantTrace:
    """The GRU over a sequence or a batch: xs (T, D) or (T, B, D), h0 (H,) or (B, H); params: W_xz, W_hz, b_z,
    W_xr, W_hr, b_r, W_xn, W_hn, b_n. Returns a `VariantTrace` (its c is h: the GRU has no separate memory)."""
    v = VARIANTS["gru"]
    params, xs, states, unbatched = _check("gru_forward", v, xs, params, h0, None)
    with no_overflow("gru_forward", {"xs": xs, **states, **labelled(params)}):
        trace = _gru_forward(xs, params, v, states["h0"], None)
    return _unbatch(trace) if unbatched else trace


def gru_backward(xs, params, trace: VariantTrace, dh, h0=None) -> dict[str, np.ndarray]:
    """Backpropagation through time for the GRU: as `variant_backward(xs, params, "gru", trace, dh, h0)`."""
    v = VARIANTS["gru"]
    params, xs, trace, dh, states, unbatched = _check_backward("gru_backward", v, xs, params, trace, dh, h0, None)
    with no_overflow("gru_backward", {"xs": xs, "dh": dh, **states, **labelled(params)}):
        grads = _gru_backward(xs, params, v, trace, dh, states["h0"], None)
    return _unbatch_grads(grads) if unbatched else grads


def _gru_forward(xs, params, v, h, c0):
    T, B, _ = xs.shape
    H = h.shape[-1]
    W_x, _, b = _stack(params, ("z", "r", "n"))
    W_h = np.concatenate([params["W_hz"], params["W_hr"]])
    W_hn = params["W_hn"]
    a_x = xs @ W_x.T + b
    out = {k: np.empty((T, B, H), dtype=xs.dtype) for k in ("z", "r", "n", "hn", "h")}
    for t in range(T):
        a_zr = a_x[t, :, :2 * H] + h @ W_h.T
        z, r = sigmoid(a_zr[:, :H]), sigmoid(a_zr[:, H:])
        hn = h @ W_hn.T
        n = np.tanh(a_x[t, :, 2 * H:] + r * hn)
        h = (1.0 - z) * n + z * h
        for name, value in (("z", z), ("r", r), ("n", n), ("hn", hn), ("h", h)):
            out[name][t] = value
    return VariantTrace(out["h"], out["h"], {k: out[k] for k in ("z", "r", "n", "hn")})


def _gru_backward(xs, params, v, trace, dh, h0, c0):
    T = len(xs)
    W_x, _, _ = _stack(params, ("z", "r", "n"))
    W_hz, W_hr, W_hn = params["W_hz"], params["W_hr"], params["W_hn"]
    g = trace.gates
    da = {k: np.zeros_like(trace.h) for k in ("z", "r", "n")}
    dW_hn = np.zeros_like(W_hn)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = trace.h[t - 1] if t > 0 else h0
        z, r, n, hn = g["z"][t], g["r"][t], g["n"][t], g["hn"][t]
        dh_t = dh[t] + dh_next
        da["n"][t] = dh_t * (1.0 - z) * (1.0 - n ** 2)      # h_t = (1 - z) n + z h_{t-1};  n = tanh(...)
        da["z"][t] = dh_t * (h_prev - n) * z * (1.0 - z)
        da["r"][t] = da["n"][t] * hn * r * (1.0 - r)
        dhn = da["n"][t] * r
        dW_hn += dhn.T @ h_prev
        dh_next = dh_t * z + dhn @ W_hn + da["z"][t] @ W_hz + da["r"][t] @ W_hr
    grads = _weight_grads(xs, trace.h, h0, ("z", "r", "n"), da, W_x, dh_next, {}, {})
    grads["W_hn"] = dW_hn
    return grads
