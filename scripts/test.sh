#!/usr/bin/env bash
# Quick start 2/2: every test. Installs what is missing (scripts/bootstrap.sh --test), then
#   0. hygiene                 cargo fmt --check, ESLint (eslint.config.mjs), clippy -D warnings (native, all
#                              targets; wasm32 lib)
#   1. native tests            cargo test
#   2. the static site         scripts/build-web.sh → dist/
#   3. browser unit tests      wasm-bindgen-test in headless Chromium (tests/web_*.rs)
#   4. end-to-end tests        playwright-core driving Debian's Chromium against dist/ (tests/e2e/*.test.mjs)
#   5. cross-engine tests      Firefox ESR (puppeteer-core, WebDriver BiDi) and WebKitGTK (WebKitWebDriver +
#                              MiniBrowser under xvfb-run): the cross-engine suite, and one link's report
#                              byte-identical in Chromium, Firefox, WebKit and the CLI (tests/e2e/engines/)
# Screenshots land in test-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
start=$(date +%s)
# A browser that stops answering must fail its suite, not hold CI until its own limit: each browser
# suite has a wall-clock bound far above its healthy time (docs/RELIABILITY.md "CI budget").
bounded() {
  local limit=$1; shift
  timeout --kill-after=30 "$limit" "$@" || { local rc=$?
    [ "$rc" -ge 124 ] && printf 'suite stopped after its %ss bound: %s\n' "$limit" "$*" >&2
    return "$rc"; }
}
# Chromium leaves 40 MB profile dirs in $TMPDIR when a driver kills it; keep them in one place
# that is removed on exit, whatever the outcome.
TMPDIR="$(pwd)/target/test-tmp"
export TMPDIR
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT

section "bootstrap"
scripts/bootstrap.sh --test

section "hygiene (rustfmt, ESLint, clippy native and wasm32)"
t=$(date +%s)
cargo fmt --check
npx eslint .
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings
printf 'hygiene: %ss\n' "$(( $(date +%s) - t ))"

section "native tests (cargo test)"
cargo test

section "build the page (dist/)"
scripts/build-web.sh

section "browser unit tests (wasm-bindgen-test, headless Chromium)"
web_tests=$(ls tests/web_*.rs | xargs -n1 basename | sed 's/\.rs$//' | sed 's/^/--test /' | tr '\n' ' ')
# shellcheck disable=SC2086
cargo test --target wasm32-unknown-unknown --no-default-features $web_tests

section "end-to-end tests (playwright-core + Chromium)"
t=$(date +%s)
bounded 2400 node --test --test-concurrency=1 tests/e2e/*.test.mjs
printf 'Chromium end-to-end tests: %ss\n' "$(( $(date +%s) - t ))"

section "cross-engine tests (Firefox ESR, WebKitGTK; one link in every engine and the CLI)"
t=$(date +%s)
bounded 1800 node --test --test-concurrency=1 tests/e2e/engines/
printf 'cross-engine tests: %ss\n' "$(( $(date +%s) - t ))"

printf '\nall test suites passed in %ss\n' "$(( $(date +%s) - start ))"
