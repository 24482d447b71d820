import { AppConfig, loadConfig } from '@/config/config';

export const BOOTSTRAP_ADMIN = { username: 'admin', password: 'bootstrap-admin-pw' };

/** Databases copied from the template; Jest worker ids run from 1 to maxWorkers. */
export const TEST_WORKER_SLOTS = 4;

export function workerDatabaseName(workerId = process.env.JEST_WORKER_ID ?? '1'): string {
  return `liudong_test_${Number(workerId) % TEST_WORKER_SLOTS || TEST_WORKER_SLOTS}`;
}

let apps = 0;

/** The config a test app runs with: this worker's database, its own Redis key prefix, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const base = process.env.LIUDONG_TEST_DATABASE_URL;
  const redisUrl = process.env.LIUDONG_TEST_REDIS_URL;
  if (!base || !redisUrl) throw new Error('test stack not started: run the tests with `npm test`');
  const url = new URL(base);
  url.pathname = `/${workerDatabaseName()}`;
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    // Each app its own keys: throttle counters live in Redis (shared by a service's processes), and test files that
    // follow each other in one Jest worker must not inherit each other's login counts or queued jobs.
    REDIS_PREFIX: `test${process.env.JEST_WORKER_ID ?? '1'}_${(apps++).toString(36)}_${Date.now().toString(36)}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    BOOTSTRAP_ADMIN_USERNAME: BOOTSTRAP_ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
    // No daily digest unless a test asks for one: at 08:30 on a working day it would tell the clerks of every other
    // test file's places of their due replies, whenever the suite happens to run.
    DIGEST_TIME: 'off',
    ...overrides,
  });
}
