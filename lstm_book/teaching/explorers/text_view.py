"""Chapter 12's text view: the reader's own text through the trained language model, live.

`TextView` is a description, like `Explorer`: the model (chapter 12's committed run, `charlm_training.load_run`,
unless given), the unit picker's entries (`units`: a list of {"part", "unit", "label", "r"}, best first, as a
ranking of units gives them; by default every unit's c_t in index order, with no claim about what it tracks), the
parts a unit can be shown by (c_t, h_t, the gates) with their colour scales, and the sampler's controls. Python
computes everything here with the package: `read` (the text's values of one unit, their colours, the top guesses
for the character after the cursor) and `sample` (`lstm_book.charlm.sample`). The views (`text_views`): the live
view in JupyterLab (the kernel computes, with the reader's own equations if given: ``TextView(forget_gate=
my_forget_gate)``, as `lstm_step` takes them) and on the website (`mirror.js`'s `charlm` computes, from the weights
the page loads), drawn by the same front end `lstm_book/teaching/web/textview.js`, and a static view (the default
text coloured, what shows with JavaScript off).

Precision: both sides compute in float64 from the float32 weights (widened exactly): the view's Python runs
`charlm_forward` on float64 weights and `sample` computes in float64, and the mirror does the same arithmetic.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from lstm_book import LSTMParams, lstm_step
from lstm_book.cell import EQUATIONS
from lstm_book.charlm import charlm_forward, sample, softmax
from lstm_book.text import Vocabulary
from lstm_book.validation import LSTMInputError, check_integer, check_number

__all__ = ["PARTS", "TextView", "default_units", "colour_of", "weights_script", "WEIGHTS_FILE"]

#: What a unit can be shown by: label, colour scale (low, high; values beyond are clipped) and palette.
_BLUE_WHITE_ORANGE = ("#6fa8dc", "#ffffff", "#e59b53")       # light enough for black text (contrast > 7)
_WHITE_GREEN = ("#ffffff", "#ffffff", "#74c476")
PARTS = {
    "c": {"label": "c_t, the cell state", "low": -2.0, "high": 2.0, "ends": _BLUE_WHITE_ORANGE},
    "h": {"label": "h_t, the hidden state", "low": -1.0, "high": 1.0, "ends": _BLUE_WHITE_ORANGE},
    "i": {"label": "i_t, the input state", "low": -1.0, "high": 1.0, "ends": _BLUE_WHITE_ORANGE},
    "j": {"label": "j_t, the input gate", "low": 0.0, "high": 1.0, "ends": _WHITE_GREEN},
    "f": {"label": "f_t, the forget gate", "low": 0.0, "high": 1.0, "ends": _WHITE_GREEN},
    "o": {"label": "o_t, the output gate", "low": 0.0, "high": 1.0, "ends": _WHITE_GREEN},
}
BINS = 10
WEIGHTS_FILE = "charlm-weights.js"
DEFAULT_TEXT = 'def area(width, height):\n    """The area of a rectangle."""\n    return width * height\n'
TEMPERATURE = {"low": 0.1, "high": 2.0, "step": 0.05, "default": 0.8}


def _palette(ends) -> list[str]:
    """BINS colours from ends[0] (the lowest bin) through ends[1] to ends[2] (the highest)."""
    rgb = [np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)], float) for c in ends]
    out = []
    for b in range(BINS):
        x = 2 * (b + 0.5) / BINS - 1                              # -1 … 1 over the bins' centres
        a, z = (rgb[1], rgb[0]) if x < 0 else (rgb[1], rgb[2])
        out.append("#" + "".join(f"{round(v):02x}" for v in a + abs(x) * (z - a)))
    return out


def colour_of(values, part: str) -> list[str]:
    """The colours of a part's values: bin floor((v - low) / (high - low) · BINS), clipped to the palette."""
    scale = PARTS[part]
    palette = _palette(scale["ends"])
    bins = np.floor((np.asarray(values, float) - scale["low"]) / (scale["high"] - scale["low"]) * BINS)
    return [palette[int(b)] for b in np.clip(bins, 0, BINS - 1)]


def default_units(hidden_size: int) -> list[dict]:
    """Every unit's c_t in index order: what chapter 12 offers before a ranking says which units track what."""
    return [{"part": "c", "unit": k, "label": f"unit {k}", "r": None} for k in range(hidden_size)]


@functools.lru_cache(maxsize=1)
def _committed():
    from lstm_book.teaching.charlm_training import load_run

    run = load_run()
    return run["params"], Vocabulary(run["record"]["vocabulary"])


def _float32_bytes(params) -> bytes:
    return b"".join(np.ascontiguousarray(params[k], dtype="<f4").tobytes() for k in params)


def weights_script() -> str:
    """The committed weights as the website loads them: one script (float32, little-endian, base64) that sets
    `LSTMCharLMWeights` = {fingerprint, names, shapes, data}; loaded only by the pages that show a text view."""
    import base64
    import json

    params, _ = _committed()
    raw = _float32_bytes(params)
    payload = {"fingerprint": hashlib.sha256(raw).hexdigest()[:16], "names": list(params),
               "shapes": [list(params[k].shape) for k in params], "data": base64.b64encode(raw).decode("ascii")}
    return "var LSTMCharLMWeights = " + json.dumps(payload, separators=(",", ":")) + ";\n"


class TextView:
    """The reader's text through a trained character-level model (see the module's docstring).

    params, vocabulary: the model (`init_charlm`'s layout) and its `Vocabulary`; both default to the committed run.
    units: the picker's entries, best first: [{"part": "c"|"h"|"i"|"j"|"f"|"o", "unit": int, "label": str,
    "r": float or None}, ...] (default: `default_units`).  text: what the box holds at first.  top: how many guesses.
    equations: your own version of any of the six equations, by name, as `lstm_step` takes them (Python only).
    """

    title = "Your own text, read by the trained network"

    def __init__(self, params=None, vocabulary=None, units=None, text: str = DEFAULT_TEXT, top: int = 5,
                 length: int = 200, **equations):
        if (params is None) != (vocabulary is None):
            raise LSTMInputError("TextView: give both 'params' and 'vocabulary', or neither (the committed run)")
        committed = params is None
        if committed:
            params, vocabulary = _committed()
        if not isinstance(vocabulary, Vocabulary):
            raise LSTMInputError(f"TextView: argument 'vocabulary' should be a Vocabulary, but got "
                                 f"{type(vocabulary).__name__}")
        charlm_forward(params, np.zeros((1, 1), int))                 # checks the parameters (LSTMInputError)
        self.params = {k: np.asarray(v, np.float64) for k, v in params.items()}   # float64: the mirror's precision
        self.vocabulary, self.H = vocabulary, self.params["W_hi"].shape[0]
        if self.params["W_y"].shape[0] != vocabulary.size:
            raise LSTMInputError(f"TextView: argument 'vocabulary' has {vocabulary.size} characters, but the "
                                 f"model predicts {self.params['W_y'].shape[0]}")
        self.units = self._units(default_units(self.H) if units is None else units)
        if not isinstance(text, str):
            raise LSTMInputError(f"TextView: argument 'text' should be a string, but got {type(text).__name__}")
        self.text = text
        self.top = check_integer(top, func="TextView", arg="top", low=1, high=vocabulary.size)
        self.length = check_integer(length, func="TextView", arg="length", low=1, high=2000)
        unknown = sorted(set(equations) - set(EQUATIONS))
        if unknown:
            raise LSTMInputError(f"TextView: no equation named {unknown[0]!r}; expected some of {list(EQUATIONS)}")
        self.equations = equations
        self.fingerprint = hashlib.sha256(_float32_bytes(params)).hexdigest()[:16] if committed else None

    def _units(self, units) -> list[dict]:
        if not isinstance(units, (list, tuple)) or not units:
            raise LSTMInputError(f"TextView: argument 'units' should be a non-empty list of "
                                 f"{{'part', 'unit', 'label', 'r'}}, but got {units!r:.60}")
        out = []
        for k, entry in enumerate(units):
            if not isinstance(entry, dict) or entry.get("part") not in PARTS:
                raise LSTMInputError(f"TextView: argument 'units' entry {k} should be a dict whose 'part' is one of "
                                     f"{list(PARTS)}, but got {entry!r:.80}")
            unit = check_integer(entry.get("unit"), func="TextView", arg=f"units[{k}]['unit']", low=0, high=self.H - 1)
            label = entry.get("label", f"unit {unit}")
            r = entry.get("r")
            out.append({"part": entry["part"], "unit": unit, "label": str(label),
                        "r": None if r is None else check_number(r, func="TextView", arg=f"units[{k}]['r']")})
        return out

    def spec(self) -> dict:
        """The description the front end draws (JSON): names, labels, colour scales, controls, the weights' name."""
        parts = {p: {"label": s["label"], "low": s["low"], "high": s["high"], "palette": _palette(s["ends"])}
                 for p, s in PARTS.items()}
        weights = None if self.fingerprint is None or self.equations else {
            "file": WEIGHTS_FILE, "fingerprint": self.fingerprint, "H": self.H, "V": self.vocabulary.size}
        return {"title": self.title, "vocabulary": self.vocabulary.chars, "units": self.units, "parts": parts,
                "part_order": list(PARTS), "bins": BINS, "text": self.text, "top": self.top, "length": self.length,
                "temperature": TEMPERATURE, "seed": {"low": 0, "high": 2**32 - 1, "default": 1},
                "max_chars": 2000, "weights": weights}

    def trace(self, text: str) -> dict:
        """Every step of the text, read from zeros: {"i", "j", "f", "o", "c", "h": (T, H), "y": (T, V)}.

        Only the characters after the first change since the last call are read again, from the state before them
        (a typed character costs one step): the numbers are those of one pass over the whole text, bit for bit."""
        if not isinstance(text, str):
            raise LSTMInputError(f"TextView.trace: argument 'text' should be a string, but got {type(text).__name__}")
        ids = self.vocabulary.encode(text)
        old_ids, old = getattr(self, "_last", (np.zeros(0, int), None))
        n = min(len(ids), len(old_ids))
        n = int(np.argmin(ids[:n] == old_ids[:n])) if n and not np.array_equal(ids[:n], old_ids[:n]) else n
        kept = {q: a[:n] for q, a in old.items()} if old is not None else None
        if kept is None or n == 0:
            kept = {**{q: np.zeros((0, self.H)) for q in PARTS}, "y": np.zeros((0, self.vocabulary.size))}
        h, c = (kept["h"][-1], kept["c"][-1]) if n else (np.zeros(self.H), np.zeros(self.H))
        new = self._read(ids[n:], h, c) if len(ids) > n else None
        out = kept if new is None else {q: np.concatenate([kept[q], new[q]]) for q in kept}
        self._last = (ids, out)
        return out

    def _read(self, ids, h, c) -> dict:
        """The steps of `ids` from the state (h, c): the package's fast cell, or the readable step with your
        equations in it."""
        if not self.equations:
            logits, tr = charlm_forward(self.params, ids[:, None], h[None], c[None])
            return {"i": tr.i[:, 0], "j": tr.j[:, 0], "f": tr.f[:, 0], "o": tr.o[:, 0], "c": tr.c[:, 0],
                    "h": tr.h[:, 0], "y": logits[:, 0]}
        cell = LSTMParams(**{k: v for k, v in self.params.items() if k not in ("W_y", "b_y")})
        steps, eye = [], np.eye(self.vocabulary.size)
        for k in ids:                                                 # the readable step, your equations in it
            step = lstm_step(eye[k], h, c, cell, **self.equations)
            steps.append(step)
            h, c = step.h, step.c
        out = {p: np.array([getattr(s, p) for s in steps]) for p in PARTS}
        out["y"] = out["h"] @ self.params["W_y"].T + self.params["b_y"]
        return out

    def read(self, text: str, part: str = "c", unit: int = 0, cursor: int | None = None) -> dict:
        """What the front end shows: the values of one unit's part at every character, their colours, and the top
        guesses for the character after the cursor (a position 0 … len(text); default: the end), as
        [[character, probability], ...], most likely first (ties: the lower id)."""
        if part not in PARTS:
            raise LSTMInputError(f"TextView.read: argument 'part' should be one of {list(PARTS)}, but got {part!r}")
        unit = check_integer(unit, func="TextView.read", arg="unit", low=0, high=self.H - 1)
        tr = self.trace(text)
        T = len(tr["y"])
        cursor = T if cursor is None else check_integer(cursor, func="TextView.read", arg="cursor", low=0, high=T)
        values = tr[part][:, unit]
        guesses = []
        if cursor > 0:
            p = softmax(tr["y"][cursor - 1])
            order = sorted(range(len(p)), key=lambda k: (-p[k], k))[:self.top]
            guesses = [[self.vocabulary.chars[k], float(p[k])] for k in order]
        return {"values": values.tolist(), "colours": colour_of(values, part), "guesses": guesses}

    def sample(self, temperature: float = TEMPERATURE["default"], seed: int = 1, prompt: str = "",
               length: int | None = None) -> str:
        """What the sampler writes: `lstm_book.charlm.sample` after the prompt (a line break if empty)."""
        return sample(self.params, self.vocabulary, self.length if length is None else length,
                      temperature=temperature, seed=seed, prompt=prompt or "\n")

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .text_views import text_mimebundle

        return text_mimebundle(self, include, exclude)

    def widget(self):
        from .text_views import text_widget

        return text_widget(self)

    def html(self) -> str:
        from .text_views import text_html

        return text_html(self)
