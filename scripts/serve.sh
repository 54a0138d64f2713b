#!/usr/bin/env bash
# Quick start 1/2: installs what is missing, builds, and serves the lab at http://127.0.0.1:${PORT:-8080}/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cargo build --lib --release --target wasm32-unknown-unknown --no-default-features
wasm-bindgen --target bundler --out-dir pkg target/wasm32-unknown-unknown/release/sgn_lab.wasm
echo
echo "  sgn-lab is being served at  http://127.0.0.1:${PORT:-8080}/   (Ctrl-C stops it)"
echo
exec npx --no-install webpack serve --mode production
