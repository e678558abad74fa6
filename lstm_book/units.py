"""What the units of a trained language model track (chapter 13): features of a text, one number per character,
and the correlation of every unit with every feature, measured against two controls.

A feature is read *after* the character: the value at position t is what a reader who has read characters 0 … t
knows (after an opening quote we are inside a string; after the closing one, outside). That is all the network's
state h_t, c_t can know at step t.

    text_features(text)           name -> (N,) float64: column, indentation, bracket depth, inside brackets,
                                  inside a string, a docstring, a comment, prose (docstring or comment)
    unit_values(params, ids)      part -> (N, H): the network's c, h and gates at every character
    correlations(values, features)  Pearson's r of each unit's values (N, H) with features (N,) or (N, F)
    character_control(ids, feature)  the best |r| any function of the current character alone can reach
    gate_saturation(values)       the share of values below 0.1 and above 0.9
    measure_units(...)            every unit against every feature on two texts, and the two controls
    rank_units(measures)          the units that beat both controls, best first (also for the live unit picker)

Nothing here trains: the network's values come from `lstm_book.charlm.charlm_forward`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .charlm import LAYOUT, _params, charlm_forward
from .params import as_params
from .text import Vocabulary, _ids
from .validation import LSTMInputError, as_float_array, check_finite, check_number, check_integer

__all__ = ["FEATURES", "PARTS", "text_features", "unit_values", "correlations", "character_control",
           "gate_saturation", "UnitMeasures", "measure_units", "rank_units"]

#: The features, in the order `text_features` returns them.
FEATURES = ("column", "indentation", "bracket depth", "inside brackets", "inside a string", "inside a docstring",
            "inside a comment", "prose")
#: The parts of the cell a unit can be read from: the four gates and states of the six equations.
PARTS = ("c", "h", "i", "j", "f", "o")
CODE, STRING, DOCSTRING, COMMENT = 0, 1, 2, 3        # where a character leaves the reader (`_regions`)


def text_features(text: str) -> dict[str, np.ndarray]:
    """The features of every character of `text` (N characters): name -> (N,) float64, in the order `FEATURES`.

    column: characters since the last line break (0 at the line break itself); indentation: the spaces read so far
    at the start of the current line; bracket depth: how many ( [ { are open, in code; inside brackets: 1 if that
    depth is above 0; inside a string / a docstring / a comment: 1 inside a one-line string ('...' or "..."), a
    triple-quoted string, a comment (# to the end of the line); prose: a docstring or a comment.
    """
    if not isinstance(text, str) or not text:
        raise LSTMInputError(f"text_features: argument 'text' should be a non-empty string, but got {text!r:.60}")
    return _text_features(text)


def _text_features(text: str) -> dict[str, np.ndarray]:
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)    # one number per character
    region = _regions(text)
    depth = _bracket_depth(chars, region)
    column = _column(chars)
    values = {"column": column, "indentation": _indentation(chars, column), "bracket depth": depth,
              "inside brackets": depth > 0, "inside a string": region == STRING,
              "inside a docstring": region == DOCSTRING, "inside a comment": region == COMMENT,
              "prose": (region == DOCSTRING) | (region == COMMENT)}
    return {name: values[name].astype(np.float64) for name in FEATURES}


def _column(chars: np.ndarray) -> np.ndarray:
    """t minus the position of the last line break at or before t (-1 before the first): the characters read on
    the current line, the line break not counted (so 0 at a line break, 1 at a line's first character)."""
    t = np.arange(len(chars))
    return t - np.maximum.accumulate(np.where(chars == ord("\n"), t, -1))


def _indentation(chars: np.ndarray, column: np.ndarray) -> np.ndarray:
    """The spaces read so far at the start of the line: the column, until the line's first other character."""
    t = np.arange(len(chars))
    line_start = np.minimum(t - column + 1, len(chars) - 1)        # the line's first character (clipped at a break)
    other = np.where((chars != ord(" ")) & (chars != ord("\n")), t, len(chars))   # characters that end an indent
    first_other = np.minimum.accumulate(other[::-1])[::-1]          # the next such character at or after t
    ended = first_other[line_start] <= t                            # this line's indentation is over by t
    spaces = np.where(ended, first_other[line_start] - line_start, column)
    return np.where(chars == ord("\n"), 0, spaces)                 # after a line break: a new line, no indent yet


def _regions(text: str) -> np.ndarray:
    """Where the reader is after each character: CODE, STRING, DOCSTRING or COMMENT (a small Python lexer: quotes,
    triple quotes, backslash escapes and # comments; string prefixes such as r or f are read as code)."""
    region = np.zeros(len(text), np.int8)
    state, quote, t = CODE, "", 0
    while t < len(text):
        ch = text[t]
        if state == CODE:
            if ch == "#":
                state = COMMENT
            elif ch in "'\"":
                quote = ch * 3 if text.startswith(ch * 3, t) else ch
                state = DOCSTRING if len(quote) == 3 else STRING
                region[t:t + len(quote)] = state
                t += len(quote)
                continue
        elif state == COMMENT and ch == "\n":
            state = CODE
        elif state in (STRING, DOCSTRING):
            if ch == "\\":                                          # an escape: the next character is in the string
                region[t:t + 2] = state
                t += 2
                continue
            if text.startswith(quote, t):                           # the closing quote(s): out after the last one
                region[t:t + len(quote) - 1] = state
                state = CODE
                t += len(quote)
                continue
            if ch == "\n" and state == STRING:                      # a one-line string cannot go on (unclosed)
                state = CODE
        region[t] = state
        t += 1
    return region


def _bracket_depth(chars: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The number of ( [ { open after each character, counting only brackets in code (never below 0)."""
    code = region == CODE
    opens = code & np.isin(chars, [ord(c) for c in "([{"])
    closes = code & np.isin(chars, [ord(c) for c in ")]}"])
    depth = np.cumsum(opens.astype(np.int64) - closes)
    return depth - np.minimum.accumulate(np.minimum(depth, 0))      # a stray closer does not go below zero


def unit_values(params, ids) -> dict[str, np.ndarray]:
    """The network's parts at every character of one text: ids (N,) -> part -> (N, H) (the params' dtype), for each of
    `PARTS` (c, h and the four gates).

    The text is read as B = N // 2000 (1 to 16) streams side by side, each a contiguous piece read from zeros with
    the state carried to its end: the values of one long pass, except for the first characters of each piece.
    """
    params = _params(params, "unit_values")
    ids = _ids(ids, params.sizes["D"], "unit_values", "ids", ndim=1)
    return _unit_values(params, ids)


def _unit_values(params, ids) -> dict[str, np.ndarray]:
    N = len(ids)
    B = min(16, max(1, N // 2000))                                  # streams of 2,000 characters or more
    L = -(-N // B)                                                  # each stream's length, rounded up
    padded = np.concatenate([ids, np.zeros(B * L - N, ids.dtype)])  # the last stream ends with a few RARE ids
    trace = charlm_forward(params, padded.reshape(B, L).T)[1]       # (L, B, H) each
    return {part: getattr(trace, part).transpose(1, 0, 2).reshape(B * L, -1)[:N] for part in PARTS}


def correlations(values, features) -> np.ndarray:
    """Pearson's r of every unit with every feature: values (N, H), features (N,) or (N, F) -> (H,) or (F, H).
    r = 0 for a unit or a feature that does not vary (nothing to correlate)."""
    values = _check_numbers(values, "correlations", "values")
    features = _check_numbers(features, "correlations", "features")
    if values.ndim != 2 or len(values) < 2:
        raise LSTMInputError(f"correlations: argument 'values' should have shape (N, H) with N >= 2, but got shape "
                             f"{values.shape}")
    if features.ndim not in (1, 2) or len(features) != len(values):
        raise LSTMInputError(f"correlations: argument 'features' should have shape ({len(values)},) or "
                             f"({len(values)}, F), one row per row of 'values', but got shape {features.shape}")
    r = _correlations(values, features.reshape(len(values), -1))
    return r[0] if features.ndim == 1 else r


def _correlations(values, features) -> np.ndarray:
    """values (N, H), features (N, F) -> (F, H): the mean product of the two after each is standardised."""
    return _standardise(features).T @ _standardise(values) / len(values)


def _standardise(x) -> np.ndarray:
    """Each column minus its mean, over its standard deviation; a column that does not vary (beyond rounding)
    becomes zeros."""
    x = x - x.mean(axis=0)
    std = np.sqrt((x * x).mean(axis=0))
    varies = std > np.abs(x).max(axis=0, initial=0.0) * 1e-6        # more than the dtype's rounding
    return x * np.where(varies, 1.0 / np.where(varies, std, 1.0), 0.0).astype(x.dtype)


def character_control(ids, feature) -> float:
    """The best |r| with the feature that any function g of the current character can reach: η, the
    correlation ratio, sqrt(Σ_k n_k (m_k - m)² / Σ_t (feature_t - m)²), with m_k the mean of the feature where
    the character is k and m its overall mean. ids, feature: (N,). 0 for a feature that does not vary."""
    ids = _ids(ids, None, "character_control", "ids", ndim=1)
    feature = _check_numbers(feature, "character_control", "feature")
    if feature.shape != ids.shape:
        raise LSTMInputError(f"character_control: argument 'feature' should have the shape of 'ids', {ids.shape}, "
                             f"but got shape {feature.shape}")
    return _character_control(ids, feature.astype(np.float64))


def _character_control(ids, feature) -> float:
    counts = np.bincount(ids)
    means = np.bincount(ids, weights=feature) / np.maximum(counts, 1)      # m_k, the feature's mean per character
    centred = feature - feature.mean()
    total = centred @ centred
    if total <= (np.abs(feature).max() ** 2) * len(feature) * 1e-24:
        return 0.0
    explained = counts @ (means - feature.mean()) ** 2              # what the character alone accounts for
    return float(np.sqrt(min(explained / total, 1.0)))


def gate_saturation(values, low: float = 0.1, high: float = 0.9) -> tuple[float, float]:
    """The share of a gate's values (any shape, in [0, 1]) below `low` (nearly closed) and above `high`
    (nearly open): (share below, share above)."""
    values = _check_numbers(values, "gate_saturation", "values")
    if values.size == 0 or values.min() < 0 or values.max() > 1:
        raise LSTMInputError("gate_saturation: argument 'values' should be a non-empty array of gate values in "
                             "[0, 1]")
    low = check_number(low, func="gate_saturation", arg="low")
    high = check_number(high, func="gate_saturation", arg="high")
    if not 0 < low < high < 1:
        raise LSTMInputError(f"gate_saturation: arguments 'low' and 'high' should satisfy 0 < low < high < 1, but "
                             f"got low={low!r}, high={high!r}")
    return float(np.mean(values < low)), float(np.mean(values > high))


class UnitMeasures(NamedTuple):
    """What `measure_units` returns, for the features `FEATURES` (F of them) and the parts `PARTS`:

    chosen: part -> (F, H), every unit's r with every feature on the text the units are chosen on;
    reported: part -> (F, H), the same on the text the results are reported on;
    untrained: (F,), the best |r| of any unit of any part of the untrained network, on the report text;
    character: (F,), the best |r| of any function of the current character (`character_control`), same text.
    """

    chosen: dict
    reported: dict
    untrained: np.ndarray
    character: np.ndarray


def measure_units(params, untrained, vocabulary: Vocabulary, choose_on: str, report_on: str) -> UnitMeasures:
    """Every unit's correlation with every feature, and the two controls (see `UnitMeasures`).

    params: the trained language model; untrained: the same architecture before training (`init_charlm` with the
    training's seed); vocabulary: the model's; choose_on, report_on: two texts (validation and test text), each
    read as in `unit_values`.
    """
    params = _params(params, "measure_units")
    untrained = as_params(untrained, LAYOUT, func="measure_units", arg="untrained")
    if dict(untrained.sizes) != dict(params.sizes):
        raise LSTMInputError(f"measure_units: argument 'untrained' should have the sizes of 'params', "
                             f"{dict(params.sizes)}, but got {dict(untrained.sizes)}")
    if not isinstance(vocabulary, Vocabulary) or vocabulary.size != params.sizes["D"]:
        raise LSTMInputError(f"measure_units: argument 'vocabulary' should be the Vocabulary of the model's "
                             f"{params.sizes['D']} characters, but got {vocabulary!r:.60}")
    for name, text in (("choose_on", choose_on), ("report_on", report_on)):
        if not isinstance(text, str) or len(text) < 2:
            raise LSTMInputError(f"measure_units: argument '{name}' should be a string of at least 2 characters, "
                                 f"but got {text!r:.60}")
    return _measure_units(params, untrained, vocabulary, choose_on, report_on)


def _measure_units(params, untrained, vocabulary, choose_on, report_on) -> UnitMeasures:
    def table(network, text, features):    # part -> (F, H): r of every unit with every feature
        values = _unit_values(network, vocabulary.encode(text))
        return {part: _correlations(values[part], features) for part in PARTS}

    choose_features, features = (np.stack(list(_text_features(text).values()), axis=1)
                                 for text in (choose_on, report_on))                     # (N, F) each
    control = table(untrained, report_on, features)
    ids = vocabulary.encode(report_on)
    return UnitMeasures(chosen=table(params, choose_on, choose_features), reported=table(params, report_on, features),
                        untrained=np.max([np.abs(r).max(axis=1) for r in control.values()], axis=0),
                        character=np.array([_character_control(ids, f) for f in features.T]))


def rank_units(measures: UnitMeasures, margin: float = 0.1) -> list[dict]:
    """The units that track a feature, best first: [{"part", "unit", "label", "r"}, ...].

    Each unit of each part is paired with the feature it correlates with most strongly on the text it is chosen
    on; it is kept if, on the report text, its |r| with that feature beats both controls by `margin` (the
    untrained network's best unit, and the current character alone). "label" is the feature's name (`FEATURES`),
    "r" Pearson's r on the report text; sorted by |r|, largest first.
    """
    if not isinstance(measures, UnitMeasures):
        raise LSTMInputError(f"rank_units: argument 'measures' should be what measure_units returned, but got "
                             f"{type(measures).__name__}")
    margin = check_number(margin, func="rank_units", arg="margin")
    if not 0 <= margin < 1:
        raise LSTMInputError(f"rank_units: argument 'margin' should be a number in [0, 1), but got {margin!r}")
    return _rank_units(measures, margin)


def _rank_units(measures, margin) -> list[dict]:
    bar = np.maximum(measures.untrained, measures.character) + margin       # (F,): what a unit must reach
    found = []
    for part in PARTS:
        for unit, k in enumerate(np.argmax(np.abs(measures.chosen[part]), axis=0)):   # each unit's feature
            r = float(measures.reported[part][k, unit])
            if abs(r) >= bar[k]:
                found.append({"part": part, "unit": unit, "label": FEATURES[k], "r": r})
    return sorted(found, key=lambda row: -abs(row["r"]))


def _check_numbers(value, func: str, arg: str) -> np.ndarray:
    """A finite float array (float32 or float64; integers become float64)."""
    array = as_float_array(value, func=func, arg=arg)
    check_finite(array, func=func, arg=arg)
    return array
