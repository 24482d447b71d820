#!/usr/bin/env node
// npm run demo: from a fresh clone to a running service. Installs dependencies, starts a local PostgreSQL and
// Redis under .data/ when DATABASE_URL / REDIS_URL are not set, runs setup, loads demo data, starts the service.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { ROOT, ensureBuild, ensureConsoleBuild, ensureDependencies, run } = require('./common');
const { startStack } = require('./local-stack');

async function main() {
  ensureDependencies();
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV || 'development',
    BOOTSTRAP_ADMIN_USERNAME: process.env.BOOTSTRAP_ADMIN_USERNAME || 'admin',
    BOOTSTRAP_ADMIN_PASSWORD: process.env.BOOTSTRAP_ADMIN_PASSWORD || 'liudong-admin',
    PORT: process.env.PORT || '3000',
  };
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    const stack = await startStack({ dir: path.join(ROOT, '.data'), persistent: true });
    env.DATABASE_URL = env.DATABASE_URL || stack.databaseUrl;
    env.REDIS_URL = env.REDIS_URL || stack.redisUrl;
  }
  ensureBuild();
  ensureConsoleBuild();
  run(process.execPath, [path.join(ROOT, 'dist/src/cli/setup.js')], { env });
  run(process.execPath, [path.join(ROOT, 'dist/src/cli/demo-data.js')], { env });

  const service = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: 'inherit' });
  const stop = (signal) => service.kill(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  service.on('exit', (code) => process.exit(code ?? 0));

  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
  }
  // The address printed is one that answers (checked here), not the bare API prefix, which is a 404.
  const open = `${url}/`;
  const answer = await fetch(open).catch((error) => ({ ok: false, status: error.message }));
  if (!answer.ok) console.error(`[liudong] WARNING: ${open} answered ${answer.status}`);
  console.log(`
  流动 Liudong is running: open ${open} in a browser (工作台; API docs ${url}/api/docs)
  Admin login: ${env.BOOTSTRAP_ADMIN_USERNAME} / ${env.BOOTSTRAP_ADMIN_PASSWORD}; demo accounts above (password liudong2026).
  Try: curl -s ${url}/api/auth/login -H 'content-type: application/json' -d '{"username":"yangzhai","password":"liudong2026"}'
  Stop with Ctrl-C (the local PostgreSQL and Redis keep running: node scripts/local-stack.js stop).
`);
}

main().catch((error) => {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
});
