#!/usr/bin/env bash
# Long-running fuzzing of every parser, decoder and statistics entry point (docs/RELIABILITY.md,
# "Fuzzing"). NOT part of `make test`.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Runs each target (default: all of `cargo fuzz list`) for SECONDS (default 600), one after the
# other, at the lowest CPU priority. Needs the nightly toolchain (`rustup toolchain install
# nightly`); installs cargo-fuzz from crates.io when it is missing. The committed seeds in
# fuzz/corpus/<target>/ are read but never written: inputs the fuzzer finds go to
# fuzz/corpus-grown/<target>/ (git-ignored), crashes to fuzz/artifacts/<target>/, and each run's
# libFuzzer output to fuzz/logs/<target>.log (git-ignored). The final line per target summarises
# executions, coverage (cov = covered edges, ft = features) and whether it crashed.
#
# Reproduce a crash:  cd fuzz && cargo +nightly fuzz run TARGET artifacts/TARGET/crash-…
# Minimise it:        cd fuzz && cargo +nightly fuzz tmin TARGET artifacts/TARGET/crash-…
set -euo pipefail

SECONDS_PER_TARGET="${1:-600}"
shift || true
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz from crates.io" >&2
    cargo install cargo-fuzz
fi

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo +nightly fuzz list)
fi

mkdir -p logs
status=0
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus-grown/$t" "corpus/$t"
    echo "== $t: ${SECONDS_PER_TARGET} s" >&2
    set +e
    nice -n 19 cargo +nightly fuzz run "$t" "corpus-grown/$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"logs/$t.log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$t.log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "logs/$t.log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        echo "$t: ok, ${execs:-?} execs (${rate:-?}/s), ${cov:-no coverage line}"
    else
        status=1
        echo "$t: FAILED (exit $rc) after ${execs:-?} execs, ${cov:-?}; see fuzz/logs/$t.log and fuzz/artifacts/$t/"
    fi
done
exit "$status"
