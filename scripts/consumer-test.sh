#!/usr/bin/env bash
# The consumer test: the packed package installed outside the repo (scripts/consumer/run.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/consumer/run.mjs "$@"
