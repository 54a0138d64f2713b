#!/usr/bin/env python3
"""Builds the small scikit-learn assets (run from the repository root; needs `pip install scikit-learn`):

    assets/digits-8x8.bin.gz   sklearn.datasets.load_digits (1,797 8x8 images, values 0..16), "SGNI" format
                               (see scripts/make_mnist_asset.py for the byte layout), max_value = 16
    assets/breast-cancer.csv   sklearn.datasets.load_breast_cancer (569 x 30, 2 classes)
    assets/wine.csv            sklearn.datasets.load_wine (178 x 13, 3 classes)

CSV layout: one header line `f0,...,f{d-1},label` (the feature names are in assets/README.md), then
one sample per line, features as written by repr(float) (exact round trip), the integer class last.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_mnist_asset import write_sgni  # noqa: E402

from sklearn.datasets import load_breast_cancer, load_digits, load_wine  # noqa: E402


def write_csv(path, X, y):
    d = X.shape[1]
    with open(path, "w") as f:
        f.write(",".join([f"f{i}" for i in range(d)] + ["label"]) + "\n")
        for row, lab in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(lab)}\n")


def main():
    digits = load_digits()
    pixels = [int(v) for v in digits.data.astype(int).ravel()]
    write_sgni("assets/digits-8x8.bin.gz", pixels, [int(v) for v in digits.target], 8, 8, 10, 16)
    bc = load_breast_cancer()
    write_csv("assets/breast-cancer.csv", bc.data, bc.target)
    wine = load_wine()
    write_csv("assets/wine.csv", wine.data, wine.target)
    print("digits", digits.data.shape, "breast cancer", bc.data.shape, "wine", wine.data.shape)
    print("breast cancer features:", list(bc.feature_names))
    print("wine features:", list(wine.feature_names))


if __name__ == "__main__":
    main()
