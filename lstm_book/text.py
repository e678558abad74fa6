"""Real text for Part IV (chapter 12): the corpus, its vocabulary, parallel streams, and the counting baselines.

The corpus is a fixed copy of real code no one here wrote: 44 modules of CPython 3.11's standard library, about
1 MB of ASCII (`lstm_book/data/README.md`; PSF licence, `lstm_book/data/LICENSE-PSF.txt`). Nothing is downloaded.

* `Vocabulary`: the characters the model knows, each an id 0 … V-1; every character seen fewer than `min_count`
  times in the training text becomes one symbol, `RARE` (id 0).
* `load_corpus`: the text, its vocabulary, and the three fixed splits as ids (train 90%, validation 5%, test 5%).
* `streams`: a text as B parallel streams, each read from left to right, with the next character as the target.
* `count_model`, `count_model_bits`: the baselines every language model is measured against (uniform, unigram,
  bigram with add-one smoothing), in bits per character.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .validation import LSTMInputError, check_integer

__all__ = ["CORPUS_FILE", "RARE", "Vocabulary", "build_vocabulary", "Corpus", "load_corpus", "streams",
           "count_model", "count_model_bits"]

#: The corpus shipped with the book (see lstm_book/data/README.md for its source and licence).
CORPUS_FILE = Path(__file__).resolve().parent / "data" / "cpython_stdlib.txt"

#: The one symbol that stands for every rare or unknown character (id 0).
RARE = "¤"


class Vocabulary:
    """The characters a model reads and writes: `chars[k]` is the character of id k; `chars[0]` is `RARE`.

    chars: a string of distinct characters starting with RARE.  ``encode(text)`` gives ids (an int64 array;
    a character not in the vocabulary becomes 0), ``decode(ids)`` gives the text back (0 shows as ¤).
    """

    def __init__(self, chars: str):
        if not (isinstance(chars, str) and len(chars) >= 2 and chars[0] == RARE and len(set(chars)) == len(chars)):
            raise LSTMInputError(f"Vocabulary: argument 'chars' should be a string of at least 2 distinct characters "
                                 f"starting with RARE ({RARE!r}), but got {chars!r:.60}")
        self.chars = chars
        self.size = len(chars)
        self._index = {ch: k for k, ch in enumerate(chars)}

    def __repr__(self) -> str:
        return f"Vocabulary({self.size} characters)"

    def encode(self, text: str) -> np.ndarray:
        """The ids of the characters of `text` (T,), int64; unknown characters become 0 (RARE)."""
        if not isinstance(text, str):
            raise LSTMInputError(f"Vocabulary.encode: argument 'text' should be a string, but got "
                                 f"{type(text).__name__}")
        index = self._index
        return np.fromiter((index.get(ch, 0) for ch in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        """The text of a sequence of ids (integers in [0, V))."""
        ids = _ids(ids, self.size, "Vocabulary.decode", "ids", ndim=1)
        return "".join(self.chars[k] for k in ids)


def build_vocabulary(text: str, min_count: int = 50) -> Vocabulary:
    """The characters of `text` seen at least `min_count` times, sorted, after RARE (which stands for the rest)."""
    if not isinstance(text, str) or not text:
        raise LSTMInputError(f"build_vocabulary: argument 'text' should be a non-empty string, but got {text!r:.60}")
    min_count = check_integer(min_count, func="build_vocabulary", arg="min_count", low=1)
    kept = sorted(ch for ch, n in Counter(text).items() if n >= min_count and ch != RARE)
    if not kept:
        raise LSTMInputError(f"build_vocabulary: argument 'min_count' is {min_count}, more than any character's count "
                             f"in 'text': the vocabulary would be empty")
    return Vocabulary(RARE + "".join(kept))


class Corpus(NamedTuple):
    """The corpus: its text, its vocabulary (built from the training text), and the three splits as ids."""

    text: str
    vocabulary: Vocabulary
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def load_corpus(min_count: int = 50) -> Corpus:
    """The book's corpus, its vocabulary and its fixed splits: train (first 90%), validation (next 5%), test (last
    5%), each cut at a line break. min_count: see `build_vocabulary` (50 gives V = 93 here)."""
    min_count = check_integer(min_count, func="load_corpus", arg="min_count", low=1)
    text = CORPUS_FILE.read_text(encoding="utf-8")
    cut1 = text.index("\n", int(0.90 * len(text))) + 1
    cut2 = text.index("\n", int(0.95 * len(text))) + 1
    vocabulary = build_vocabulary(text[:cut1], min_count)
    ids = vocabulary.encode(text)
    return Corpus(text, vocabulary, ids[:cut1], ids[cut1:cut2], ids[cut2:])


def streams(ids, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """A text of ids (N,) cut into B = batch_size contiguous streams, read side by side.

    Returns (inputs, targets), each (L, B) with L = (N - 1) // B: stream b is ids[b·L : (b+1)·L + 1]; column b of
    inputs holds its characters, column b of targets the character that follows each one (the last N - 1 - B·L
    characters are left out). A model reads row t of every stream at step t and predicts row t of targets.
    """
    ids = _ids(ids, None, "streams", "ids", ndim=1)
    B = check_integer(batch_size, func="streams", arg="batch_size", low=1)
    L = (len(ids) - 1) // B
    if L < 1:
        raise LSTMInputError(f"streams: argument 'batch_size' is {B}, too many streams for argument 'ids' of "
                             f"{len(ids)} characters (each stream needs 2 at least)")
    cut = ids[:B * L + 1]
    inputs = cut[:-1].reshape(B, L).T
    targets = np.stack([cut[b * L + 1:(b + 1) * L + 1] for b in range(B)], axis=1)
    return np.ascontiguousarray(inputs), targets


def count_model(ids, vocab_size: int, order: int) -> np.ndarray:
    """The probabilities of a counting model, from the training text ids (N,):

    order 0: uniform, p(k) = 1/V, shape (V,);  order 1: unigram, p(k) ∝ count(k) + 1, shape (V,);
    order 2: bigram, p(k | prev) ∝ count(prev, k) + 1, shape (V, V), row prev.  (+1: add-one smoothing, so that a
    pair never seen in training still has a probability above zero.)
    """
    V = check_integer(vocab_size, func="count_model", arg="vocab_size", low=1, high=10_000)
    ids = _ids(ids, V, "count_model", "ids", ndim=1)
    order = check_integer(order, func="count_model", arg="order", low=0, high=2)
    if order == 0:
        return np.full(V, 1.0 / V)
    if order == 1:
        counts = np.bincount(ids, minlength=V) + 1.0
        return counts / counts.sum()
    counts = np.bincount(ids[:-1] * V + ids[1:], minlength=V * V).reshape(V, V) + 1.0
    return counts / counts.sum(axis=1, keepdims=True)


def count_model_bits(model, inputs, targets) -> float:
    """The mean of -log2 p(target) over every position of inputs and targets (any equal shapes, e.g. (L, B) from
    `streams`), under a `count_model`: (V,) ignores the input, (V, V) reads row inputs[...]. Bits per character."""
    model = np.asarray(model, dtype=float) if isinstance(model, np.ndarray) else model
    if not (isinstance(model, np.ndarray) and model.ndim in (1, 2) and model.shape[0] >= 1
            and model.shape == (model.shape[0],) * model.ndim and np.all(np.isfinite(model))
            and np.all(model > 0) and np.allclose(model.sum(axis=-1), 1.0)):
        raise LSTMInputError("count_model_bits: argument 'model' should be what count_model returned: positive "
                             "probabilities (V,) or (V, V) whose rows sum to 1")
    V = model.shape[0]
    inputs = _ids(inputs, V, "count_model_bits", "inputs")
    targets = _ids(targets, V, "count_model_bits", "targets")
    if inputs.shape != targets.shape:
        raise LSTMInputError(f"count_model_bits: argument 'targets' should have the shape of 'inputs', "
                             f"{inputs.shape}, but got shape {targets.shape}")
    p = model[targets] if model.ndim == 1 else model[inputs, targets]
    return float(-np.log2(p).mean())


def _ids(value, vocab_size: int | None, func: str, arg: str, ndim: int | None = None) -> np.ndarray:
    """A non-empty array of integer ids in [0, vocab_size) (any integer >= 0 if vocab_size is None)."""
    try:
        array = np.asarray(value)
    except Exception:
        raise LSTMInputError(f"{func}: argument '{arg}' could not be read as an array of ids") from None
    if array.dtype.kind not in "iu" or array.size == 0 or (ndim is not None and array.ndim != ndim):
        shape = "(N,)" if ndim == 1 else "any shape"
        raise LSTMInputError(f"{func}: argument '{arg}' should be a non-empty integer array of ids, {shape}, but "
                             f"got dtype {array.dtype}, shape {array.shape}")
    high = vocab_size if vocab_size is not None else None
    if array.min() < 0 or (high is not None and array.max() >= high):
        raise LSTMInputError(f"{func}: argument '{arg}' should hold ids in [0, {high if high else 'V'}), but got "
                             f"values from {array.min()} to {array.max()}")
    return array.astype(np.int64, copy=False)
