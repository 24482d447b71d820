#!/usr/bin/env node
// npm test: from a fresh clone, install what is missing, type-check, then every test. Jest's global setup
// starts a throwaway PostgreSQL and Redis (scripts/local-stack.js) unless DATABASE_URL and REDIS_URL are set.
const { ensureDependencies, run } = require('./common');

try {
  ensureDependencies();
  console.log('[liudong] type-checking…');
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
  run(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { env: { ...process.env, TZ: 'UTC' } });
} catch (error) {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
