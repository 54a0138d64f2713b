#!/usr/bin/env bash
# Regenerates docs/RESULTS.md (and the plots it shows, docs/results/*.svg, plus the tables as CSV)
# from one paper-tour run at the protocol's default size (docs/PROTOCOL.md §1.4) over the CLI's default 10
# replicates (docs/PROTOCOL.md §7.1), natively (≈ 10 min on 2 busy cores).
#   scripts/make-results.sh            # seed 0
#   SEED=3 scripts/make-results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin sgn-lab
out=$(mktemp -d)
target/release/sgn-lab run --preset paper-tour --seed "${SEED:-0}" --out "$out" > "$out/run.json"
rm -rf docs/results && mkdir -p docs/results
# Keep the plots the page links, the tables and the run summary; the full report.json of ten replicates
# (≈ 150 MB, 15 MB gzipped) is not committed: this script regenerates it byte for byte.
sed -E 's#\]\(([^)]*\.svg)\)#](results/\1)#g' "$out/summary.md" > docs/RESULTS.md
grep -oE 'results/[^)]*\.svg' docs/RESULTS.md | sed 's#results/##' | sort -u | while read -r f; do cp "$out/$f" docs/results/; done
cp "$out/table_a.csv" "$out/table_b.csv" "$out/run.json" docs/results/
echo "docs/RESULTS.md written ($(grep -c '' docs/RESULTS.md) lines); run summary: docs/results/run.json"
