"""Chapter 13's model module `lstm_book.units` (features of a text, correlations, the two controls, the gates'
saturation, the ranking of units for the unit picker) against numbers worked by hand and numpy's own
correlation; and the chapter's three checkers against the wrong answers they must reject."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_book.charlm import charlm_forward, init_charlm
from lstm_book.text import RARE, Vocabulary
from lstm_book.units import (FEATURES, PARTS, UnitMeasures, character_control, correlations, gate_saturation,
                             measure_units, rank_units, text_features, unit_values)
from lstm_book.teaching.checkers import check_binary_correlation, check_chars_to_line_end, check_mean_gate_slope
from lstm_book.teaching.checkers.part4_units import binary_correlation, chars_to_line_end, mean_gate_slope

TEXT = 'ab\n\n    x = f(a, "b(")  # c(\n  """doc (\n  """ y\n'


def test_features_of_a_text_worked_by_hand():
    f = text_features(TEXT)
    assert list(f) == list(FEATURES) and all(v.shape == (len(TEXT),) and v.dtype == np.float64 for v in f.values())
    line = TEXT.index("x")                                   # '    x = f(a, "b(")  # c(' starts 4 before
    assert f["column"][:4].tolist() == [1, 2, 0, 0] and f["column"][line] == 5
    assert f["indentation"][line - 4:line + 2].tolist() == [1, 2, 3, 4, 4, 4]
    call = TEXT.index("(")
    assert f["bracket depth"][call - 1:call + 9].tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0]   # "b(" does not count
    quote = TEXT.index('"')
    assert f["inside a string"][quote - 1:quote + 4].tolist() == [0, 1, 1, 1, 0]   # open: in; close: out
    hash_ = TEXT.index("#")
    assert f["inside a comment"][hash_ - 1:hash_ + 5].tolist() == [0, 1, 1, 1, 1, 0]
    doc = TEXT.index('"""')
    assert f["inside a docstring"][doc:doc + 3].tolist() == [1, 1, 1]
    end = TEXT.rindex('"""')
    assert f["inside a docstring"][end:end + 3].tolist() == [1, 1, 0]
    assert np.array_equal(f["prose"], np.maximum(f["inside a docstring"], f["inside a comment"]))
    assert f["bracket depth"][hash_:].max() == 0             # brackets in comments and docstrings do not count


def test_escapes_stray_closers_and_unclosed_strings():
    f = text_features("'a\\'b' ) (\n'open\nx")
    assert f["inside a string"][:6].tolist() == [1, 1, 1, 1, 1, 0]
    assert f["bracket depth"][:10].tolist() == [0] * 9 + [1]
    assert f["inside a string"][-1] == 0 and f["bracket depth"][-1] == 1


def test_correlations_agree_with_numpy():
    rng = np.random.default_rng(0)
    values, features = rng.normal(size=(50, 4)), rng.normal(size=(50, 3))
    values[:, 2] += 2 * features[:, 1]
    expected = np.corrcoef(features.T, values.T)[:3, 3:]
    assert np.allclose(correlations(values, features), expected, atol=1e-12)
    assert np.allclose(correlations(values, features[:, 0]), expected[0], atol=1e-12)
    values[:, 3] = 7.0                                        # a unit that does not vary: r = 0, no warning
    with np.errstate(all="raise"):
        assert correlations(values, features)[:, 3].tolist() == [0.0, 0.0, 0.0]
        assert correlations(values, np.ones(50)).tolist() == [0.0] * 4


def test_the_character_control_is_the_best_any_function_of_the_character_reaches():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 6, 400)
    feature = ids % 3 + rng.normal(0, 1.0, 400)
    eta = character_control(ids, feature)
    means = np.array([feature[ids == k].mean() for k in range(6)])
    assert np.isclose(eta, np.corrcoef(means[ids], feature)[0, 1])            # the per-character mean reaches it
    for _ in range(200):                                                        # ... and nothing beats it
        g = rng.normal(size=6)
        assert abs(np.corrcoef(g[ids], feature)[0, 1]) <= eta + 1e-12
    assert np.isclose(character_control(ids, (ids == 2).astype(float)), 1.0)  # a function of the character: 1
    assert character_control(ids, np.full(400, 3.0)) == 0.0


def test_gate_saturation_counts_the_shares():
    assert gate_saturation(np.array([0.05, 0.5, 0.95, 0.99])) == (0.25, 0.5)
    assert gate_saturation(np.array([0.2, 0.5]), low=0.3, high=0.4) == (0.5, 0.5)


def test_unit_values_are_the_forward_pass_read_as_one_stream():
    params = init_charlm(5, 3, seed=2)
    ids = np.random.default_rng(3).integers(0, 5, 300)
    values = unit_values(params, ids)
    trace = charlm_forward(params, ids[:, None])[1]
    assert list(values) == list(PARTS)
    for part in PARTS:
        assert np.array_equal(values[part], getattr(trace, part)[:, 0])
    long = np.random.default_rng(4).integers(0, 5, 9000)     # 4 streams of 2,250: each piece from zeros
    values = unit_values(params, long)["c"]
    piece = charlm_forward(params, long[2250:4500, None])[1].c[:, 0]
    assert values.shape == (9000, 3) and np.allclose(values[2250:4500], piece, atol=1e-6)


def _measures(r_chosen, r_reported, untrained, character):
    shape = (len(FEATURES), 2)
    chosen = {p: np.zeros(shape) for p in PARTS}
    reported = {p: np.zeros(shape) for p in PARTS}
    for (part, k, unit), r in r_chosen.items():
        chosen[part][k, unit] = r
    for (part, k, unit), r in r_reported.items():
        reported[part][k, unit] = r
    return UnitMeasures(chosen, reported, np.full(len(FEATURES), untrained), np.full(len(FEATURES), character))


def test_rank_units_keeps_only_units_that_beat_both_controls_by_the_margin():
    measures = _measures({("c", 2, 0): 0.8, ("c", 0, 0): 0.3, ("h", 7, 1): -0.9, ("f", 4, 0): 0.5},
                         {("c", 2, 0): 0.55, ("c", 0, 0): 0.9, ("h", 7, 1): -0.7, ("f", 4, 0): 0.39},
                         untrained=0.3, character=0.2)
    ranked = rank_units(measures, margin=0.1)
    # c0 is chosen for bracket depth (0.8 on the choice text), not for column (0.9 only on the report text);
    # f0 misses the bar 0.3 + 0.1 by 0.01
    assert ranked == [{"part": "h", "unit": 1, "label": FEATURES[7], "r": -0.7},
                      {"part": "c", "unit": 0, "label": FEATURES[2], "r": 0.55}]
    assert [row["part"] for row in rank_units(measures, margin=0.0)] == ["h", "c", "f"]
    assert rank_units(measures, margin=0.5) == []


def test_measure_units_on_a_small_network():
    vocab = Vocabulary(RARE + "ab()\n ")
    params, untrained = init_charlm(vocab.size, 4, seed=0), init_charlm(vocab.size, 4, seed=1)
    text = "a(b)\n  ab (a\n b)\n" * 20
    m = measure_units(params, untrained, vocab, text, text[5:])
    assert set(m.chosen) == set(PARTS) and m.chosen["c"].shape == (len(FEATURES), 4)
    assert m.untrained.shape == m.character.shape == (len(FEATURES),)
    assert np.all(m.untrained <= 1) and np.all(m.character <= 1 + 1e-12)
    assert np.allclose(m.reported["c"][2], correlations(unit_values(params, vocab.encode(text[5:]))["c"],
                                                         text_features(text[5:])["bracket depth"]))
    for row in rank_units(m, margin=0.0):
        assert set(row) == {"part", "unit", "label", "r"} and row["label"] in FEATURES


# ------------------------------------------------------------------ the figures of chapter 13

def test_the_figures_draw_and_refuse_what_they_cannot_draw():
    import matplotlib.pyplot as plt

    from lstm_book.teaching.figures import draw_gate_saturation, draw_text_by_units, unit_colours
    from lstm_book.validation import LSTMInputError

    colours = unit_colours(np.array([-2.0, 0.0, 1.0]))
    assert colours.shape == (3, 4) and np.allclose(colours[1, :3], 1.0, atol=0.01)       # 0 is white
    assert colours[0, 2] > colours[0, 0] and colours[2, 0] > colours[2, 2]       # below 0 blue, above 0 red
    text = "ab\n c"
    fig = draw_text_by_units(text, [("one", np.arange(5.0)), ("two", -np.arange(5.0))])
    assert len(fig.axes) == 2 and len(fig.axes[0].patches) == 5                  # four characters and a line break
    plt.close(fig)
    gates = {g: np.full((4, 2), 0.5) for g in "jfo"}
    plt.close(draw_gate_saturation(gates, gates))
    for bad in (lambda: unit_colours(np.array([np.nan])), lambda: unit_colours([]),
                lambda: draw_text_by_units("", []), lambda: draw_text_by_units(text, [("one", np.ones(4))]),
                lambda: draw_gate_saturation({}, gates), lambda: draw_gate_saturation(gates, {"j": gates["j"]})):
        with pytest.raises(LSTMInputError):
            bad()


# ------------------------------------------------------------------ the checkers of chapter 13

def _rejected(feedback, fragment):
    assert not feedback.correct and fragment in feedback.message, feedback.message


def test_chars_to_line_end_checker():
    assert chars_to_line_end("ab\ncd e\n").tolist() == [1, 0, 4, 3, 2, 1, 0, 0]
    assert check_chars_to_line_end(chars_to_line_end).correct

    def answer(text):
        ends = np.array([t for t, ch in enumerate(text) if ch == "\n"] + [len(text)])
        t = np.arange(len(text))
        return (ends[np.searchsorted(ends, t, side="right")] - t - 1).astype(float)

    assert check_chars_to_line_end(answer).correct
    _rejected(check_chars_to_line_end(lambda text: chars_to_line_end(text) + 1), "includes the line break")
    _rejected(check_chars_to_line_end(lambda text: text_features(text)["column"]), "That is the column")
    _rejected(check_chars_to_line_end(
        lambda text: np.where(np.array(list(text)) == "\n", 0, chars_to_line_end(text))), "At a line break")


def test_binary_correlation_checker():
    def answer(values, inside):
        return correlations(values, inside.astype(float))

    assert check_binary_correlation(answer).correct and check_binary_correlation(binary_correlation).correct
    _rejected(check_binary_correlation(
        lambda v, b: (v[b].mean(0) - v[~b].mean(0)) / v.std(0)), "sqrt(p (1 - p))")
    _rejected(check_binary_correlation(lambda v, b: -answer(v, b)), "wrong sign")
    _rejected(check_binary_correlation(
        lambda v, b: answer(v, b) * v.std(0) / v.std(0, ddof=1)), "ddof=1")
    _rejected(check_binary_correlation(
        lambda v, b: answer(v, b) * np.sqrt(b.mean() * (1 - b.mean()))), "square root")


def test_mean_gate_slope_checker():
    assert check_mean_gate_slope(lambda g: (g - g ** 2).sum(axis=0) / len(g)).correct
    assert np.isclose(mean_gate_slope(np.array([[0.5], [0.9]]))[0], (0.25 + 0.09) / 2)
    _rejected(check_mean_gate_slope(lambda g: np.mean(1 - g ** 2, axis=0)), "derivative of tanh")
    _rejected(check_mean_gate_slope(lambda g: np.mean(g * (1 - g), axis=1)), "axis 0")
    _rejected(check_mean_gate_slope(lambda g: np.mean(g * (1 - g), axis=0) * 4), "")


@pytest.mark.parametrize("checker", [check_chars_to_line_end, check_binary_correlation, check_mean_gate_slope])
def test_the_unwritten_answer_is_told_so(checker):
    def unwritten(*args):
        raise NotImplementedError

    _rejected(checker(unwritten), "not written yet")
