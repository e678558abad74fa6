"""Parameters: the arrays of a cell, named as in the equations, checked once when they are made.

One protocol for every cell of the book. A `Params` is a read-only mapping from the book's names to arrays, with
a layout that gives each name its shape in symbols ("H D": H rows, D columns):

* `lstm_book.cell.LSTMParams`: the LSTM's twelve arrays W_xi, W_hi, b_i, ..., b_o (chapter 4 shows how they start);
* `lstm_book.rnn.RNNParams`: the plain RNN's W_xh, W_hh, b_h (chapter 9);
* ``Params(arrays, layout)``: any other set, such as a variant's of chapter 11 or a network with its readout
  W_y, b_y (Part III).

Every array is checked when the object is made (a real-number dtype, finite, its shape against the layout, the
sizes D, H, K the same everywhere), and the object keeps its own read-only copies, so a function that receives a
`Params` never checks the arrays again. Read an array as ``params.W_xf`` or ``params["W_xf"]``; ``dict(params)``
and ``**params`` give them all; ``params.replace(b_f=...)`` makes a changed copy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .validation import LSTMInputError, as_float_array, check_finite, check_shapes

__all__ = ["Params", "as_params"]


class Params(Mapping):
    """Named arrays checked against a layout (name -> symbolic shape), read-only, sizes as attributes.

    arrays: name -> array, exactly the names of `layout`.  layout: e.g. {"W_xh": "H D", "W_hh": "H H", "b_h": "H"}.
    The sizes of the symbols are kept: ``params.input_size`` (D), ``params.hidden_size`` (H), ``params.sizes``.
    func, arg: how an error message names the caller and the argument (e.g. "variant_forward", "params").
    """

    def __init__(self, arrays: Mapping, layout: Mapping[str, str], *, func: str = "Params", arg: str = "arrays"):
        layout = _layout(layout, func)
        self._set(_checked(arrays, layout, func, arg), layout)

    def _set(self, arrays: dict[str, np.ndarray], layout: dict[str, str]) -> None:
        object.__setattr__(self, "_arrays", arrays)
        object.__setattr__(self, "layout", layout)
        object.__setattr__(self, "sizes", _sizes(arrays, layout))

    # the mapping: name -> array, in the layout's order
    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __getattr__(self, name: str):
        arrays = self.__dict__.get("_arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r} (its parameters: "
                             f"{', '.join(arrays)})")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only: make a changed copy with .replace({name}=...)")

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self._arrays.items())
        return f"{type(self).__name__}({shapes})"

    @property
    def input_size(self) -> int:
        """D, the size of the input x_t."""
        return self.sizes.get("D")

    @property
    def hidden_size(self) -> int:
        """H, the size of the hidden state h_t."""
        return self.sizes.get("H")

    def as_dict(self) -> dict[str, np.ndarray]:
        """The arrays by name (a new dict of the same read-only arrays)."""
        return dict(self._arrays)

    def replace(self, **changes) -> "Params":
        """A copy with some arrays replaced, e.g. ``params.replace(b_f=np.full(H, 1.0))``; checked like a new one."""
        unknown = set(changes) - set(self._arrays)
        if unknown:
            raise LSTMInputError(f"{type(self).__name__}.replace: unknown parameter(s) {sorted(unknown)}; "
                                 f"expected some of {list(self._arrays)}")
        return self._remade({**self._arrays, **changes})

    def _remade(self, arrays: dict) -> "Params":
        return Params(arrays, self.layout, func=f"{type(self).__name__}.replace", arg="changes")


def _checked(arrays, layout: dict[str, str], func: str, arg: str) -> dict[str, np.ndarray]:
    """The arrays of `arrays` checked against `layout`, as read-only copies, in the layout's order."""
    if not isinstance(arrays, Mapping):
        raise LSTMInputError(f"{func}: argument '{arg}' should be a mapping from the names {list(layout)} to arrays, "
                             f"but got {type(arrays).__name__}")
    missing, unknown = [k for k in layout if k not in arrays], sorted(set(arrays) - set(layout), key=str)
    if missing or unknown:
        raise LSTMInputError(f"{func}: argument '{arg}' should hold exactly {list(layout)}; missing {missing}, "
                             f"unexpected {unknown}")
    out, names = {}, {}
    for name in layout:
        label = name if arg == "arrays" else f"{arg}['{name}']"
        array = as_float_array(arrays[name], func=func, arg=label)
        check_finite(array, func=func, arg=label)
        array = np.array(array, copy=True)     # our own copy, read-only: it stays as it was checked
        array.flags.writeable = False
        out[name], names[label] = array, name
    check_shapes(func, {label: out[name] for label, name in names.items()},
                 {label: layout[name] for label, name in names.items()})
    return out


def _layout(layout, func: str) -> dict[str, str]:
    """A layout: a mapping from names to symbolic shapes, each a string of symbols ("H D", "H", "K H")."""
    if not (isinstance(layout, Mapping) and layout and all(isinstance(k, str) and isinstance(v, str) and
                                                           v.split() for k, v in layout.items())):
        raise LSTMInputError(f"{func}: argument 'layout' should map each parameter's name to its shape in symbols, "
                             f"e.g. {{'W_xh': 'H D', 'b_h': 'H'}}, but got {layout!r:.80}")
    return dict(layout)


def _sizes(arrays: dict[str, np.ndarray], layout: dict[str, str]) -> dict[str, int]:
    sizes = {}
    for name, spec in layout.items():
        for symbol, size in zip(spec.split(), arrays[name].shape):
            sizes.setdefault(symbol, int(size))
    return sizes


def as_params(value, layout: Mapping[str, str], *, func: str, arg: str = "params", kind: type = Params) -> Params:
    """`value` as checked parameters of this layout: a `Params` with exactly these names passes as it is (its
    arrays were checked when it was made); a plain mapping of arrays is checked now, named ``params['W_xh']`` in
    messages. kind: the class the caller expects (its name appears in the message when something else came)."""
    if isinstance(value, Params):
        if list(value.layout) != list(layout) or any(value.layout[k] != layout[k] for k in layout):
            raise LSTMInputError(f"{func}: argument '{arg}' should hold exactly {list(layout)}, but got a "
                                 f"{type(value).__name__} with {list(value.layout)}")
        return value
    if kind is not Params:
        raise LSTMInputError(f"{func}: argument '{arg}' should be an {kind.__name__}, but got {type(value).__name__}")
    return Params(value, layout, func=func, arg=arg)
