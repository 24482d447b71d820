#!/usr/bin/env node
// npm run setup: migrations, the national division table, the bootstrap admin (idempotent).
const path = require('node:path');
const { ROOT, ensureBuild, ensureDependencies, run } = require('./common');

try {
  ensureDependencies();
  ensureBuild();
  run(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'setup.js')]);
} catch (error) {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
