// Shared by the npm scripts: they run from a fresh clone, before anything is built.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
    err.exitCode = result.status ?? 1;
    throw err;
  }
}

/** Installs the locked dependencies when node_modules is missing or older than the lockfile. */
function ensureDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('[liudong] installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Compiles to dist/ when the sources changed since the last build. */
function ensureBuild() {
  const main = path.join(ROOT, 'dist', 'src', 'main.js');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'migrations')));
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= sources) return;
  console.log('[liudong] building (nest build)…');
  run(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] }), 'build']);
}

/** A package's command-line script (workspaces hoist to the root; the console's own node_modules otherwise). */
function binOf(pkg, file) {
  const found = [ROOT, path.join(ROOT, 'console')].map((dir) => path.join(dir, 'node_modules', pkg, file)).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`${pkg} is not installed: run npm ci`);
  return found;
}

/** Builds the web console (Vite, into dist/console) when its sources or the shared labels changed since. */
function ensureConsoleBuild() {
  const index = path.join(ROOT, 'dist', 'console', 'index.html');
  const consoleDir = path.join(ROOT, 'console');
  const inputs = [
    newestMtime(path.join(consoleDir, 'src')),
    ...['index.html', 'vite.config.ts', 'package.json'].map((f) => fs.statSync(path.join(consoleDir, f)).mtimeMs),
    fs.statSync(path.join(ROOT, 'src', 'common', 'labels.ts')).mtimeMs,
  ];
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...inputs)) return;
  console.log('[liudong] building the console (vite build)…');
  run(process.execPath, [binOf('vite', 'bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: consoleDir });
}

module.exports = { ROOT, run, binOf, ensureDependencies, ensureBuild, ensureConsoleBuild };
