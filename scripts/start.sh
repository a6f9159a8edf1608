#!/usr/bin/env bash
# The README's main command: installs what is needed (scripts/setup.sh), then serves the React
# todo example with Vite on 127.0.0.1 — with jazzPlugin's embedded local sync server when the
# example's vite.config.ts enables it — and prints the URL. PORT overrides the default 5173.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
port="${PORT:-5173}"
echo "[start] serving examples/todo-react at http://127.0.0.1:${port}/" >&2
# The examples use jazz-tools as users get it: the built package (dist/).
pnpm run build >&2
cd examples/todo-react
exec pnpm exec vite --host 127.0.0.1 --port "$port" --strictPort
