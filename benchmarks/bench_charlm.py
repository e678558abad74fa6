"""Chapter 12's language model, one training step (forward, readout, loss, backward), against PyTorch's nn.LSTM
with the same readout (nn.Linear and cross_entropy on one-hot inputs): same thread count, float32, the two
interleaved, median of the per-pair ratios; characters per second for both, and the share of the machine's
measured matrix-product rate that the step reaches.

    python benchmarks/bench_charlm.py [--repeats N] [--threads N]

A benchmark, not a test: it prints timings. Targets: at most 1.0x PyTorch's time and at least 60% of the
matrix-product peak (the peak: the median rate of a 1024 x 1024 float32 product on the same threads). The
step's work counted: every matrix product the model needs (the recurrent products forward and back, the gradient
of W_h, the readout forward and back); the input half is a lookup (chapter 12) and counts nothing, although its
backward runs as a product with the one-hot rows (kept so that the committed run reproduces bit for bit).

Where the time goes: for each shape a last line times our step's matrix products alone (the same shapes, the same
BLAS, no other work) against PyTorch's whole step, and the rate of one step's recurrent product, (B, H) @ (H, 4H),
which two thirds of the counted work runs at: the ceiling the loop's products set. A second ratio is taken against
PyTorch with oneDNN turned off (`torch.backends.mkldnn.enabled = False`): PyTorch's CPU LSTM otherwise runs as
oneDNN's RNN primitive, one compiled kernel for the whole layer; without it, as separate operations, as numpy does.
Each side is timed after a pause, as `bench_lstm.interleaved` says why.

Run it on quiet cores: the two BLAS threads of either side slow down many times when another process takes a core,
and the spread of the ratios (printed) says how much the machine was shared; on shared cores `--threads 1` gives
steadier ratios.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bench_lstm import THREADS, interleaved, torch_lstm  # noqa: E402  (sets the thread count before numpy starts)

import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lstm_book import LSTMParams  # noqa: E402
from lstm_book.charlm import charlm_loss, init_charlm  # noqa: E402

torch.set_num_threads(THREADS)


def make_pair(params, inputs, targets):
    """Two functions that each run one training step's forward and backward pass, with the same gradients."""
    V, H = params.sizes["D"], params.sizes["H"]
    B = inputs.shape[1]
    h0 = np.zeros((B, H), np.float32)

    def ours():
        return charlm_loss(params, inputs, targets, h0, h0)

    lstm = torch_lstm(LSTMParams(**{k: params[k] for k in LSTMParams.NAMES}))
    linear = torch.nn.Linear(H, V)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.array(params["W_y"])))
        linear.bias.copy_(torch.from_numpy(np.array(params["b_y"])))
    X = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).float()
    Y = torch.from_numpy(targets).reshape(-1)
    H0 = torch.zeros(1, B, H)

    def theirs():
        for tensor in (*lstm.parameters(), *linear.parameters()):
            tensor.grad = None
        out, _ = lstm(X, (H0, H0))
        loss = torch.nn.functional.cross_entropy(linear(out).reshape(-1, V), Y)
        loss.backward()
        return loss

    return ours, theirs


def step_flops(T, B, V, H) -> float:
    """The matrix products of one step: h W_h^T forward, dz W_h back, dW_h, and the readout forward, dW_y, dh."""
    return 2.0 * (3 * T * B * H * 4 * H + 3 * T * B * H * V)


def peak_flops(repeats: int = 9) -> float:
    """The median rate of a 1024 x 1024 by 1024 x 1024 float32 product: what the BLAS reaches here."""
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    a @ a
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * 1024 ** 3 / np.median(times)


def step_product_rate(B, H, repeats: int = 9) -> float:
    """The median rate of the loop's product, h_{t-1} (B, H) times W_h^T (H, 4H), 64 times in a row."""
    rng = np.random.default_rng(0)
    h, W_hT = rng.random((B, H), dtype=np.float32), rng.random((H, 4 * H), dtype=np.float32)
    out = np.empty((B, 4 * H), np.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(64):
            np.matmul(h, W_hT, out=out)
        times.append(time.perf_counter() - start)
    return 64 * 2 * B * H * 4 * H / np.median(times)


def step_products_time(T, B, V, H, repeats: int = 9) -> float:
    """The median time of the matrix products of one training step alone, on random arrays of the step's shapes:
    the recurrent product forward and back at every step, dW_h, the lookup's backward (with one-hot rows), and the
    readout forward and back."""
    rng = np.random.default_rng(0)

    def arrays(*shape):
        return rng.random(shape, dtype=np.float32)

    h, W_hT, W_h, dz_t, out = arrays(B, H), arrays(H, 4 * H), arrays(4 * H, H), arrays(B, 4 * H), arrays(B, 4 * H)
    dz, hs, one_hot, W_y, dy = arrays(T * B, 4 * H), arrays(T * B, H), arrays(T * B, V), arrays(V, H), arrays(T * B, V)

    def products():
        for _ in range(T):
            np.matmul(h, W_hT, out=out)
        for _ in range(T):
            dz_t @ W_h
        dz.T @ hs, dz.T @ one_hot, hs @ W_y.T, dy.T @ hs, dy @ W_y

    products()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        products()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved pairs per setting (default 15)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads for numpy and torch (default 2)")
    args = parser.parse_args()
    peak = peak_flops()
    print(f"chapter 12's training step vs torch {torch.__version__} nn.LSTM + Linear + cross_entropy, CPU, "
          f"{THREADS} threads, float32, {args.repeats} interleaved pairs, numpy {np.__version__}; "
          f"matrix-product peak {peak / 1e9:.0f} GFLOP/s")
    print(f"{'(T, B, V, H)':<22}{'lstm_book':>11}{'PyTorch':>11}{'ratio (median)':>16}{'chars/s ours':>14}"
          f"{'theirs':>9}{'of peak':>9}  targets ≤1.0x, ≥60%")
    rng = np.random.default_rng(0)
    theirs_by_shape = {}
    for T, B, V, H in ((100, 32, 93, 128), (64, 32, 96, 256)):       # the book's model; the reference
        params = init_charlm(V, H, seed=1)
        inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
        ours, theirs, ratio = interleaved(*make_pair(params, inputs, targets), args.repeats, inner=1)
        share = step_flops(T, B, V, H) / np.median(ours) / peak
        verdict = "met" if np.median(ratio) <= 1.0 and share >= 0.6 else "NOT met"
        print(f"{str((T, B, V, H)):<22}{np.median(ours) * 1e3:>8.1f} ms{np.median(theirs) * 1e3:>8.1f} ms"
              f"{np.median(ratio):>13.2f}x  {T * B / np.median(ours):>12,.0f}{T * B / np.median(theirs):>9,.0f}"
              f"{share:>9.0%}  {verdict} (ratios {np.min(ratio):.2f}-{np.max(ratio):.2f})")
        theirs_by_shape[T, B, V, H] = np.median(theirs)
    for shape, theirs in theirs_by_shape.items():
        alone = step_products_time(*shape)
        print(f"{str(shape)}: our step's matrix products alone take {alone * 1e3:.1f} ms, {alone / theirs:.2f}x "
              f"PyTorch's whole step")
    torch.backends.mkldnn.enabled = False                          # PyTorch's LSTM as separate operations
    for T, B, V, H in theirs_by_shape:
        params = init_charlm(V, H, seed=1)
        inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
        ours, theirs, ratio = interleaved(*make_pair(params, inputs, targets), args.repeats, inner=1)
        print(f"{str((T, B, V, H))}: against PyTorch without oneDNN ({np.median(theirs) * 1e3:.1f} ms): "
              f"{np.median(ratio):.2f}x (ratios {np.min(ratio):.2f}-{np.max(ratio):.2f})")
    rate = step_product_rate(32, 256)
    print(f"the loop's product alone, (32, 256) @ (256, 1024): {rate / 1e9:.0f} GFLOP/s, {rate / peak:.0%} of peak")


if __name__ == "__main__":
    main()
