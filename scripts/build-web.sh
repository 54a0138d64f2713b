#!/usr/bin/env bash
# Builds the static site into dist/: release wasm (simd128) → wasm-bindgen → webpack.
# dist/ uses relative URLs only, so it can be served from any static host and any sub-path.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --lib --release --target wasm32-unknown-unknown --no-default-features
wasm-bindgen --target bundler --out-dir pkg target/wasm32-unknown-unknown/release/sgn_lab.wasm
npx --no-install webpack --mode production
