#!/usr/bin/env bash
# Checks the gradient-dump recipes (recipes/) end to end with recipes/check.py, and with
# --fixtures rewrites the committed bundles of tests/fixtures/bundle/ from them.
#
#   scripts/check-recipes.sh [--fixtures]
#
# 1. numpy: bundle.dump with a closed-form model (needs only numpy);
# 2. JAX: jax_dump on a tiny MLP, in the venv recipes/.venv (numpy + jax[cpu] pinned in
#    recipes/requirements-check.txt, ~620 MB installed; created on first use);
# 3. PyTorch: torch_dump on the same MLP with the JAX run's weights, when some python3 can
#    import torch. PyPI's torch wheel for Linux x86_64 is the CUDA build (539 MB for 2.15.0 plus
#    several GB of CUDA libraries), so this uses Debian 12's CPU build instead
#    (`apt-get install python3-torch`: torch 1.13.1, 134 MB download; the recipe falls back to
#    functorch there), or TORCH_PYTHON=/path/to/python with torch installed.
#
# Not part of `make test` (heavy Python packages); `make test` analyses the committed bundles
# natively (tests/analyze_bundle.rs) and in the page (tests/e2e/upload.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=()
[[ "${1:-}" == "--fixtures" ]] && fixtures=(--fixtures tests/fixtures/bundle)

cargo build --quiet --bin sgn-lab
lab=target/debug/sgn-lab
out=target/check-recipes
rm -rf "$out"
mkdir -p "$out"

venv=recipes/.venv
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r recipes/requirements-check.txt
fi
py="$venv/bin/python"

"$py" recipes/check.py numpy --out "$out" --sgn-lab "$lab"
"$py" recipes/check.py jax --out "$out" --sgn-lab "$lab" "${fixtures[@]}"

torch_py="${TORCH_PYTHON:-}"
if [[ -z "$torch_py" ]]; then
  for c in "$py" /usr/bin/python3 python3; do
    if "$c" -c 'import torch' 2>/dev/null; then torch_py="$c"; break; fi
  done
fi
if [[ -n "$torch_py" ]]; then
  "$torch_py" recipes/check.py torch --out "$out" --sgn-lab "$lab" "${fixtures[@]}"
else
  echo "torch: no python3 here imports torch; skipped (apt-get install python3-torch, or set TORCH_PYTHON)"
fi
echo "check-recipes: done"
