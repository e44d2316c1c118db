#!/usr/bin/env bash
# Quick-start step 1: system packages (libfuse 2 and the test clients), npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
