"""Bad inputs to every public function of every module (each module's __all__), warnings as errors.

test_lstm_book.py sweeps the cell's functions; this file adds the explorers, the figures, the checkers and the
validation helpers, and the array variants a caller can pass without meaning harm (read-only, non-contiguous,
big-endian, small integer types) or with (float16, complex, object, ragged, 0-d, empty). A refusal is an
LSTMInputError that names the argument; an acceptance gives the float64 answer and leaves the inputs as they
were; nothing ever warns.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lstm_book
from lstm_book import (
    LSTMInputError, LSTMParams, cell_state, forget_gate, hidden_state, init_params, input_gate, input_state,
    lstm_forward, lstm_step, output_gate, sigmoid, tanh,
)
from lstm_book import validation
from lstm_book.teaching import checkers as exercises, explorers, figures as plots
from lstm_book.teaching.explorers import ExplorerWidget, Slider, gate_explorer, leaky_integrator_data, running_example_data
from lstm_book.teaching.figures import draw_cell, plot_series

_bad_values = st.one_of(
    st.none(), st.booleans(), st.text(max_size=3), st.complex_numbers(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**400, 10**400),
    st.sampled_from([[], [1.0], [[1.0, 2.0], [3.0]], {}, (1, 2), b"x", object(), np.float16(1.0), np.int8(3),
                     np.bool_(True), np.nan, 1e308, -1e308, np.array(2.0), np.array([]), np.float32, "float32",
                     Ellipsis, set(), np.datetime64("2020-01-01"), np.longdouble(1.0)]),
    hnp.arrays(dtype=st.sampled_from([np.float64, np.float16, np.int64, np.bool_, np.complex128, "U2", object]),
               shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), elements=None),
)


def _valid_calls():
    data = running_example_data()
    return {
        "Slider": (Slider, dict(name="w", low=-1.0, high=1.0, default=0.0, step=0.1)),
        "Explorer.data": (gate_explorer("f").data, dict(w_xf=1.0, w_hf=0.0, b_f=1.0)),
        "gate_explorer": (gate_explorer, dict(g="f")),
        "running_example_data": (running_example_data, dict(b_f=2.0, w_xi=1.0)),
        "leaky_integrator_data": (leaky_integrator_data, dict(b_f=1.0, b_j=0.0, b_i=1.0, c_0=0.5, T=10)),
        "plot_series": (plot_series, dict(data={k: data[k] for k in ("t", "x", "c")}, panels=[("x",), ("c",)])),
        "draw_cell": (draw_cell, dict(highlight="f")),
        "ExplorerWidget": (ExplorerWidget, dict(explorer=gate_explorer("o"))),
        "as_float_array": (validation.as_float_array, dict(value=np.ones(2), func="f", arg="a")),
        "check_number": (validation.check_number, dict(value=1.5, func="f", arg="a")),
        "check_integer": (validation.check_integer, dict(value=3, func="f", arg="a")),
        "check_float_dtype": (validation.check_float_dtype, dict(value=np.float32, func="f", arg="a")),
    }


_CALLS = _valid_calls()
_SPOILABLE = [(name, arg) for name, (_, kwargs) in _CALLS.items() for arg in kwargs
              if arg not in ("func", "name")]  # a label for messages, not an input


def test_every_public_function_is_swept():
    """A new public function must be added to a sweep (here or in test_lstm_book.py)."""
    swept = set(_CALLS) | {"Explorer", "full_cell_explorer", "hidden_state_explorer", "cell_state_explorer",
                           "check_finite", "check_shapes", "shapes", "no_overflow",
                           "labelled", "unchecked",  # swept by test_public_surface.py
                           "TrainingView", "TrainingRun",  # test_training_view.py: bad controls and runs refused
                           "TextView",  # test_text_view.py: bad units, parts and equations refused
                           "STYLE", "PANEL_LIMITS", "CELL_PARTS", "LSTMInputError", "Feedback",
                           "Panel",  # test_a_panel_refuses_an_unknown_scale
                           "ReferenceLine", "WEB_DIR", "EVENT_STYLE", "REFERENCE_COLOURS",
                           "plain_label",
                           # Part II's figures and explorers: swept in test_public_surface.py
                           "draw_stacked_weights", "draw_backward_flow", "plot_error_flow", "ERROR_STYLE", "LOSS_STEP",
                           "backward_data", "backward_explorer", "gradient_flow_data", "gradient_flow_explorer",
                           # chapter 8's unrolled picture (no argument) and chapter 11's diagrams: tested below
                           "draw_unrolled_backward", "draw_variant", "VARIANT_DIAGRAMS",
                           # chapter 13's figures: test_units.py refuses their bad inputs
                           "UNIT_COLOURS", "unit_colours", "draw_text_by_units", "draw_gate_saturation"}  # test_plain_label_names_what_it_refuses  # plain data: a record of the description, a folder
    swept |= set(lstm_book.__all__) | {n for n in exercises.__all__ if n.startswith("check_")}
    for module in (lstm_book, explorers, plots, validation, exercises):
        missing = set(module.__all__) - swept
        assert not missing, (module.__name__, missing)


@pytest.mark.parametrize("name, arg", _SPOILABLE, ids=[f"{n}-{a}" for n, a in _SPOILABLE])
@given(bad=_bad_values)
def test_a_bad_argument_is_named_never_a_bare_error(name, arg, bad):
    function, kwargs = _CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = function(**{**kwargs, arg: bad})
        except LSTMInputError as exc:
            named = kwargs["arg"] if arg == "value" else arg  # a helper names the argument it is told to
            assert f"'{named}'" in str(exc), str(exc)
            return
        finally:
            plt.close("all")
    if isinstance(result, dict):  # data of an explorer: finite numbers only
        assert all(np.all(np.isfinite(v)) for v in result.values()), (name, arg, bad)


def _params():
    return init_params(2, 3, seed=7)


def _gate_args(p):
    return dict(x_t=np.array([0.3, -0.7]), h_prev=np.array([0.1, 0.2, -0.4]), W_xo=p.W_xo, W_ho=p.W_ho, b_o=p.b_o)


_ARRAY_CALLS = {
    "hidden_state": (hidden_state, lambda p: dict(c_t=np.array([1.5, -0.5, 0.25]), o_t=np.array([0.2, 0.5, 0.9]))),
    "cell_state": (cell_state, lambda p: dict(c_prev=np.array([1.5, -0.5, 0.25]), f_t=np.array([0.2, 0.5, 0.9]),
                                              i_t=np.array([-0.3, 0.1, 0.7]), j_t=np.array([0.6, 0.4, 0.1]))),
    "output_gate": (output_gate, _gate_args),
    "lstm_step": (lstm_step, lambda p: dict(x_t=np.array([0.3, -0.7]), h_prev=np.array([0.1, 0.2, -0.4]),
                                            c_prev=np.array([1.0, -2.0, 0.5]), params=p)),
    "lstm_forward": (lstm_forward, lambda p: dict(xs=np.array([[0.3, -0.7], [1.0, 0.5]]), params=p,
                                                  h0=np.array([0.1, 0.2, -0.4]), c0=np.array([1.0, -2.0, 0.5]))),
}
_ARRAY_ARGS = [(name, arg) for name, (_, make) in _ARRAY_CALLS.items() for arg in make(_params()) if arg != "params"]


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def _strided(a):
    wide = np.repeat(a, 2, axis=-1)
    return wide[..., ::2]


_HARMLESS = {
    "read-only": _read_only,
    "non-contiguous": _strided,
    "Fortran order": np.asfortranarray,
    "big-endian": lambda a: a.astype(">f8"),
    "big-endian float32": lambda a: a.astype(">f4"),
    "a nested list": lambda a: a.tolist(),
}
_HARMFUL = {
    "float16": (lambda a: a.astype(np.float16), "float16"),
    "complex": (lambda a: a.astype(complex), "complex"),
    "object": (lambda a: a.astype(object), "object"),
    "bool": (lambda a: a != 0, "bool"),
    "strings": (lambda a: a.astype(str), "<U"),
    "None inside": (lambda a: np.array([None] * a.size).reshape(a.shape), "object"),
    "ragged": (lambda a: [list(np.ravel(a)), [1.0]], "could not be read as an array"),
    "0-d": (lambda a: np.array(1.0), "shape ()"),
    "empty": (lambda a: np.zeros(a.shape[:-1] + (0,)), "shape"),
    "one axis too many": (lambda a: a[None, None], "shape"),
    "NaN": (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.nan, a), "finite"),
    "a huge Python int": (lambda a: [10**400] * a.shape[-1], "object"),
}


@pytest.mark.parametrize("variant", _HARMLESS)
@pytest.mark.parametrize("name, arg", _ARRAY_ARGS, ids=[f"{n}-{a}" for n, a in _ARRAY_ARGS])
def test_harmless_array_variants_give_the_float64_answer(name, arg, variant):
    function, make = _ARRAY_CALLS[name]
    p = _params()
    kwargs = make(p)
    expected = function(**kwargs)
    given_value = _HARMLESS[variant](kwargs[arg])
    before = np.array(given_value, copy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = function(**{**kwargs, arg: given_value})
    for g, e in zip(np.atleast_1d(got) if isinstance(got, tuple) else [got],
                    np.atleast_1d(expected) if isinstance(expected, tuple) else [expected]):
        assert np.allclose(g, e, rtol=1e-6, atol=1e-7) and np.asarray(g).dtype.isnative, (variant, g, e)
    assert np.array_equal(np.asarray(given_value), before), "the input was changed"


@pytest.mark.parametrize("variant", _HARMFUL)
@pytest.mark.parametrize("name, arg", _ARRAY_ARGS, ids=[f"{n}-{a}" for n, a in _ARRAY_ARGS])
def test_harmful_array_variants_are_refused_by_name(name, arg, variant):
    function, make = _ARRAY_CALLS[name]
    kwargs = make(_params())
    spoil, words = _HARMFUL[variant]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LSTMInputError) as info:
            function(**{**kwargs, arg: spoil(np.asarray(kwargs[arg]))})
    message = str(info.value)
    assert message.startswith(f"{name}: ") and f"'{arg}'" in message and words in message, message


def test_no_public_function_changes_its_inputs():
    p = _params()
    for name, (function, make) in _ARRAY_CALLS.items():
        kwargs = make(p)
        copies = {k: np.copy(v) for k, v in kwargs.items() if isinstance(v, np.ndarray)}
        function(**kwargs)
        for k, v in copies.items():
            assert np.array_equal(kwargs[k], v), (name, k)
    values = {k: np.copy(v) for k, v in p.as_dict().items()}
    lstm_forward(np.ones((3, 2)), p)
    assert all(np.array_equal(getattr(p, k), v) for k, v in values.items())


def test_numpy_set_to_raise_on_everything_still_gives_answers():
    """A reader who ran np.seterr(all='raise') (to find their own NaN) must not see underflow called overflow."""
    old = np.seterr(all="raise")
    try:
        assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
        assert np.all(lstm_forward(np.full((3, 1), -1000.0), lstm_book.scalar_params(w_xf=1.0)).f == 0.0)
        assert hidden_state(np.array([1e-300]), np.array([1e-300]))[0] == 0.0
        assert tanh(np.array([1e-320]))[0] >= 0.0
    finally:
        np.seterr(**old)


def test_sizes_that_would_fill_the_memory_are_refused_before_anything_is_made():
    with pytest.raises(LSTMInputError, match=r"^init_params: arguments 'input_size' \(10000\) and 'hidden_size' "
                                             r"\(10000\) would make 4·H·\(D\+H\+1\) = 8e\+08 numbers"):
        init_params(10_000, 10_000)


@pytest.mark.parametrize("forget_bias", [1e39, -1e300])
def test_a_forget_bias_beyond_float32_is_refused_in_float32(forget_bias):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(LSTMInputError, match=r"^init_params: argument 'forget_bias' should fit in float32"):
            init_params(2, 3, forget_bias=forget_bias, dtype=np.float32)
        assert init_params(2, 3, forget_bias=forget_bias).b_f[0] == forget_bias  # float64 holds it


@pytest.mark.parametrize("checker", [getattr(exercises, n) for n in exercises.__all__ if n.startswith("check_")])
@pytest.mark.parametrize("bad", [None, 3, "my_function", np.zeros(3), [lambda *a: 0], int, print, np.tanh,
                                 lambda **kw: 0, lambda: 0])
def test_a_checker_given_anything_answers_in_words(checker, bad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = checker(bad)
    assert isinstance(feedback, exercises.Feedback) and not feedback.correct and feedback.message


@pytest.mark.parametrize("call, words", [
    (lambda: output_gate(x=np.zeros(2), h_prev=np.zeros(3), W_xo=np.zeros((3, 2)), W_ho=np.zeros((3, 3)),
                         b_o=np.zeros(3)), "output_gate: "),
    (lambda: forget_gate(np.zeros(2), np.zeros(3), np.zeros((3, 2)), np.zeros((3, 3))), "forget_gate: "),
    (lambda: input_gate(np.zeros(2), np.zeros(3), np.zeros((3, 2)), np.zeros((3, 3)), np.zeros(3), 1), "input_gate: "),
    (lambda: input_state(z=1.0), "input_state: "),
    (lambda: lstm_forward(np.zeros((2, 2)), _params(), h_0=np.zeros(3)), "lstm_forward()"),
    (lambda: LSTMParams(**{k: v for k, v in _params().as_dict().items() if k != "b_o"}), "b_o"),
    (lambda: _params().replace(np.zeros(3)), "replace()"),
    (lambda: sigmoid(x=1.0), "sigmoid()"),
])
def test_a_wrong_call_signature_is_a_type_error_naming_the_function(call, words):
    with pytest.raises(TypeError, match=None) as info:
        call()
    assert words in str(info.value), str(info.value)


def test_a_panel_refuses_an_unknown_scale():
    with pytest.raises(LSTMInputError, match=r"Panel: argument 'scale' should be 'linear' or 'log', but got 'loud'"):
        explorers.Panel(("c",), scale="loud")


def test_plain_label_names_what_it_refuses():
    assert plots.plain_label("f") == "forget gate f_t"
    for bad in ("g", 3, None):
        with pytest.raises(LSTMInputError, match=r"plain_label: argument 'name' should be one of"):
            plots.plain_label(bad)


def test_the_variant_diagrams_draw_each_variant_and_refuse_others():
    import matplotlib.pyplot as plt

    from lstm_book.teaching.figures import VARIANT_DIAGRAMS, draw_unrolled_backward, draw_variant

    for name in VARIANT_DIAGRAMS:
        fig = draw_variant(name)
        assert any(VARIANT_DIAGRAMS[name] == t.get_text() for t in fig.axes[0].texts)
        plt.close(fig)
    plt.close(draw_unrolled_backward())
    for bad in ("lstm", "GRU", None, 3):
        with pytest.raises(LSTMInputError, match="draw_variant: argument 'name' should be one of"):
            draw_variant(bad)
    with pytest.raises(LSTMInputError, match="draw_variant: argument 'ax' should be a matplotlib Axes"):
        draw_variant("gru", ax="axes")
