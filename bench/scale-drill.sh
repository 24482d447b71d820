#!/usr/bin/env bash
# Scale-out drill (quality.md, issue 18): bench/scale-drill.sh [registrations, default 3000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node -e "require('./scripts/common').ensureDependencies(); require('./scripts/common').ensureBuild()"
TS_NODE_PROJECT=tsconfig.test.json TS_NODE_COMPILER_OPTIONS='{"noEmit":false}' \
  exec node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/scale-drill.ts "${1:-3000}"
