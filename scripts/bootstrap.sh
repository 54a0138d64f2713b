#!/usr/bin/env bash
# Idempotent bootstrap for sgn-lab on a fresh Debian 12 machine (see docs/ARCHITECTURE.md, "Toolchain").
#   scripts/bootstrap.sh          wasm target, wasm-bindgen-cli (pinned), npm ci
#   scripts/bootstrap.sh --test   the above, plus the browsers of the tests, all from Debian: chromium +
#                                 chromium-driver, firefox-esr (driven over WebDriver BiDi), and
#                                 webkit2gtk-driver (WebKitWebDriver; MiniBrowser comes with its
#                                 libwebkit2gtk-4.1-0) with xvfb + xauth (xvfb-run: MiniBrowser needs a display)
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
# rustfmt and clippy (the hygiene suite of scripts/test.sh); rustup's default profile has them.
for c in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$c"; then
    log "adding rust component $c"
    rustup component add "$c"
  fi
done

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

# 4. Browsers for the tests (tests/e2e/engines/driver.mjs names the same paths).
MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/firefox-esr ] \
    || [ ! -x /usr/bin/WebKitWebDriver ] || [ ! -x "$MINIBROWSER" ] || [ ! -x /usr/bin/xvfb-run ] || [ ! -x /usr/bin/xauth ]; then
    log "installing Debian chromium, chromium-driver, firefox-esr, webkit2gtk-driver, xvfb, xauth"
    export DEBIAN_FRONTEND=noninteractive
    # apt may be held by another installer for a while: retry the lock, not the failure.
    for i in 1 2 3 4 5 6; do
      if apt-get update -qq && apt-get install -y -qq chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth >/dev/null; then
        break
      fi
      [ "$i" = 6 ] && { echo "bootstrap: apt-get install failed" >&2; exit 1; }
      log "apt busy or failing; retrying in 20 s"; sleep 20
    done
  fi
  [ -x "$MINIBROWSER" ] || { echo "bootstrap: MiniBrowser not at $MINIBROWSER (see: dpkg -L libwebkit2gtk-4.1-0 | grep MiniBrowser)" >&2; exit 1; }
fi
log "ready"
