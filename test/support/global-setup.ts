// Jest's moduleNameMapper does not apply to global setup; resolve the @/ alias here.
import 'tsconfig-paths/register';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@/config/config';
import { runSetup } from '@/cli/setup';
import { BOOTSTRAP_ADMIN, TEST_WORKER_SLOTS, workerDatabaseName } from './env';

import { startStack } from '../../scripts/local-stack';

/**
 * Once per `npm test`: a throwaway PostgreSQL and Redis (unless DATABASE_URL/REDIS_URL are given), a template
 * database set up exactly as `npm run setup` does it, and one copy of it per Jest worker so files run in parallel.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    const stack = await startStack({ dir: mkdtempSync(join(tmpdir(), 'liudong-test-')), persistent: false });
    (globalThis as { __liudongStack?: { stop(): Promise<void> } }).__liudongStack = stack;
    databaseUrl = stack.databaseUrl;
    redisUrl = stack.redisUrl;
  }
  const templateUrl = withDatabase(databaseUrl, 'liudong_test_template');
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS liudong_test_template WITH (FORCE)');
    await admin.query('CREATE DATABASE liudong_test_template');
    await runSetup(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: templateUrl,
        REDIS_URL: redisUrl,
        BOOTSTRAP_ADMIN_USERNAME: BOOTSTRAP_ADMIN.username,
        BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
      }),
    );
    for (let slot = 1; slot <= TEST_WORKER_SLOTS; slot++) {
      const name = workerDatabaseName(String(slot));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE liudong_test_template`);
    }
  } finally {
    await admin.end();
  }
  process.env.LIUDONG_TEST_DATABASE_URL = databaseUrl;
  process.env.LIUDONG_TEST_REDIS_URL = redisUrl;
  console.log(`\n[test] PostgreSQL and Redis ready, schema and division table loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
