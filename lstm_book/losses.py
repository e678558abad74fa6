"""The readout and the two losses of Part III (chapter 10).

    y_t = W_y h_t + b_y                                  readout: K outputs per step, from the hidden state
    cross-entropy   L = mean over scored steps of -log softmax(y_t)[label]
    squared error   L = mean over scored steps of Σ_k (y_tk - target_tk)²

Shapes: T steps, B sequences, H hidden units, K outputs. A mask (T, B) says which steps are scored. Each public
function checks its arguments once; the training loop runs the unchecked bodies on arrays it has checked.
"""

from __future__ import annotations

import numpy as np

from .validation import LSTMInputError, as_float_array, check_finite, no_overflow, shapes

__all__ = ["readout", "readout_backward", "cross_entropy", "squared_error", "LOSSES"]


@shapes(h="T B H", W_y="K H", b_y="K")
def readout(h, W_y, b_y):
    """y_t = W_y h_t + b_y for every step: h (T, B, H), W_y (K, H), b_y (K,)  ->  (T, B, K)."""
    return h @ W_y.T + b_y


@shapes(h="T B H", W_y="K H", dy="T B K")
def readout_backward(h, W_y, dy):
    """Gradients of the readout from dy = dL/dy (T, B, K): returns dW_y (K, H), db_y (K,), dh (T, B, H)."""
    return np.einsum("tbk,tbh->kh", dy, h), dy.sum(axis=(0, 1)), dy @ W_y


def cross_entropy(logits, labels, mask):
    """Mean cross-entropy over the scored steps, and its gradient with respect to the logits.

    logits (T, B, K); labels (T, B) integers in [0, K); mask (T, B) bool.  Returns (loss, dlogits (T, B, K)).
    With p = softmax(logits), the gradient of -log p[label] is p - one_hot(label): the error of each output.
    """
    logits, labels, mask = _check_loss("cross_entropy", logits, labels, mask, names=("logits", "labels"))
    with no_overflow("cross_entropy", {"logits": logits}):
        return _cross_entropy(logits, labels, mask)


def _cross_entropy(logits, labels, mask):
    shifted = logits - logits.max(axis=-1, keepdims=True)       # the same softmax, no overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    n = mask.sum()
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    loss = -np.sum(picked * mask) / n
    dlogits = np.exp(log_p)
    np.put_along_axis(dlogits, labels[..., None], np.take_along_axis(dlogits, labels[..., None], axis=-1) - 1.0,
                      axis=-1)
    return float(loss), dlogits * (mask[..., None] / n).astype(dlogits.dtype)    # float32 logits, float32 gradient


def squared_error(outputs, targets, mask):
    """Mean over the scored steps of the squared distance Σ_k (y_k - target_k)², and its gradient.

    outputs, targets (T, B, K); mask (T, B) bool.  Returns (loss, doutputs (T, B, K)).
    """
    outputs, targets, mask = _check_loss("squared_error", outputs, targets, mask, names=("outputs", "targets"))
    with no_overflow("squared_error", {"outputs": outputs, "targets": targets}):
        return _squared_error(outputs, targets, mask)


def _squared_error(outputs, targets, mask):
    n = mask.sum()
    error = (outputs - targets) * mask[..., None]
    return float(np.sum(error ** 2) / n), 2.0 * error / n


#: The losses by name (a task's `loss`), as the training loop runs them: the bodies, on checked arrays.
LOSSES = {"cross_entropy": _cross_entropy, "squared_error": _squared_error}


def _check_loss(func: str, outputs, y, mask, names: tuple[str, str]):
    """outputs (T, B, K) finite floats; y: labels (T, B) integers in [0, K) or targets (T, B, K) finite floats;
    mask (T, B) bool with at least one scored step."""
    out_name, y_name = names
    outputs = as_float_array(outputs, func=func, arg=out_name)
    if outputs.ndim != 3 or 0 in outputs.shape:
        raise LSTMInputError(f"{func}: argument '{out_name}' should have shape (T, B, K), all >= 1, "
                             f"but got shape {outputs.shape}")
    check_finite(outputs, func=func, arg=out_name)
    T, B, K = outputs.shape
    mask = _array(mask, func, "mask")
    if mask.dtype != bool or mask.shape != (T, B):
        raise LSTMInputError(f"{func}: argument 'mask' should be a bool array of shape (T={T}, B={B}), but got "
                             f"dtype {mask.dtype}, shape {mask.shape}")
    if not mask.any():
        raise LSTMInputError(f"{func}: argument 'mask' scores no step (all False): the mean over scored steps is "
                             f"undefined")
    y = _array(y, func, y_name)
    if y_name == "labels":
        if y.dtype.kind not in "iu" or y.shape != (T, B):
            raise LSTMInputError(f"{func}: argument 'labels' should be integers of shape (T={T}, B={B}), but got "
                                 f"dtype {y.dtype}, shape {y.shape}")
        if y.min() < 0 or y.max() >= K:
            raise LSTMInputError(f"{func}: argument 'labels' should lie in [0, K={K}), but got values from "
                                 f"{y.min()} to {y.max()}")
    else:
        y = as_float_array(y, func=func, arg=y_name)
        if y.shape != outputs.shape:
            raise LSTMInputError(f"{func}: argument '{y_name}' should have the shape of '{out_name}', "
                                 f"{outputs.shape}, but got shape {y.shape}")
        check_finite(y, func=func, arg=y_name)
    return outputs, y, mask


def _array(value, func: str, arg: str) -> np.ndarray:
    try:
        return np.asarray(value)
    except Exception:  # ragged lists and the like
        raise LSTMInputError(f"{func}: argument '{arg}' could not be read as an array") from None
