"""attn's Q8_0 / Q4_0 / Q4_1 block quantizers and dequantizers (src/kernels/ref/ref_quant.c,
called through build/libattn.so) against PyPI gguf's gguf.quants, which reproduces ggml's
reference quantizers: the bytes must be identical, and so must the fp32 values read back."""
import ctypes
import os
from pathlib import Path

import numpy as np
import pytest

import gguf
from gguf import GGMLQuantizationType as T

REPO = Path(__file__).resolve().parents[2]
TYPES = {"Q8_0": (T.Q8_0, 8, 34), "Q4_0": (T.Q4_0, 2, 18), "Q4_1": (T.Q4_1, 3, 20)}


@pytest.fixture(scope="module")
def lib():
    p = REPO / os.environ.get("BUILD", "build") / "libattn.so"
    if not p.exists():
        pytest.fail("%s not found (build it with `make`)" % p)
    lib = ctypes.CDLL(str(p))
    ptr = np.ctypeslib.ndpointer
    lib.quant_quantize_row.argtypes = [ctypes.c_int, ptr(np.float32, flags="C"), ptr(np.uint8, flags="C"),
                                       ctypes.c_int64]
    lib.quant_dequantize_row.argtypes = [ctypes.c_int, ptr(np.uint8, flags="C"), ptr(np.float32, flags="C"),
                                         ctypes.c_int64]
    lib.quant_f32_to_f16.argtypes = [ctypes.c_float]
    lib.quant_f32_to_f16.restype = ctypes.c_uint16
    lib.quant_f16_to_f32_soft.argtypes = [ctypes.c_uint16]
    lib.quant_f16_to_f32_soft.restype = ctypes.c_float
    return lib


def attn_quantize(lib, tid, x):
    x = np.ascontiguousarray(x, dtype=np.float32).ravel()
    out = np.zeros(x.size // 32 * TYPES[tid][2], dtype=np.uint8)
    lib.quant_quantize_row(TYPES[tid][1], x, out, x.size)
    return out


def attn_dequantize(lib, tid, blocks, n):
    out = np.empty(n, dtype=np.float32)
    lib.quant_dequantize_row(TYPES[tid][1], np.ascontiguousarray(blocks, dtype=np.uint8), out, n)
    return out


def cases():
    rng = np.random.default_rng(7)
    yield "normal", rng.standard_normal(32 * 64).astype(np.float32)
    yield "uniform", rng.uniform(-3, 5, 32 * 64).astype(np.float32)
    yield "zeros", np.zeros(32 * 4, np.float32)
    yield "negative zeros", np.full(32 * 2, -0.0, np.float32)
    yield "constant", np.full(32 * 3, 1.25, np.float32)
    yield "negative constant", np.full(32 * 3, -7.0, np.float32)
    # scales beyond fp16's range (they store as infinity) and below it (subnormal or zero)
    yield "huge", (rng.standard_normal(32 * 8) * 1e30).astype(np.float32)
    yield "tiny", (rng.standard_normal(32 * 8) * 1e-6).astype(np.float32)
    yield "subnormal scales", (rng.standard_normal(32 * 8) * 1e-9).astype(np.float32)
    # ties: values that land exactly on .5 of a code step
    ties = np.tile(np.array([127.0, -127.0, 0.5, -0.5, 1.5, -1.5, 2.5, 63.5] * 4, np.float32), 2)
    yield "ties", ties
    yield "one outlier", np.concatenate([np.full(31, 0.01, np.float32), [1000.0]]).astype(np.float32)
    yield "largest fp16", np.full(32, 65504.0 * 127, np.float32)


@pytest.mark.parametrize("tid", list(TYPES))
def test_quantize_matches_gguf(lib, tid):
    for name, x in cases():
        want = gguf.quants.quantize(x.reshape(1, -1), TYPES[tid][0]).ravel()
        got = attn_quantize(lib, tid, x)
        assert got.tobytes() == want.tobytes(), "%s, %s: first differing byte %d" % (
            tid, name, int(np.flatnonzero(got != want)[0]))


@pytest.mark.parametrize("tid", list(TYPES))
def test_dequantize_matches_gguf(lib, tid):
    rng = np.random.default_rng(11)
    # gguf's own blocks of the cases above, and random bytes (every code; any fp16 scale but NaN)
    blobs = [gguf.quants.quantize(x.reshape(1, -1), TYPES[tid][0]).ravel() for _, x in cases()]
    raw = rng.integers(0, 256, size=TYPES[tid][2] * 200, dtype=np.uint8)
    scales = raw.reshape(200, -1)[:, :4].copy().view(np.uint16)
    scales[(scales & 0x7c00) == 0x7c00] &= 0xfbff  # no infinities or NaNs: inf * 0 is NaN on both sides anyway
    raw.reshape(200, -1)[:, :4] = scales.view(np.uint8)
    blobs.append(raw)
    for blob in blobs:
        n = blob.size // TYPES[tid][2] * 32
        want = gguf.quants.dequantize(blob.reshape(1, -1), TYPES[tid][0]).ravel()
        got = attn_dequantize(lib, tid, blob, n)
        assert got.tobytes() == want.astype(np.float32).tobytes()


def test_fp16_conversion_matches_numpy(lib):
    rng = np.random.default_rng(3)
    vals = np.concatenate([
        rng.standard_normal(2000).astype(np.float32) * np.float32(10.0) ** rng.integers(-9, 6, 2000),
        np.array([0.0, -0.0, 65504.0, 65519.0, 65520.0, 1e30, -1e30, np.inf, -np.inf,
                  2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -25, 1e-40], np.float32),
    ])
    for v in vals:
        want = int(np.float32(v).astype(np.float16).view(np.uint16))
        assert lib.quant_f32_to_f16(float(v)) == want, repr(v)
    for h in range(0, 65536, 7):
        f = np.uint16(h).view(np.float16).astype(np.float32)
        got = np.float32(lib.quant_f16_to_f32_soft(h))
        assert (np.isnan(f) and np.isnan(got)) or got.tobytes() == f.tobytes(), h
