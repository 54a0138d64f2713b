#!/usr/bin/env bash
# Idempotent bootstrap for sgn-lab on a fresh Debian 12 machine (see docs/ARCHITECTURE.md, "Toolchain").
#   scripts/bootstrap.sh          wasm target, wasm-bindgen-cli (pinned), npm ci
#   scripts/bootstrap.sh --test   the above, plus Debian's chromium + chromium-driver for the browser tests
# Every step is skipped when what it installs is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."

# The wasm-bindgen version is pinned exactly in Cargo.toml; the CLI must match it.
WB_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -1)
[ -n "$WB_VERSION" ] || { echo "bootstrap: cannot read the wasm-bindgen pin from Cargo.toml" >&2; exit 1; }
log() { printf '\033[1mbootstrap:\033[0m %s\n' "$*" >&2; }

# 1. The wasm target (the machine's only toolchain is rustup-managed stable).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the pinned version.
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "installing wasm-bindgen-cli $WB_VERSION (takes a few minutes once)"
  # `--locked` fails here: its lock file wants a webpki-roots release the registry does not serve.
  # Re-lock that one crate to the previous patch release and install from the unpacked source.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked >/dev/null 2>&1 || true
  crate=$(ls -1 "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/wasm-bindgen-cli-"$WB_VERSION".crate 2>/dev/null | head -1 || true)
  if [ -z "$(wasm-bindgen --version 2>/dev/null | grep -F "$WB_VERSION")" ]; then
    installed=0
    if [ -n "$crate" ]; then
      src=$(mktemp -d); tar -xzf "$crate" -C "$src"
      ( cd "$src/wasm-bindgen-cli-$WB_VERSION" && cargo update -p webpki-roots --precise 1.0.10 >/dev/null 2>&1 \
          && cargo install --path . --locked ) && installed=1 || true
      rm -rf "$src"
    fi
    [ "$installed" = 1 ] || cargo install wasm-bindgen-cli --version "$WB_VERSION"
  fi
fi

# 3. npm packages from the committed lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 4. Browser for the tests.
if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "installing Debian chromium + chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
log "ready"
