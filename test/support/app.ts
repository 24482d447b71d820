import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/config';
import { ProcessRole } from '@/app.module';
import { createApp } from '@/configure-app';
import { dataSourceOptions } from '@/database/data-source-options';
import { BOOTSTRAP_ADMIN, testConfig } from './env';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The service's own connection: the app role (DATABASE_APP_ROLE), as in production. */
  db: DataSource;
  /**
   * The tables' owner (DATABASE_URL), for what a test does behind the service's back and the service may not: test
   * triggers, `rate_rebuild()`. Connects on first use.
   */
  owner: Pick<DataSource, 'query'>;
  http: () => ReturnType<typeof request>;
  /** Logs in (once per username) and returns the bearer token. */
  token: (username?: string, password?: string) => Promise<string>;
  close: () => Promise<void>;
}

/** The real application, configured exactly as main.ts does it, on this worker's database and Redis. */
export async function startTestApp(overrides: Record<string, string> = {}, role: ProcessRole = 'all'): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await createApp(config, role);
  // A real listening socket on loopback: requests go through TCP exactly as a client's would.
  await app.listen(0, '127.0.0.1');
  const server = await app.getUrl();
  const tokens = new Map<string, string>();
  let owner: Promise<DataSource> | undefined;
  const ownerDb = () => (owner ??= new DataSource({ ...dataSourceOptions(config.databaseUrl), migrations: [], name: 'owner' }).initialize());
  return {
    app,
    config,
    db: app.get(DataSource),
    owner: { query: async (sql: string, params?: unknown[]) => (await ownerDb()).query(sql, params) },
    http: () => request(server),
    token: async (username = BOOTSTRAP_ADMIN.username, password = BOOTSTRAP_ADMIN.password) => {
      const cached = tokens.get(username);
      if (cached) return cached;
      const res = await request(server).post('/api/auth/login').send({ username, password });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      tokens.set(username, res.body.accessToken);
      return res.body.accessToken as string;
    },
    close: async () => {
      await app.close();
      if (owner) await (await owner).destroy();
    },
  };
}

let counter = 0;
/** A username no other test (or earlier run on the same database) has used. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.env.JEST_WORKER_ID ?? '1'}_${Date.now().toString(36)}_${counter}`;
}

/** Polls until the check returns a value (not undefined/false), or fails after the timeout. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (up to a minute) until a spawned service at `url` answers its health check. */
export async function serviceAnswering(url: string): Promise<void> {
  await waitFor(
    async () =>
      (
        await request(url)
          .get('/api/health')
          .catch(() => undefined)
      )?.status === 200,
    60_000,
    'the service answering',
  );
}

/** The worker as a real process (`main.ts worker`) on the given environment, so a test can kill it or watch it survive. */
export function spawnWorkerProcess(env: Record<string, string>): ChildProcess {
  return spawnService(['worker'], env);
}

/**
 * The service as a real process from the sources: `main.ts` with these arguments (none: as `npm start` runs it);
 * `stdio: 'pipe'` to read what it logs.
 */
export function spawnService(args: string[], env: Record<string, string>, stdio: StdioOptions = 'ignore'): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts', ...args], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      TS_NODE_PROJECT: 'tsconfig.test.json',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ noEmit: false }),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio,
  });
}
