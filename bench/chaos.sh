#!/usr/bin/env bash
# Fault drill (quality.md Reliability): bench/chaos.sh [registrations, default 1000; the full drill is 5000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node -e "require('./scripts/common').ensureDependencies(); require('./scripts/common').ensureBuild()"
TS_NODE_PROJECT=tsconfig.test.json TS_NODE_COMPILER_OPTIONS='{"noEmit":false}' \
  exec node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/chaos.ts "${1:-1000}"
