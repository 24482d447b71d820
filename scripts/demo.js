#!/usr/bin/env node
// npm run demo: from a fresh clone to a running service. Installs dependencies, starts a local PostgreSQL and
// Redis under .data/ when DATABASE_URL / REDIS_URL are not set, runs setup, loads demo data, starts the service.
// The terminal ends with what a newcomer needs (the address and the logins); the service's JSON logs go to
// .data/demo.log, so they do not push the logins out of sight.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ROOT, ensureBuild, ensureConsoleBuild, ensureDependencies, run } = require('./common');
const { startStack } = require('./local-stack');

/**
 * Stands in for the 企业微信 robot and the webhook some demo accounts send their messages to (reminders.md), so a
 * newcomer sees a digest, a 催办 or a test message arrive: each is printed here and kept in .data/demo-messages.log.
 */
function startReceiver(port, logFile) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let said = body;
      try {
        const json = JSON.parse(body);
        said = json.markdown?.content ?? json.markdown?.text ?? `${json.title}\n${json.body}`;
      } catch {
        // not JSON: shown as it came
      }
      const line = `${new Date().toISOString()} ${req.url.startsWith('/wecom') ? '企业微信' : 'Webhook'} ${said.replace(/\s+/g, ' ')}`;
      fs.appendFileSync(logFile, `${line}\n`);
      console.log(`[收到消息] ${line}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  server.listen(port, '127.0.0.1');
  return server;
}

/** Points two demo accounts' channels at the receiver, through the API as a user would in 消息接收设置. */
async function demoChannels(url, receiver) {
  const channels = [
    { username: 'yangzhai', body: { wecom: { url: `${receiver}/wecom/cgi-bin/webhook/send?key=demo` } } },
    { username: 'guangshui_sup', body: { webhook: { url: `${receiver}/webhook`, secret: 'demo-webhook-secret' } } },
  ];
  for (const { username, body } of channels) {
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'liudong2026' }),
    });
    if (!login.ok) continue;
    const { accessToken } = await login.json();
    await fetch(`${url}/api/me/channels`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(body),
    });
  }
}

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
  console.log('[liudong] loading the demo data (the first time a year of history: a minute or two)…');
  // Its output (the history loaded and the demo accounts) is printed at the end, below everything else.
  const demoData = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/demo-data.js')], {
    cwd: ROOT,
    env,
    stdio: ['inherit', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (demoData.status !== 0) {
    process.stdout.write(demoData.stdout ?? '');
    throw Object.assign(new Error(`loading the demo data failed (${demoData.error?.message ?? `exit ${demoData.status ?? demoData.signal}`})`), {
      exitCode: demoData.status || 1,
    });
  }

  const logFile = path.join(ROOT, '.data', 'demo.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const receiverPort = Number(process.env.DEMO_RECEIVER_PORT || Number(env.PORT) + 1);
  const messagesFile = path.join(ROOT, '.data', 'demo-messages.log');
  const receiver = startReceiver(receiverPort, messagesFile);
  const log = fs.openSync(logFile, 'w');
  const service = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', log, log] });
  let stopping = false;
  const stop = (signal) => {
    stopping = true;
    receiver.close();
    service.kill(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  service.on('exit', (code, signal) => {
    if (!stopping) {
      // Stopped on its own (a port in use, a bad setting): show why, from its log.
      const tail = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      console.error(`[liudong] the service stopped (exit ${code ?? signal}); the end of ${logFile}:\n${tail}`);
    }
    process.exit(code ?? 0);
  });

  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
  }
  await demoChannels(url, `http://127.0.0.1:${receiverPort}`).catch((error) => console.error(`[liudong] demo channels not set: ${error.message}`));
  // The address printed is one that answers (checked here), not the bare API prefix, which is a 404.
  const open = `${url}/`;
  const answer = await fetch(open).catch((error) => ({ ok: false, status: error.message }));
  if (!answer.ok) console.error(`[liudong] WARNING: ${open} answered ${answer.status} (the service's log: ${logFile})`);
  console.log(`
  流动 Liudong is running: open ${open} in a browser (工作台; API docs ${url}/api/docs)
  Try: curl -s ${url}/api/auth/login -H 'content-type: application/json' -d '{"username":"yangzhai","password":"liudong2026"}'
  The service's logs: ${path.relative(process.cwd(), logFile) || logFile} (tail -f it to follow them).
  Messages to 企业微信 / webhooks: yangzhai (企业微信) and guangshui_sup (webhook) send theirs to a receiver on port
  ${receiverPort}, printed here as [收到消息] and kept in ${path.relative(process.cwd(), messagesFile) || messagesFile}: try 消息 → 接收设置 →
  发送测试消息 as yangzhai, or 催办 杨寨镇 from 考核指标 as guangshui_sup (the digest goes out at DIGEST_TIME, 08:30 on working days).
  Stop with Ctrl-C (the local PostgreSQL and Redis keep running: node scripts/local-stack.js stop).

${demoData.stdout.trimEnd()}
  and the national admin (全国, made by the first setup of this database): ${env.BOOTSTRAP_ADMIN_USERNAME} / ${env.BOOTSTRAP_ADMIN_PASSWORD}
`);
}

main().catch((error) => {
  console.error(`[liudong] ${error.message}`);
  process.exit(error.exitCode ?? 1);
});
