#!/usr/bin/env node
// npm run fuzz [-- N]: builds the service, then runs bench/fuzz.ts against a throwaway stack (see bench/README.md).
const { ensureBuild, ensureDependencies, run } = require('./common');

try {
  ensureDependencies();
  ensureBuild();
  run(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', '-r', 'tsconfig-paths/register', 'bench/fuzz.ts', ...process.argv.slice(2)],
    {
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.test.json', TS_NODE_COMPILER_OPTIONS: JSON.stringify({ noEmit: false }) },
    },
  );
} catch (error) {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
