#!/usr/bin/env bash
# Installs what this repo needs on a fresh Node 20 machine: pnpm, the workspace's packages
# (better-sqlite3 builds from source against the local Node headers) and, when asked for
# with --browser, Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1; then
  echo "[setup] installing pnpm" >&2
  npm i -g pnpm@12 >/dev/null 2>&1 || npm i -g pnpm >/dev/null
fi

if [[ "${1:-}" == "--browser" ]]; then
  chromium="${JAZZ_CHROMIUM:-/usr/bin/chromium}"
  if [[ ! -x "$chromium" ]]; then
    echo "[setup] installing Debian chromium" >&2
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
fi

# pnpm's node-gyp ignores npm's nodedir; pass it on so the native build needs no download.
npm_config_nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [[ -z "$npm_config_nodedir" || "$npm_config_nodedir" == "undefined" ]]; then
  npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
export npm_config_nodedir
if [[ "${CI:-}" == "true" ]]; then
  pnpm install --frozen-lockfile --reporter=append-only >/dev/null
else
  pnpm install --reporter=append-only >/dev/null
fi
