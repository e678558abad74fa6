"""Forward + backward of lstm_book (the fast cell of chapter 7 and lstm_backward of chapter 8) against PyTorch's
nn.LSTM on the CPU: same thread count, float32, the two interleaved, median of the per-pair ratios.

    python benchmarks/bench_lstm.py [--repeats N] [--threads N]

A benchmark, not a test: it prints timings and ratios (lstm_book time / PyTorch time; below 1 is faster).
Target (the developers' brief): at most 1.0x, the fast cell at least as fast as PyTorch's CPU LSTM, at every shape.
A second ratio is taken against PyTorch with oneDNN off (`torch.backends.mkldnn.enabled = False`): PyTorch's CPU
LSTM otherwise runs as oneDNN's RNN primitive, one compiled kernel for the whole layer; without it, as separate
operations, as numpy runs it.

Each side is timed after a pause (SETTLE) and one untimed call. Without the pause the two libraries' thread pools
fight: after a call, numpy's OpenBLAS workers and PyTorch's OpenMP workers keep spinning for a while, waiting for
more work, and take the cores the other side's next call needs. Timed back to back, PyTorch's step at
(100, 32, 93, 128) took 25 ms instead of the 12 ms it takes alone, numpy's little more than alone, and the ratios
of one run spread from 0.2 to 4: the median ratio then said "about as fast as PyTorch" when PyTorch alone is more
than twice as fast. With the pause each side runs at its speed alone (the ratios of a run within about 1.5x of
each other).
"""

from __future__ import annotations

import argparse
import os
import sys


def _threads_from_argv(default: int) -> int:
    for k, arg in enumerate(sys.argv):
        if arg == "--threads" and k + 1 < len(sys.argv):
            return int(sys.argv[k + 1])
    return default


# The thread count must be fixed before numpy and torch start their thread pools.
THREADS = _threads_from_argv(min(2, os.cpu_count() or 1))
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(THREADS)

import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_book import LSTMParams, init_params, lstm_backward, lstm_forward, running_example, running_example_params  # noqa: E402

torch.set_num_threads(THREADS)


def torch_lstm(params: LSTMParams) -> torch.nn.LSTM:
    """nn.LSTM holding the book's weights (torch's gate order i, f, g, o is the book's j, f, i, o)."""
    dtype = torch.float32 if params.W_xi.dtype == np.float32 else torch.float64
    lstm = torch.nn.LSTM(params.input_size, params.hidden_size, dtype=dtype)
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_x{}"), ("weight_hh_l0", "W_h{}"), ("bias_ih_l0", "b_{}")):
            getattr(lstm, name).copy_(torch.from_numpy(np.concatenate([getattr(params, key.format(g)) for g in "jfio"])))
        lstm.bias_hh_l0.zero_()
    return lstm


def make_pair(xs, params, dh):
    """Two functions that each run one forward and one backward pass, computing the same gradients (the twelve
    parameters, the inputs and the initial states)."""
    batched = xs.ndim == 3
    state_shape = (xs.shape[1], params.hidden_size) if batched else (params.hidden_size,)
    h0 = np.zeros(state_shape, xs.dtype)
    c0 = np.zeros(state_shape, xs.dtype)

    def ours():
        trace = lstm_forward(xs, params, h0, c0)
        return lstm_backward(xs, params, trace, dh, h0, c0)

    lstm = torch_lstm(params)
    X = torch.from_numpy(xs).requires_grad_()
    H0 = torch.from_numpy(h0[None].copy()).requires_grad_()
    C0 = torch.from_numpy(c0[None].copy()).requires_grad_()
    DH = torch.from_numpy(dh)

    def theirs():
        for tensor in (X, H0, C0, *lstm.parameters()):
            tensor.grad = None
        out, _ = lstm(X, (H0, C0))
        out.backward(DH)
        return X.grad

    return ours, theirs


SETTLE = 0.3  # seconds: longer than OpenBLAS's workers spin after a call (about 0.1 s), and OpenMP's


def interleaved(ours, theirs, repeats: int, inner: int):
    """Time the two alternately (which goes first alternates too), each after a pause and a call that is not timed
    (the module's docstring says why); return the per-pair times and ratios."""
    for _ in range(3):  # warm up both
        ours(), theirs()
    times_ours, times_theirs = [], []
    for k in range(repeats):
        pair = [(ours, times_ours), (theirs, times_theirs)]
        for function, times in (pair if k % 2 == 0 else pair[::-1]):
            time.sleep(SETTLE)  # the other side's idle threads stop spinning: they would take this side's cores
            function()          # this side's threads awake and its caches warm
            start = time.perf_counter()
            for _ in range(inner):
                function()
            times.append((time.perf_counter() - start) / inner)
    ours_t, theirs_t = np.array(times_ours), np.array(times_theirs)
    return ours_t, theirs_t, ours_t / theirs_t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved pairs per setting (default 15)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads for numpy and torch (default 2)")
    args = parser.parse_args()
    print(f"lstm_book forward+backward vs torch {torch.__version__} nn.LSTM, CPU, {THREADS} threads, float32, "
          f"{args.repeats} interleaved pairs, numpy {np.__version__}")
    rows = []
    for fused in (True, False):
        torch.backends.mkldnn.enabled = fused                       # off: PyTorch's LSTM as separate operations
        rng = np.random.default_rng(0)
        for T, B, D, H in ((100, 32, 64, 128), (100, 64, 128, 256)):
            params = init_params(D, H, seed=1, dtype=np.float32)
            xs = rng.normal(size=(T, B, D)).astype(np.float32)
            dh = rng.normal(size=(T, B, H)).astype(np.float32)
            ours, theirs, ratio = interleaved(*make_pair(xs, params, dh), args.repeats, inner=1)
            rows.append((f"(T, B, D, H) = ({T}, {B}, {D}, {H})", ours, theirs, ratio, 1.0, "ms", 1e3, fused))
        example = running_example()
        xs = example.x.astype(np.float32)
        params = LSTMParams(**{k: v.astype(np.float32) for k, v in running_example_params().as_dict().items()})
        dh = np.ones_like(xs)
        ours, theirs, ratio = interleaved(*make_pair(xs, params, dh), args.repeats, inner=20)
        T = len(xs)
        rows.append((f"running example, H = 1, per step (T = {T})", ours / T, theirs / T, ratio, 1.0, "µs", 1e6,
                     fused))
    print(f"{'setting':<42}{'lstm_book':>12}{'PyTorch':>12}{'ratio (median)':>16}{'target':>8}")
    for name, ours, theirs, ratio, target, unit, scale, fused in rows:
        if not fused and name == rows[0][0]:
            print("against PyTorch with oneDNN off (its LSTM as separate operations):")
        verdict = "met" if np.median(ratio) <= target else "NOT met"
        print(f"{name:<42}{np.median(ours) * scale:>9.2f} {unit}{np.median(theirs) * scale:>9.2f} {unit}"
              f"{np.median(ratio):>13.2f}x   ≤{target:g}x {verdict}  (ratios {np.min(ratio):.2f}-{np.max(ratio):.2f})")


if __name__ == "__main__":
    main()
