#!/usr/bin/env bash
# Quick-start step 1: system packages (libfuse 2, the native build tools and the test clients), npm
# dependencies (postinstall patches and builds fuse-native from source) and the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
