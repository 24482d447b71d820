#!/usr/bin/env node
// npm test: from a fresh clone, install what is missing, type-check, then every test. Jest's global setup
// starts a throwaway PostgreSQL and Redis (scripts/local-stack.js) unless DATABASE_URL and REDIS_URL are set.
const { spawnSync } = require('node:child_process');
const { binOf, ensureConsoleBuild, ensureDependencies, run } = require('./common');
const { installPackages } = require('./system-packages');

/** The PDF test reads certificates back with poppler's pdftotext; install it where we may (Debian, as root). */
function ensurePoppler() {
  if (spawnSync('pdftotext', ['-v']).error === undefined) return;
  const problem = installPackages(['poppler-utils'], (message) => console.log(`[liudong] ${message}`));
  if (problem) console.warn(`[liudong] pdftotext not found (${problem}): install poppler-utils (apt) or poppler (brew) for the certificate PDF test`);
}

try {
  ensureDependencies();
  ensurePoppler();
  // The browser tests drive the built console, served by the service under test.
  ensureConsoleBuild();
  console.log('[liudong] type-checking…');
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
  // The console against the API types generated from the service (a stale client fails here or in its test).
  run(process.execPath, [binOf('vue-tsc', 'bin/vue-tsc.js'), '--noEmit', '-p', 'console/tsconfig.json']);
  run(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { env: { ...process.env, TZ: 'UTC' } });
} catch (error) {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
