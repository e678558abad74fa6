"""Every public callable of the model, called as a hostile caller would: one argument spoiled at a time.

    python tools/hostile_inputs.py            # a table: each public callable, how many bad inputs it refused
    python tools/hostile_inputs.py --part 2   # only what Parts II and III added (--part 2 or --part 3)

For each public callable of every module of the model (`lstm_book/*.py`: functions, classes, and the public
methods of classes) there is one valid call below. Each argument is then replaced, one at a time, by each value of
a catalogue of bad inputs (None, a string, a bool, NaN, infinity, a complex number, a float16 array, an array with
an axis too many or an entry too few, an empty array, a ragged list, ...). A bad input is REFUSED when the call
raises `LSTMInputError` whose message names that argument (``'xs'``, ``params['W_xh']``, ``trace.h``, ...). Anything
else is a failure: a silent acceptance (the call returned), a bare numpy or Python error, a RuntimeWarning. Some
arguments legitimately accept some of these values (None for h0 means zeros); `ACCEPTS` lists them.

`tests/test_public_surface.py` runs this sweep in CI, requires every public callable to be in it (or in `RECORDS`,
with the reason), and proves it can fail on deliberately unchecked versions.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lstm_book  # noqa: E402
from lstm_book import LSTMInputError  # noqa: E402

#: Record types: they hold what the package computed and check nothing themselves; every function that receives
#: one checks it (lstm_step_backward checks its Step, lstm_backward its Trace, train its Task, ...).
RECORDS = {
    "backward.StepGradients": "a record of what lstm_step_backward returned",
    "backward.Gradients": "a record of what lstm_backward returned",
    "backward.ErrorSignal": "a record of what error_signal returned",
    "cell.Step": "a record of one step; lstm_step_backward checks the one it is given",
    "cell.Trace": "a record of a forward pass; lstm_backward and error_signal check the one they are given",
    "gradients.GradientCheck": "a record of what gradient_check returned",
    "memory_tasks.Batch": "a record of a batch a task made; evaluate and Task.correct check the one they get",
    "memory_tasks.Task": "a record made by the task functions (storage, adding, ...), which check their arguments",
    "rnn.RNNGradients": "a record of what rnn_backward returned",
    "tasks.RunningExample": "a record of what running_example returned",
    "train.TrainResult": "a record of what train returned",
    "variants.Variant": "a record: the fixed table VARIANTS; the functions check a variant's name",
    "variants.VariantTrace": "a record of a forward pass; the backward passes check the one they are given",
    "validation.LSTMInputError": "the error itself",
    "text.Corpus": "a record of what load_corpus returned",
    "charlm.LossAndGradients": "a record of what charlm_loss returned",
    "charlm.CharLMRun": "a record of what train_charlm returned",
    "units.UnitMeasures": "a record of what measure_units returned; rank_units checks the one it is given",
    "charlm.RNNTrace": "a record of the plain RNN's states over a chunk, made by charlm_forward",
    "lookback.InputGradients": "a record of what input_gradients returned",
    "validation.shapes": "a decorator applied when the package is imported; its specs are the package's own",
    "validation.unchecked": "returns the body of a function, for the model's own callers; no input to check",
}

#: Label arguments of the checking helpers (validation, params): the calling function's name and the argument's
#: name, written by the package itself, not data that comes from a caller. These helpers name the argument by the
#: label they are given (``arg="a"``), not by their own parameter's name.
LABELS = {"func", "arg", "name", "why", "kind"}
LABELLED = ("validation.", "params.as_params")

#: Any real number is a valid value of these (a weight, a bias, a height, a seed, a bound with no upper limit).
_ANY_NUMBER = {"zero", "negative", "huge"}


def public_callables() -> dict[str, Callable]:
    """Every public callable defined in a model module, by "module.name" ("module.Class.method" for methods)."""
    found = {}
    for info in sorted(pkgutil.iter_modules(lstm_book.__path__), key=lambda m: m.name):
        if info.ispkg:
            continue
        module = importlib.import_module(f"lstm_book.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not callable(value) or getattr(value, "__module__", None) != module.__name__:
                continue
            found[f"{info.name}.{name}"] = value
            if inspect.isclass(value):
                for method, function in vars(value).items():
                    if not method.startswith("_") and inspect.isfunction(function):
                        found[f"{info.name}.{name}.{method}"] = function
    return found


def valid_calls() -> dict[str, tuple[Callable, dict]]:
    """One valid call of each public callable: name -> (callable, keyword arguments)."""
    from lstm_book import adam, backward, cell, equations, fast, gradients, losses, memory_tasks, params, rnn
    from lstm_book import tasks, train, validation, variants

    p = cell.init_params(2, 3, seed=1)
    x, h, c = np.full(2, 0.5), np.full(3, -0.25), np.full(3, 0.75)
    xs = np.random.default_rng(0).normal(size=(4, 2))
    trace = fast.lstm_forward(xs, p)
    step = cell.lstm_step(x, h, c, p)
    dh = np.ones((4, 3))
    gate = lambda g, f: (f, dict(x_t=x, h_prev=h, **{f"W_x{g}": p.W_xo, f"W_h{g}": p.W_ho, f"b_{g}": p.b_o}))  # noqa: E731
    back = lambda g, f: (f, {f"d{g}_t": h, f"{g}_t": np.full(3, 0.5), "x_t": x, "h_prev": h,  # noqa: E731
                              f"W_x{g}": p.W_xo, f"W_h{g}": p.W_ho})
    rp = rnn.init_rnn_params(2, 3, seed=2)
    hs = rnn.rnn_forward(xs, rp)
    vp = variants.init_variant("peepholes", 2, 3, seed=3)
    vtrace = variants.variant_forward(xs, vp, "peepholes")
    gp = variants.init_variant("gru", 2, 3, seed=4)
    gtrace = variants.gru_forward(xs, gp)
    task = memory_tasks.anbn(1, 3)
    batch = task.sample(2, 0)
    net = train.init_network("lstm", 3, 2, 3, seed=0)
    outputs, ntrace = train.network_forward(net, batch.x, "lstm")
    logits = np.random.default_rng(1).normal(size=(3, 2, 4))
    labels = np.array([[0, 1], [2, 3], [1, 1]])
    mask = np.array([[True, False], [True, True], [False, True]])
    reg = np.random.default_rng(2).normal(size=(3, 2, 4))
    optimiser = adam.Adam(0.01)
    from lstm_book import charlm, lookback, text, units
    vocab = text.Vocabulary(text.RARE + "ab\n")
    ids = vocab.encode("ab\nab\nba\nbba\n")
    lm, lm0, zeros = charlm.init_charlm(4, 3, seed=0), charlm.init_charlm(4, 3, seed=1), np.zeros((2, 3))
    chunk, nxt = text.streams(ids, 2)
    return {
        "text.Vocabulary": (text.Vocabulary, dict(chars=text.RARE + "ab")),
        "units.text_features": (units.text_features, dict(text="f(a, 'b')  # c\n    ab\n")),
        "units.unit_values": (units.unit_values, dict(params=lm, ids=ids)),
        "units.correlations": (units.correlations, dict(values=np.arange(8.0).reshape(4, 2) ** 2,
                                                        features=np.array([0.0, 1.0, 0.0, 2.0]))),
        "units.character_control": (units.character_control, dict(ids=ids, feature=np.arange(len(ids)) % 3.0)),
        "units.gate_saturation": (units.gate_saturation, dict(values=np.linspace(0.0, 1.0, 7), low=0.2, high=0.8)),
        "units.measure_units": (units.measure_units, dict(params=lm, untrained=lm0, vocabulary=vocab,
                                                          choose_on="a(b)\n  ab\n", report_on="(ab)\n ba\n")),
        "units.rank_units": (units.rank_units, dict(measures=units.measure_units(lm, lm0, vocab, "a(b)\n  ab\n",
                                                                                  "(ab)\n ba\n"), margin=0.05)),
        "text.Vocabulary.encode": (vocab.encode, dict(text="abba")),
        "text.Vocabulary.decode": (vocab.decode, dict(ids=np.array([1, 2, 0]))),
        "text.build_vocabulary": (text.build_vocabulary, dict(text="abcab", min_count=2)),
        "text.load_corpus": (text.load_corpus, dict(min_count=50)),
        "text.streams": (text.streams, dict(ids=ids, batch_size=2)),
        "text.count_model": (text.count_model, dict(ids=ids, vocab_size=4, order=2)),
        "text.count_model_bits": (text.count_model_bits, dict(model=text.count_model(ids, 4, 2), inputs=chunk,
                                                              targets=nxt)),
        "charlm.init_charlm": (charlm.init_charlm, dict(vocab_size=4, hidden_size=3, seed=0, cell="lstm")),
        "charlm.charlm_forward": (charlm.charlm_forward, dict(params=lm, inputs=chunk, h0=zeros, c0=zeros)),
        "charlm.softmax": (charlm.softmax, dict(logits=np.ones((2, 4)), temperature=0.5)),
        "charlm.charlm_loss": (charlm.charlm_loss, dict(params=lm, inputs=chunk, targets=nxt, h0=zeros, c0=zeros)),
        "charlm.evaluate_bits": (charlm.evaluate_bits, dict(params=lm, inputs=chunk, targets=nxt, seq_len=3)),
        "charlm.mulberry32": (charlm.mulberry32, dict(seed=7, n=3)),
        "charlm.sample": (charlm.sample, dict(params=lm, vocabulary=vocab, length=5, temperature=0.8, seed=1, prompt="a")),
        "charlm.train_charlm": (charlm.train_charlm, dict(train_ids=ids, validation_ids=ids, vocab_size=4,
                                                          hidden_size=3, batch_size=2, seq_len=3, updates=2,
                                                          learning_rate=0.01, clip=1.0, seed=0, eval_every=1,
                                                          checkpoints=[1], progress=False, cell="lstm")),
        "lookback.input_gradients": (lookback.input_gradients, dict(params=lm, inputs=chunk, targets=nxt[-1],
                                                                    h0=zeros, c0=zeros)),
        "equations.sigmoid": (equations.sigmoid, dict(z=np.linspace(-3, 3, 4))),
        "equations.tanh": (equations.tanh, dict(z=np.linspace(-3, 3, 4))),
        "equations.hidden_state": (equations.hidden_state, dict(c_t=c, o_t=np.full(3, 0.5))),
        "equations.cell_state": (equations.cell_state, dict(c_prev=c, f_t=np.full(3, 0.5), i_t=np.full(3, 0.1),
                                                            j_t=np.full(3, 0.9))),
        "equations.output_gate": gate("o", equations.output_gate),
        "equations.forget_gate": gate("f", equations.forget_gate),
        "equations.input_gate": gate("j", equations.input_gate),
        "equations.input_state": gate("i", equations.input_state),
        "params.Params": (params.Params, dict(arrays=dict(rp), layout=rnn.RNNParams.LAYOUT)),
        "params.Params.as_dict": (rp.as_dict, {}),
        "params.Params.replace": (rp.replace, dict(b_h=np.ones(3))),
        "params.as_params": (params.as_params, dict(value=dict(rp), layout=rnn.RNNParams.LAYOUT, func="f", arg="a")),
        "cell.LSTMParams": (cell.LSTMParams, dict(p)),
        "cell.LSTMParams.part": (p.part, dict(g="f")),
        "cell.init_params": (cell.init_params, dict(input_size=2, hidden_size=3, forget_bias=1.0, seed=0,
                                                    dtype=np.float64)),
        "cell.scalar_params": (cell.scalar_params, dict(w_xi=2.0, b_f=1.0)),
        "cell.lstm_step": (cell.lstm_step, dict(x_t=x, h_prev=h, c_prev=c, params=p)),
        "tasks.running_example": (tasks.running_example, dict(T=30, pulse=5, pulse_height=1.0, distraction=0.3,
                                                              reset=-1.0)),
        "tasks.running_example_params": (tasks.running_example_params, dict(b_f=2.0, w_xf=3.0)),
        "fast.stack_params": (fast.stack_params, dict(params=p)),
        "fast.unstack": (fast.unstack, dict(stacked=np.ones((12, 2)), kind="W_x")),
        "fast.lstm_forward": (fast.lstm_forward, dict(xs=xs, params=p, h0=h, c0=c)),
        "backward.hidden_state_backward": (backward.hidden_state_backward, dict(dh_t=h, c_t=c, o_t=np.full(3, 0.5))),
        "backward.linear_backward": (backward.linear_backward, dict(dz=h, x_t=x, h_prev=h, W_x=p.W_xo, W_h=p.W_ho)),
        "backward.output_gate_backward": back("o", backward.output_gate_backward),
        "backward.forget_gate_backward": back("f", backward.forget_gate_backward),
        "backward.input_gate_backward": back("j", backward.input_gate_backward),
        "backward.input_state_backward": back("i", backward.input_state_backward),
        "backward.cell_state_backward": (backward.cell_state_backward, dict(dc_t=h, c_prev=c, f_t=np.full(3, 0.5),
                                                                            i_t=np.full(3, 0.1), j_t=np.full(3, 0.9))),
        "backward.lstm_step_backward": (backward.lstm_step_backward, dict(dh_t=h, dc_next=c, x_t=x, h_prev=h,
                                                                          c_prev=c, step=step, params=p)),
        "backward.StepGradients.params": (None, {}),
        "backward.Gradients.params": (None, {}),
        "backward.lstm_backward": (backward.lstm_backward, dict(xs=xs, params=p, trace=trace, dh=dh)),
        "backward.error_signal": (backward.error_signal, dict(xs=xs, params=p, trace=trace, dh=dh)),
        "gradients.gradient_check": (gradients.gradient_check, dict(
            loss=lambda a: float(np.sum(a ** 2)), inputs={"a": np.ones(2)}, grads={"a": np.full(2, 2.0)},
            eps=1e-6, tolerance=1e-6, dtype=np.float64)),
        "gradients.clip_by_global_norm": (gradients.clip_by_global_norm, dict(grads={"a": np.ones(2)}, max_norm=1.0)),
        "rnn.RNNParams": (rnn.RNNParams, dict(rp)),
        "rnn.init_rnn_params": (rnn.init_rnn_params, dict(input_size=2, hidden_size=3, seed=0, dtype=np.float64)),
        "rnn.rnn_forward": (rnn.rnn_forward, dict(xs=xs, params=rp, h0=h)),
        "rnn.rnn_backward": (rnn.rnn_backward, dict(xs=xs, params=rp, hs=hs, dh=dh)),
        "rnn.rnn_error_signal": (rnn.rnn_error_signal, dict(xs=xs, params=rp, hs=hs, dh=dh)),
        "variants.init_variant": (variants.init_variant, dict(variant="peepholes", input_size=2, hidden_size=3,
                                                               seed=0, forget_bias=1.0, dtype=np.float64)),
        "variants.variant_forward": (variants.variant_forward, dict(xs=xs, params=vp, variant="peepholes", h0=h,
                                                                     c0=c)),
        "variants.lstm_family_forward": (variants.lstm_family_forward, dict(xs=xs, params=vp, variant="peepholes",
                                                                             h0=h, c0=c)),
        "variants.variant_backward": (variants.variant_backward, dict(xs=xs, params=vp, variant="peepholes",
                                                                       trace=vtrace, dh=dh)),
        "variants.lstm_family_backward": (variants.lstm_family_backward, dict(xs=xs, params=vp, variant="peepholes",
                                                                               trace=vtrace, dh=dh)),
        "variants.gru_forward": (variants.gru_forward, dict(xs=xs, params=gp, h0=h)),
        "variants.gru_backward": (variants.gru_backward, dict(xs=xs, params=gp, trace=gtrace, dh=dh)),
        "memory_tasks.Task.sample": (task.sample, dict(batch_size=2, seed=0)),
        "memory_tasks.Task.correct": (task.correct, dict(outputs=outputs, batch=batch)),
        "memory_tasks.Task.accuracy": (task.accuracy, dict(outputs=outputs, batch=batch)),
        "memory_tasks.storage": (memory_tasks.storage, dict(T=20, distraction_rate=0.2)),
        "memory_tasks.temporal_order": (memory_tasks.temporal_order, dict(T=30)),
        "memory_tasks.adding": (memory_tasks.adding, dict(T=30)),
        "memory_tasks.anbn_batch": (memory_tasks.anbn_batch, dict(ns=[1, 3])),
        "memory_tasks.anbn": (memory_tasks.anbn, dict(n_min=1, n_max=4)),
        "memory_tasks.reset_stream": (memory_tasks.reset_stream, dict(T=20, event_rate=0.1, tolerance=0.1)),
        "losses.readout": (losses.readout, dict(h=np.ones((3, 2, 3)), W_y=np.ones((4, 3)), b_y=np.zeros(4))),
        "losses.readout_backward": (losses.readout_backward, dict(h=np.ones((3, 2, 3)), W_y=np.ones((4, 3)),
                                                                  dy=np.ones((3, 2, 4)))),
        "losses.cross_entropy": (losses.cross_entropy, dict(logits=logits, labels=labels, mask=mask)),
        "losses.squared_error": (losses.squared_error, dict(outputs=reg, targets=reg * 0.5, mask=mask)),
        "adam.Adam": (adam.Adam, dict(learning_rate=0.01, beta1=0.9, beta2=0.999, eps=1e-8)),
        "adam.Adam.step": (optimiser.step, dict(params={"w": np.ones(2)}, grads={"w": np.full(2, 0.5)})),
        "train.network_layout": (train.network_layout, dict(cell="gru")),
        "train.init_network": (train.init_network, dict(cell="lstm", input_size=3, hidden_size=2, output_size=3,
                                                        seed=0, forget_bias=1.0)),
        "train.network_forward": (train.network_forward, dict(params=net, xs=batch.x, cell="lstm")),
        "train.network_backward": (train.network_backward, dict(params=net, xs=batch.x, cell="lstm", trace=ntrace,
                                                                doutputs=np.ones_like(outputs))),
        "train.evaluate": (train.evaluate, dict(params=net, cell="lstm", task=task, batch=batch)),
        "train.train_step": (train.train_step, dict(params=net, adam=adam.Adam(0.01), batch=batch, cell="lstm",
                                                    clip=1.0, loss="cross_entropy")),
        "train.train": (train.train, dict(task=task, cell="lstm", hidden_size=2, steps=2, learning_rate=0.01,
                                          batch_size=2, clip=1.0, seed=0, eval_every=1, eval_size=2,
                                          progress=False)),
        "validation.as_float_array": (validation.as_float_array, dict(value=np.ones(2), func="f", arg="a")),
        "validation.check_number": (validation.check_number, dict(value=1.5, func="f", arg="a")),
        "validation.check_integer": (validation.check_integer, dict(value=3, func="f", arg="a")),
        "validation.check_float_dtype": (validation.check_float_dtype, dict(value=np.float32, func="f", arg="a")),
        "validation.check_finite": (validation.check_finite, dict(array=np.ones(2), func="f", arg="a")),
        "validation.check_shapes": (validation.check_shapes, dict(func="f", arrays={"a": np.ones((2, 3))},
                                                                  specs={"a": "H D"})),
        "validation.no_overflow": (None, {}),
        "validation.labelled": (validation.labelled, dict(params=p)),
    }


#: Values a few arguments legitimately accept from the catalogue: (callable, argument) -> kinds of bad input.
ACCEPTS = {
    **{(f, a): {"None"} for f in ("fast.lstm_forward", "rnn.rnn_forward", "variants.variant_forward",
                                  "variants.lstm_family_forward", "variants.gru_forward") for a in ("h0", "c0")},
    ("backward.lstm_step_backward", "dc_next"): {"None"}, ("backward.lstm_step_backward", "dh_t"): {"None"},
    ("cell.lstm_step", "h_prev"): {"None"}, ("cell.lstm_step", "c_prev"): {"None"},
    ("backward.lstm_step_backward", "h_prev"): {"None"}, ("backward.lstm_step_backward", "c_prev"): {"None"},
    ("cell.init_params", "forget_bias"): _ANY_NUMBER,
    ("variants.init_variant", "forget_bias"): {"None"} | _ANY_NUMBER,
    ("train.init_network", "forget_bias"): {"None"} | _ANY_NUMBER,
    ("train.train", "clip"): {"None", "huge"}, ("train.train_step", "clip"): {"None", "huge"}, ("train.train", "learning_rate"): {"huge"},
    ("train.train", "progress"): {"bool"},
    ("charlm.train_charlm", "progress"): {"bool"},
    **{("charlm.train_charlm", a): {"huge"} for a in ("learning_rate", "clip")},
    ("charlm.sample", "length"): {"zero"}, ("charlm.sample", "prompt"): {"string"},
    ("text.Vocabulary.encode", "text"): {"string"},
    ("charlm.softmax", "logits"): {"an axis too many", "an entry too few"},  # any shape: the last axis
    ("text.count_model", "order"): {"zero"},
    ("units.correlations", "values"): {"an entry too few"},   # any number of units H
    ("units.rank_units", "margin"): {"zero"},
    ("units.gate_saturation", "values"): {"zero", "an axis too many", "an entry too few"},   # any shape in [0, 1]
    **{(f, a): {"string"} for f, a in (("units.text_features", "text"), ("units.measure_units", "choose_on"),
                                       ("units.measure_units", "report_on"))},
    **{(f, a): {"None"} for f in ("charlm.charlm_forward", "charlm.charlm_loss", "lookback.input_gradients")
       for a in ("h0", "c0")},
    **{(f, "seed"): {"zero", "huge"} for f in ("train.train", "cell.init_params", "rnn.init_rnn_params",
                                               "variants.init_variant", "train.init_network",
                                               "memory_tasks.Task.sample", "charlm.init_charlm",
                                               "charlm.train_charlm")},
    ("charlm.sample", "seed"): {"zero"}, ("charlm.mulberry32", "seed"): {"zero"}, ("charlm.mulberry32", "n"): {"zero"},
    ("memory_tasks.storage", "distraction_rate"): {"zero"},
    **{("tasks.running_example", a): _ANY_NUMBER for a in ("pulse_height", "distraction", "reset")},
    **{(f, a): _ANY_NUMBER for f in ("tasks.running_example_params", "cell.scalar_params")
       for a in ("b_f", "w_xf", "w_xi")},
    ("gradients.clip_by_global_norm", "max_norm"): {"huge"}, ("adam.Adam", "learning_rate"): {"huge"},
    ("adam.Adam", "beta1"): {"zero"},
    # the activations take any array of real numbers, of any shape
    **{(f, "z"): _ANY_NUMBER | {"an axis too many", "an entry too few", "empty"}
       for f in ("equations.sigmoid", "equations.tanh")},
    ("fast.unstack", "stacked"): {"an entry too few"},        # (12, 1): still 4H = 12 rows
    ("rnn.RNNParams", "W_xh"): {"an entry too few"},          # (3, 1): an RNN with one input
    # the checking helpers check one thing each: the dtype, a number, an integer, finiteness
    ("validation.as_float_array", "value"): _ANY_NUMBER | {"nan", "inf", "NaN inside", "infinity inside",
                                                             "an axis too many", "an entry too few", "empty"},
    ("validation.check_number", "value"): _ANY_NUMBER, ("validation.check_integer", "value"): {"zero", "huge"},
    ("validation.check_finite", "array"): _ANY_NUMBER | {"bool", "complex", "float16", "an axis too many",
                                                          "an entry too few", "empty"},
}


def bad_values(valid) -> dict[str, object]:
    """The catalogue of bad inputs, some derived from the valid value (its shape)."""
    bad = {"None": None, "string": "abc", "bool": True, "complex": 1 + 2j, "object": object(), "nan": float("nan"),
           "inf": float("inf"), "zero": 0, "negative": -1, "huge": 10 ** 12, "ragged": [[1.0], [1.0, 2.0]],
           "list of strings": ["a", "b"]}
    if isinstance(valid, np.ndarray) and valid.dtype.kind == "f" and valid.size:
        bad.update({
            "NaN inside": np.where(np.arange(valid.size).reshape(valid.shape) == valid.size - 1, np.nan, valid),
            "infinity inside": np.full(valid.shape, np.inf),
            "float16": valid.astype(np.float16),
            "an axis too many": valid[None].repeat(2, axis=0),
            "an entry too few": valid[..., :-1] if valid.shape[-1] > 1 else np.concatenate([valid, valid], -1),
            "empty": np.zeros((0,) * valid.ndim),
        })
    return bad


def _names_the_argument(message: str, arg: str) -> bool:
    return any(f"{q}{arg}{e}" in message for q in ("'", " ", "(") for e in ("'", "[", ".", " ", ")", ","))


def sweep(name: str, function: Callable, kwargs: dict) -> dict[tuple[str, str], str]:
    """Spoil each argument of one valid call with each bad value. Returns (argument, bad kind) -> outcome:
    "refused", "accepted (allowed)", or what went wrong."""
    outcomes = {}
    labelled = name.startswith(LABELLED)
    for arg, valid in kwargs.items():
        if arg in LABELS and labelled:
            continue
        named = kwargs.get("arg", arg) if labelled and arg in ("value", "array") else arg
        for kind, value in bad_values(valid).items():
            call = {**kwargs, arg: value}
            outcomes[(arg, kind)] = _outcome(name, function, call, named, kind, others=set(kwargs), param=arg)
    return outcomes


def _outcome(name, function, call, arg, kind, others=(), param=None) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")          # a RuntimeWarning (overflow, invalid value) is a failure
            function(**call)
    except LSTMInputError as exc:
        message = str(exc)
        # a shape that no longer matches another argument may be blamed on that other argument
        mismatch = kind in ("an axis too many", "an entry too few") and any(_names_the_argument(message, o)
                                                                             for o in others)
        if not (_names_the_argument(message, arg) or mismatch):
            return f"refused without naming '{arg}': {message[:120]}"
        if "\n" in message.strip():
            return f"a message of several lines: {message[:120]}"
        return "refused"
    except Exception as exc:  # noqa: BLE001  (anything else is what this sweep looks for)
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    if kind in ACCEPTS.get((name, param or arg), set()):
        return "accepted (allowed)"
    return "accepted silently"


def table(part: int | None = None) -> list[tuple[str, int, int, list[str]]]:
    """(callable, refused, tried, problems) for each callable with arguments; part 2 or 3: only those modules."""
    modules = {2: ("fast", "backward", "gradients", "rnn"), 3: ("memory_tasks", "losses", "adam", "train",
                                                                 "variants", "params")}
    rows = []
    for name, (function, kwargs) in valid_calls().items():
        if function is None or not kwargs:
            continue
        if part and name.split(".")[0] not in modules.get(part, ()):
            continue
        outcomes = sweep(name, function, kwargs)
        refused = sum(o in ("refused", "accepted (allowed)") for o in outcomes.values())
        problems = [f"{arg} <- {kind}: {o}" for (arg, kind), o in outcomes.items()
                    if o not in ("refused", "accepted (allowed)")]
        rows.append((name, refused, len(outcomes), problems))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", type=int, choices=(2, 3), help="only the modules of Part II or Part III")
    args = parser.parse_args(argv)
    rows = table(args.part)
    width = max(len(r[0]) for r in rows)
    for name, refused, tried, problems in rows:
        print(f"{name:<{width}}  {refused:>4} of {tried:>4} bad inputs refused")
        for problem in problems:
            print(f"    {problem}")
    total, bad = sum(r[2] for r in rows), sum(len(r[3]) for r in rows)
    print(f"{len(rows)} public callables, {total} bad inputs, {total - bad} refused with a clear error, {bad} not")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
