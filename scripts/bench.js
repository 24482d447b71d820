#!/usr/bin/env node
// npm run bench: builds the service, then runs bench/run.ts (see bench/README.md).
const { ensureBuild, ensureConsoleBuild, ensureDependencies, run } = require('./common');

try {
  ensureDependencies();
  ensureBuild();
  ensureConsoleBuild();
  run(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', '-r', 'tsconfig-paths/register', 'bench/run.ts', ...process.argv.slice(2)],
    {
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.test.json', TS_NODE_COMPILER_OPTIONS: JSON.stringify({ noEmit: false }) },
    },
  );
} catch (error) {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
