#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets into fuzz/corpus/<target>/.

Run from anywhere: `python3 fuzz/make_seeds.py` (needs numpy for the .npy seeds). The seeds
are small real inputs: numbers text, CSV, .npy files written by numpy (float32 / float64,
1-D / 2-D, format 1.0 and 2.0, plus refused variants), SGNI image payloads, the first lines of
the shipped tables, configuration JSON, URL hashes and encoded samples for the statistics
target. Targets whose input starts with option bytes (see each target's doc comment) get
those bytes prepended here by the same layout (`sgn_lab_fuzz::Cursor`: little-endian, a
`range` is a u16, a `bool` is one byte, an f64 is a tag byte plus its payload).

Only seeds are committed; the corpus the fuzzer grows lives in fuzz/corpus-grown/ (ignored).
"""

import base64
import gzip
import io
import json
import math
import os
import struct

import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
CORPUS = os.path.join(ROOT, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr)
    else:
        np.lib.format.write_array(buf, arr, version=version)
    return buf.getvalue()


# Cursor layout helpers (fuzz/src/lib.rs).
def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u64(v):
    return struct.pack("<Q", v)


def f64_small(x):
    """Tag 4: i16 / 256 (exact for multiples of 1/256 in ±128)."""
    return u8(4) + struct.pack("<h", int(round(x * 256)))


def f64_raw(x):
    """Tag 0: raw f64 bits."""
    return u8(0) + struct.pack("<d", x)


def f64_scaled(m, e):
    """Tag 3: i16 mantissa × 10^(e), e in -12..=12."""
    return u8(3) + struct.pack("<h", m) + u8(e + 12)


def f64s(values):
    """`Cursor::f64s`: a u16 count, then the encoded values."""
    return u16(len(values)) + b"".join(values)


rng = np.random.default_rng(7)

# --- numbers_text -------------------------------------------------------------------------
write("numbers_text", "plain", "1 2 3 4.5\n-0.25\n")
write("numbers_text", "mixed", "1, 2\n3\t4.5e1 # comment 99\n\n-0.5\r\n+7E-3,,0x\n")
pareto = (1.0 - rng.random(60)) ** (-1.0 / 1.5)
write("numbers_text", "pareto", "\n".join(repr(float(v)) for v in pareto) + "\n")
write("numbers_text", "gauss_csv_line", ",".join(f"{v:.6g}" for v in rng.normal(size=40)) + "\n")
write("numbers_text", "nonfinite", "1 2 nan\ninf -inf 1e999\n")
write("numbers_text", "extremes", "5e-324 2.2250738585072014e-308 1.7976931348623157e308 -0 0.1e-400\n")
write("numbers_text", "comments_only", "# nothing here\n   \n#1 2 3\n")
write("numbers_text", "unicode", "1\u00a02\u20033 é 4\n")

# --- csv_matrix ---------------------------------------------------------------------------
write("csv_matrix", "header", "p0,p1,p2\n1,2,3\n4,5,6\n")
write("csv_matrix", "whitespace", "0.1 0.2\n0.3 0.4\n\n0.5 0.6\n")
write("csv_matrix", "ragged", "1 2 3\n4 5\n")
write("csv_matrix", "crlf_comment", "a;b,c\r\n1,2 # x\r\n3,4\r\n")
g = rng.standard_t(3, size=(6, 5))
write("csv_matrix", "grads", "\n".join(",".join(f"{v:.8e}" for v in row) for row in g) + "\n")
with open(os.path.join(REPO, "assets", "wine.csv")) as f:
    write("csv_matrix", "wine_head", "".join(f.readlines()[:6]))

# --- npy (mode byte 0: raw file; mode byte 1: version byte, header text, NUL, payload) ----
a32 = rng.standard_normal((3, 4)).astype("<f4")
a64 = rng.standard_normal((4, 3)).astype("<f8")
write("npy", "f4_2d", b"\x00" + npy_bytes(a32))
write("npy", "f8_2d", b"\x00" + npy_bytes(a64))
write("npy", "f8_1d", b"\x00" + npy_bytes(np.arange(1, 6, dtype="<f8")))
write("npy", "f8_v2", b"\x00" + npy_bytes(a64, version=(2, 0)))
write("npy", "fortran", b"\x00" + npy_bytes(np.asfortranarray(a64)))
write("npy", "big_endian", b"\x00" + npy_bytes(a64.astype(">f8")))
write("npy", "int64", b"\x00" + npy_bytes(np.arange(6, dtype="<i8").reshape(2, 3)))
write("npy", "f8_3d", b"\x00" + npy_bytes(np.zeros((1, 2, 2))))
nan = a64.copy()
nan[1, 2] = np.nan
write("npy", "f8_nan", b"\x00" + npy_bytes(nan))
hdr = b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
write("npy", "struct_f8", b"\x01\x00" + hdr + b"\x00" + struct.pack("<4d", 1.0, -2.0, 3.5, 0.25))
hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
write("npy", "struct_f4_v3", b"\x01\x02" + hdr + b"\x00" + struct.pack("<3f", 1.0, 2.0, 3.0))
hdr = b'{"descr": "<f8", "fortran_order": False, "shape": (18446744073709551615L, 2)}'
write("npy", "struct_huge_shape", b"\x01\x01" + hdr + b"\x00")

# --- dataset_assets -----------------------------------------------------------------------
# Prefix: sel u8, n_train range (u16), n_test range (u16), noise u8, flags u8, seed u64.
def ds_prefix(sel, n_train=0, n_test=0, noise=0, flags=0, seed=0):
    return u8(sel) + u16(n_train) + u16(n_test) + u8(noise) + u8(flags) + u64(seed)


def sgni(n, rows, cols, n_classes, max_value, pixels, labels):
    head = b"SGNI" + struct.pack("<HIHHHH", 1, n, rows, cols, n_classes, max_value)
    return head + bytes(pixels) + bytes(labels)


mn = sgni(2, 28, 28, 10, 255, rng.integers(0, 256, 2 * 784), [3, 7])
dg = sgni(5, 8, 8, 10, 16, rng.integers(0, 17, 5 * 64), [0, 1, 2, 3, 4])
write("dataset_assets", "mnist_raw", ds_prefix(0x80) + mn)
write("dataset_assets", "mnist_raw_down2", ds_prefix(0x81, flags=4) + mn)
write("dataset_assets", "mnist_gzip", ds_prefix(0x00) + gzip.compress(mn, mtime=0))
write("dataset_assets", "digits_raw", ds_prefix(0x82, n_train=3, n_test=2, noise=2, flags=0x0B, seed=5) + dg)
write("dataset_assets", "digits_gzip", ds_prefix(0x02) + gzip.compress(dg, mtime=0))
with open(os.path.join(REPO, "assets", "breast-cancer.csv")) as f:
    write("dataset_assets", "breast_cancer_head", ds_prefix(0x03, flags=1, n_train=4) + "".join(f.readlines()[:8]).encode())
with open(os.path.join(REPO, "assets", "wine.csv")) as f:
    write("dataset_assets", "wine_head", ds_prefix(0x04, noise=3) + "".join(f.readlines()[:8]).encode())
write("dataset_assets", "wine_huge_values", ds_prefix(0x04) + b"a,b,label\n3.4e38,1,0\n-3.4e38,2,1\n-3.4e38,3,0\n3e38,4,1\n-1e38,5,2\n")

# --- config_json --------------------------------------------------------------------------
write("config_json", "empty", "{}")
write("config_json", "batch", '{"training": {"batch_size": 64, "lr": 0.05}}')
write("config_json", "digits_small", json.dumps({
    "data": {"dataset": {"kind": "digits8x8"}, "n_train": 1000, "n_test": 400, "label_noise": 0.4},
    "model": {"kind": "fcn", "hidden": [32, 32], "activation": "tanh"},
    "training": {"schedule": {"kind": "constant"}, "epochs": 4, "precision": "f64"},
    "analysis": {"rule": "clauset", "level": 0.01, "k": 200, "n_cov": 300, "spectrum_k": 50, "davis_kahan_top": 10},
    "seed": 42,
}))
write("config_json", "mixture", json.dumps({
    "data": {"dataset": {"kind": "gaussian_mixture", "n": 500, "d": 8, "n_classes": 3, "separation": 1.5, "seed": 3}},
    "model": {"kind": "lenet", "activation": "relu"},
    "logging": {"n_tracked": 20, "full_every": 0},
    "memory_cap": 1073741824,
}))
write("config_json", "teacher", json.dumps({
    "data": {"dataset": {"kind": "teacher", "n": 200, "d": 4, "n_classes": 2, "hidden": 8, "seed": 1}, "random_labels": True},
    "training": {"schedule": {"kind": "step_decay", "milestones": [0.5], "factor": 0.5}, "momentum": 0.0, "weight_decay": 0.0},
    "analysis": {"draws": 5000, "dim_draws": 100, "n_cov": 0, "baseline": False, "measure_init": True},
}))
write("config_json", "out_of_range", '{"training": {"lr": 1e308, "batch_size": 18446744073709551615}, "analysis": {"n_cov": 18446744073709551615, "draws": 18446744073709551615}, "memory_cap": 4294967296}')
write("config_json", "wrong", '{"nope": 1, "training": {"lr": "fast"}}')

# --- url_hash (mode 0: the hash itself; mode 1: JSON the harness encodes) ----------------
def hash_of(obj):
    body = base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=")
    return b"v1." + body


write("url_hash", "default", b"\x00v1.")
write("url_hash", "default_hash", b"\x00#v1.")
write("url_hash", "batch64", b"\x00" + hash_of({"training": {"batch_size": 64}}))
write("url_hash", "digits", b"\x00" + hash_of({"data": {"dataset": {"kind": "digits8x8"}}, "model": {"hidden": [32]}, "seed": 9}))
write("url_hash", "json_wine", b"\x01" + json.dumps({"data": {"dataset": {"kind": "wine"}, "n_train": 100}, "analysis": {"k": None}}).encode())
write("url_hash", "json_schedule", b"\x01" + json.dumps({"training": {"schedule": {"kind": "constant"}}, "model": {"kind": "lenet"}}).encode())
write("url_hash", "bad_prefix", b"\x00v2.e30")
write("url_hash", "padded", b"\x02e30=")

# --- upload (options: rows bool, rule bool, k u16, level u8, max_samples u8, spectrum bool, seed u64) ---
def up_prefix(rows=1, paper=1, k=0, level=0, max_samples=4, spectrum=1, seed=0):
    return u8(rows) + u8(paper) + u16(k) + u8(level) + u8(max_samples) + u8(spectrum) + u64(seed)


gt = rng.standard_t(2, size=(12, 16))
write("upload", "npy_t2", up_prefix() + npy_bytes(gt.astype("<f8")))
write("upload", "npy_f4_clauset", up_prefix(paper=0, level=1) + npy_bytes(gt[:, :8].astype("<f4")))
write("upload", "csv", up_prefix(rows=0, k=2 * 20 + 1) + ("\n".join(",".join(f"{v:.5g}" for v in row) for row in gt[:10, :6]) + "\n").encode())
write("upload", "csv_header", up_prefix(max_samples=2, level=2) + b"g0,g1,g2\n0.1,-0.2,0.3\n0.0,0.5,-0.1\n1e-3,2e-3,-4e-3\n")
write("upload", "one_row", up_prefix() + b"1 2 3 4 5 6 7 8 9 10 11 12\n")
write("upload", "constant", up_prefix() + npy_bytes(np.ones((4, 4))))

# --- stats (sel u8, then the path's parameters, then `f64s`) -------------------------------
# stats_cheap (sel 0/1): level u8, k range, block bool [+range], k_test bool [+range], seed u64.
def cheap_prefix(sel=0, level=0, k=1000, block=None, k_test=None, seed=0):
    b = u8(sel) + u8(level) + u16(k)
    b += u8(1) if block is None else u8(0) + u16(block)
    b += u8(1) if k_test is None else u8(0) + u16(k_test - 2)
    return b + u64(seed)


normal = [f64_small(v) for v in np.clip(rng.normal(size=60), -100, 100)]
par = [f64_scaled(int(min(v, 3.2e4)), -2) for v in (1.0 - rng.random(120)) ** (-1.0 / 1.2)]
raw = [f64_raw(float(v)) for v in rng.standard_cauchy(80)]
write("stats", "cheap_normal", cheap_prefix() + f64s(normal))
write("stats", "cheap_pareto", cheap_prefix(level=1, k=50, block=5, k_test=40) + f64s(par))
write("stats", "cheap_cauchy_raw", cheap_prefix(sel=1, level=2) + f64s(raw))
write("stats", "cheap_nan", cheap_prefix() + f64s(normal[:20] + [u8(1) + u8(0)] + normal[20:30]))
write("stats", "cheap_extremes", cheap_prefix() + f64s([f64_raw(v) for v in [1e308, -1e308, 1.7e308, -1.79e308, 5e-324, 3.0, -2e307, 1e-300, 8.0, 2.0]]))


# stats_clauset (sel 2): level u8, ks bool, min_tail, grid_above, grid_size (ranges),
# replicates range, boot seed u64, rule bool, k bool [+range], reps range, seed u64, parts range.
def clauset_prefix(level=0, min_tail=10, grid_above=400, grid_size=20, reps=2, rule_clauset=1, parts=2):
    b = u8(2) + u8(level) + u8(1) + u16(min_tail - 2) + u16(grid_above) + u16(grid_size - 2)
    b += u16(reps - 1) + u64(1) + u8(rule_clauset) + u8(1) + u16(reps) + u64(2) + u16(parts - 1)
    return b


write("stats", "clauset_pareto", clauset_prefix() + f64s(par))
write("stats", "clauset_grid", clauset_prefix(min_tail=5, grid_above=30, grid_size=8, parts=3) + f64s(par + normal[:40]))
write("stats", "clauset_paper_boot", clauset_prefix(rule_clauset=0, reps=3) + f64s(raw))


# stats_spectrum (sel 3): d range, level u8, k bool [+range], skip range, n range, gram_d range,
# sort bool, rank u16.
def spectrum_prefix(d=4, n=4, skip=0, gram_d=3, sort=1, rank=8):
    return u8(3) + u16(d - 1) + u8(0) + u8(1) + u16(skip) + u16(n) + u16(gram_d - 1) + u8(sort) + u16(rank)


write("stats", "spectrum_t", spectrum_prefix() + f64s([f64_small(v) for v in np.clip(rng.standard_t(3, 48), -100, 100)]))
write("stats", "spectrum_wide", spectrum_prefix(d=8, n=5) + f64s([f64_raw(float(v)) for v in rng.standard_normal(40)]))
write("stats", "spectrum_huge_mean", spectrum_prefix(d=2, n=3) + f64s([f64_raw(1e8 + float(v) * 1e-6) for v in rng.standard_normal(24)]))


# --- bundle (mode u8: even = raw archive, odd = built; then rule bool, k: bool [+range], max_samples range) ---
import sys as _sys  # noqa: E402

_sys.path.insert(0, os.path.join(REPO, "recipes"))
import bundle as _bundle  # noqa: E402


def bundle_prefix(raw=True, paper=1, k=None, max_samples=4):
    b = u8(0 if raw else 1) + u8(paper)
    b += u8(1) if k is None else u8(0) + u16(k - 2)
    return b + u16(max_samples - 1)


def npz_bytes(head, compressed=False, **parts):
    buf = io.BytesIO()
    _bundle.write_bundle(buf, head, compressed=compressed, **parts)
    return buf.getvalue()


_g = rng.standard_t(3, size=(2, 20)) * 1e-3
_gs = rng.standard_t(3, size=(5, 4))
_k = _gs @ _gs.T
_head = _bundle.header("seed", 20, model="tiny", n=100, b=8, step=3, seed=1, coordinates=[1, 5, 9], steps=30, draws=30,
                       gram={"n": 5, "p": 4, "trace": float(np.trace(_k)), "centred": False})
_parts = dict(dim_g=_g, dim_full=_g.mean(axis=0), iter_g=rng.standard_normal((30, 3)), iter_draws=rng.standard_normal((30, 3)),
              iter_full=np.zeros(3), gram=_k)
write("bundle", "all_parts", bundle_prefix() + npz_bytes(_head, **_parts))
write("bundle", "all_parts_deflated", bundle_prefix(paper=0, k=12) + npz_bytes(_head, compressed=True, **_parts))
write("bundle", "gram_only", bundle_prefix() + npz_bytes({k: v for k, v in _head.items() if k != "iter"}, gram=_k))
write("bundle", "not_psd", bundle_prefix() + npz_bytes(_bundle.header("seed", 3, gram={"n": 2, "p": 3, "trace": 2.0, "centred": False}),
                                                       gram=np.array([[1.0, 2.0], [2.0, 1.0]])))
write("bundle", "built", bytes([1]) + bytes(range(1, 200)))

total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(CORPUS) for f in fs)
print(f"wrote seeds into {CORPUS}: {total} bytes")
