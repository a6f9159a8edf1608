#!/usr/bin/env bash
# The one test command: installs what is needed, then runs every test (Node, real Chromium,
# end-to-end against real server processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
# The examples and the consumer test use the built package.
pnpm run build
pnpm exec vitest run "$@"
# The package as users get it: packed, installed outside the repo, type-checked, built, run.
if [[ $# -eq 0 ]]; then bash scripts/consumer-test.sh; fi
