#!/usr/bin/env node
// Every installed package must run on every Node.js the README names (docs/decisions.md, "Node versions"):
// npm only warns (EBADENGINE) when one does not, and a warning at install is easy to miss. Run by .ci/run.
'use strict';
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const semver = require('semver');

/** The oldest release of each line the README supports. */
const SUPPORTED = ['20.19.0', '22.12.0', '24.11.0'];

const root = join(__dirname, '..');
const problems = [];

function visit(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      visit(path);
      continue;
    }
    check(path);
    visit(join(path, 'node_modules'));
  }
}

function check(path) {
  const file = join(path, 'package.json');
  if (!existsSync(file)) return;
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  const range = pkg.engines && typeof pkg.engines === 'object' ? pkg.engines.node : undefined;
  if (typeof range !== 'string' || !semver.validRange(range)) return;
  const refused = SUPPORTED.filter((v) => !semver.satisfies(v, range));
  if (refused.length) problems.push(`${pkg.name}@${pkg.version} requires node ${range} (not ${refused.join(', ')})`);
}

visit(join(root, 'node_modules'));
if (problems.length) {
  console.error(`[engines] ${problems.length} installed package(s) do not support every Node.js the README names (${SUPPORTED.join(', ')}):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`[engines] every installed package supports Node.js ${SUPPORTED.join(', ')}`);
