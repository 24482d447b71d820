import { createHash, createPrivateKey, KeyObject } from 'node:crypto';
import { Duration } from 'luxon';
import { TimeLimit, workingDaysLimit } from '@/common/time-limit';
import { readHolidaysFile, WorkingCalendar } from '@/common/working-days';
import { parseRedisUrl } from './redis-url';

// The one place that reads process.env. Every variable of operations.md is parsed and checked here
// once, so a bad value stops the service at boot with its name, never later in a request.

export type NodeEnv = 'production' | 'development' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  /** The owner's connection (DATABASE_URL): setup, migrations and the demo loader; never the service. */
  databaseUrl: string;
  /** The login role the service connects as: not superuser, owns nothing, INSERT and SELECT only on the audit log. */
  databaseAppRole: string;
  databaseAppPassword: string;
  /** The service's connection: DATABASE_APP_URL, or DATABASE_URL's host, port and database as the app role. */
  databaseAppUrl: string;
  /** A streaming replica for the dashboards' reads (rates, trend, exports, drill-down), as the app role; null: the primary. */
  databaseReadUrl: string | null;
  /** Past this lag the dashboards read from the primary instead of the replica. */
  replicaMaxLagMs: number;
  redisUrl: string;
  /** Prefix of every BullMQ and Redis key, so two services (or two test workers) can share a Redis. */
  redisPrefix: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  dataKey: Buffer;
  certSigningKey: KeyObject;
  bootstrapAdminUsername: string;
  bootstrapAdminPassword: string | undefined;
  submissionTimeLimit: TimeLimit;
  replyTimeLimit: TimeLimit;
  replyTimeLimitUrgent: TimeLimit;
  /** Working days (national calendar and HOLIDAYS_FILE), for limits in working days and the daily digest. */
  calendar: WorkingCalendar;
  rateTarget: number;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** Delivery attempts before an exchange is marked failed (dead letter). */
  deliveryAttempts: number;
  /** First retry delay; each further retry doubles it. */
  deliveryBackoffMs: number;
  /** A queued exchange whose job has not run within this is enqueued again (Redis lost it). */
  relayStaleMs: number;
  /** How long a worker holds a job before another may take it over (a killed worker's jobs come back after this). */
  workerLockMs: number;
  /** The longest a request waits on Redis (a hand-off to the queue, a throttle counter) before going on without it. */
  redisTimeoutMs: number;
  /** Where the public can reach the service: the base of the verification URL printed in certificate QR codes. */
  publicUrl: string;
  importMaxBytes: number;
  importMaxRows: number;
  /** Rows registered per transaction by a bulk import; its progress moves by this much. */
  importBatchRows: number;
  /** `npm start`: how many HTTP API processes share the port (the queue workers run in one more process). */
  apiProcesses: number;
  /** DIGEST_TIME: the Beijing wall-clock minute of the day (0–1439) the daily digest goes out on working days; null: off. */
  digestMinute: number | null;
  /** ESCALATE_AFTER: items overdue longer than this are reported to the county's supervisors. */
  escalateAfterMs: number;
  /** How often the workers look whether today's digest is due (DIGEST_CHECK_EVERY; tests shorten it). */
  digestCheckMs: number;
  /** ASSESSMENT_CUTOFF_DAY: the day of the month (1–28) whose end (Beijing) closes the assessment month (assessment.md). */
  assessmentCutoffDay: number;
  /** SMTP_URL: the mail server for the email channel; unset, the email channel is refused with a clear message. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** CHANNEL_ALLOW_PRIVATE: webhook URLs may point at loopback, private or link-local addresses (SSRF rule off). */
  channelAllowPrivate: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置无效 / invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// Dev/test only: stable, clearly insecure defaults so `npm run demo` and `npm test` need no secrets.
const DEV_JWT_SECRET = 'liudong-dev-only-jwt-secret-do-not-use-in-production';
/** The development key (NODE_ENV development or test only; the benchmarks' seed seals with it too). */
export const DEV_DATA_KEY = createHash('sha256').update('liudong-dev-only-data-key').digest();
const DEV_CERT_SEED = createHash('sha256').update('liudong-dev-only-cert-key').digest();
const DEV_APP_PASSWORD = 'liudong-dev-only-app-password';
// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDurationMs(value: string): number {
  // Calendar units (years, months) have no fixed length; time limits are days, hours, minutes, seconds.
  if (!/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(value)) {
    throw new Error(`must be an ISO-8601 duration of weeks/days/hours/minutes/seconds, e.g. P30D or PT2S (got "${value}")`);
  }
  const ms = Duration.fromISO(value).toMillis();
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`must be a positive duration (got "${value}")`);
  return ms;
}

/** A time limit: an ISO-8601 duration (P30D) or working days (15WD), as TimeLimit. */
export function parseTimeLimit(value: string): TimeLimit {
  return workingDaysLimit(value) ?? { text: value, workingDays: null, ms: parseDurationMs(value) };
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The connection string with its user and password replaced: the same server and database as another role. */
function asRole(connection: string, role: string, password: string): string {
  const parsed = new URL(connection);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  // A URL without a host (a Unix socket in ?host=) cannot carry a user; the caller reports it.
  if (decoded(parsed.username) !== role) throw new Error('names no host to connect to as DATABASE_APP_ROLE; give DATABASE_APP_URL');
  return parsed.toString();
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const rawEnv = env.NODE_ENV ?? 'production';
  let nodeEnv: NodeEnv = 'production';
  if (rawEnv === 'production' || rawEnv === 'development' || rawEnv === 'test') nodeEnv = rawEnv;
  else problems.push(`NODE_ENV must be production, development or test (got "${rawEnv}")`);
  const devDefaults = nodeEnv !== 'production';

  function read<T>(name: string, fallback: string | undefined, parse: (v: string) => T): T | undefined {
    const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
    if (raw === undefined) {
      problems.push(`${name} is required`);
      return undefined;
    }
    try {
      return parse(raw);
    } catch (e) {
      problems.push(`${name} ${(e as Error).message}`);
      return undefined;
    }
  }

  const int = (min: number, max: number) => (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`must be an integer from ${min} to ${max} (got "${v}")`);
    return Number(v);
  };
  const url = (protocols: string[]) => (v: string) => {
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new Error('must be a URL');
    }
    if (!protocols.includes(parsed.protocol)) throw new Error(`must start with ${protocols.join(' or ')}`);
    return v;
  };

  const port = read('PORT', '3000', int(1, 65535));
  const database = readDatabase(env, read, url(['postgres:', 'postgresql:']), devDefaults, problems);
  const config = {
    nodeEnv,
    port,
    ...database,
    redisUrl: read('REDIS_URL', undefined, (v) => (parseRedisUrl(v), v)),
    redisPrefix: read('REDIS_PREFIX', 'liudong', (v) => {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(v)) throw new Error('must be 1–32 letters, digits, "_" or "-"');
      return v;
    }),
    jwtSecret: read('JWT_SECRET', devDefaults ? DEV_JWT_SECRET : undefined, (v) => {
      if (v.length < 32) throw new Error('must be at least 32 characters');
      return v;
    }),
    jwtTtlSeconds: read('JWT_TTL', 'PT8H', (v) => Math.round(parseDurationMs(v) / 1000)),
    dataKey: read('DATA_KEY', devDefaults ? DEV_DATA_KEY.toString('base64') : undefined, (v) => {
      const key = Buffer.from(v, 'base64');
      if (key.length !== 32) throw new Error('must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)');
      return key;
    }),
    certSigningKey: read('CERT_SIGNING_KEY', devDefaults ? 'dev' : undefined, (v) => {
      if (v === 'dev' && devDefaults) return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, DEV_CERT_SEED]), format: 'der', type: 'pkcs8' });
      let key: KeyObject;
      try {
        key = createPrivateKey(v.replace(/\\n/g, '\n'));
      } catch {
        throw new Error('must be a PEM private key (`openssl genpkey -algorithm ed25519`)');
      }
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('must be an Ed25519 private key');
      return key;
    }),
    bootstrapAdminUsername: read('BOOTSTRAP_ADMIN_USERNAME', 'admin', (v) => {
      if (!/^[A-Za-z0-9_.-]{3,64}$/.test(v)) throw new Error('must be 3–64 letters, digits, ".", "_" or "-"');
      return v;
    }),
    // Needed only by `npm run setup` when the admin does not exist yet; setup checks it there.
    bootstrapAdminPassword: env.BOOTSTRAP_ADMIN_PASSWORD || undefined,
    submissionTimeLimit: read('SUBMISSION_TIME_LIMIT', 'P15D', parseTimeLimit),
    replyTimeLimit: read('REPLY_TIME_LIMIT', 'P30D', parseTimeLimit),
    replyTimeLimitUrgent: read('REPLY_TIME_LIMIT_URGENT', 'P15D', parseTimeLimit),
    // The national calendar of holidays and make-up working days, with HOLIDAYS_FILE's additions (working-days.ts).
    calendar: new WorkingCalendar(env.HOLIDAYS_FILE ? read('HOLIDAYS_FILE', undefined, readHolidaysFile) : undefined),
    rateTarget: read('RATE_TARGET', '0.9', (v) => {
      const n = Number(v);
      if (!/^\d*\.?\d+$/.test(v) || n < 0 || n > 1) throw new Error(`must be a number from 0 to 1 (got "${v}")`);
      return n;
    }),
    logLevel: read('LOG_LEVEL', 'info', (v) => {
      if (!LOG_LEVELS.includes(v as LogLevel)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')} (got "${v}")`);
      return v as LogLevel;
    }),
    bodyLimitBytes: read('BODY_LIMIT', '1048576', int(1024, 64 * 1024 * 1024)),
    deliveryAttempts: read('DELIVERY_ATTEMPTS', '8', int(1, 100)),
    deliveryBackoffMs: read('DELIVERY_BACKOFF', 'PT2S', parseDurationMs),
    relayStaleMs: read('RELAY_STALE', 'PT30S', parseDurationMs),
    workerLockMs: read('WORKER_LOCK', 'PT30S', parseDurationMs),
    redisTimeoutMs: read('REDIS_TIMEOUT', 'PT0.5S', parseDurationMs),
    importMaxBytes: read('IMPORT_MAX_BYTES', String(20 * 1024 * 1024), int(1024, 512 * 1024 * 1024)),
    importMaxRows: read('IMPORT_MAX_ROWS', '200000', int(1, 10_000_000)),
    importBatchRows: read('IMPORT_BATCH_ROWS', '500', int(1, 10_000)),
    replicaMaxLagMs: read('REPLICA_MAX_LAG', 'PT10S', parseDurationMs),
    apiProcesses: read('API_PROCESSES', '1', int(1, 64)),
    digestMinute: read('DIGEST_TIME', '08:30', (v): number | null => {
      if (v === 'off') return null;
      const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
      if (!match) throw new Error(`must be a Beijing time of day written HH:mm, e.g. 08:30, or off (got "${v}")`);
      return Number(match[1]) * 60 + Number(match[2]);
    }),
    escalateAfterMs: read('ESCALATE_AFTER', 'P7D', parseDurationMs),
    digestCheckMs: read('DIGEST_CHECK_EVERY', 'PT1M', parseDurationMs),
    assessmentCutoffDay: read('ASSESSMENT_CUTOFF_DAY', '20', int(1, 28)),
    smtpUrl: env.SMTP_URL ? read('SMTP_URL', undefined, url(['smtp:', 'smtps:'])) : undefined,
    mailFrom: read('MAIL_FROM', '流动人口信息交换 <noreply@localhost>', (v) => v),
    // Development and tests post to local receivers; elsewhere private addresses are refused unless said otherwise.
    channelAllowPrivate: read('CHANNEL_ALLOW_PRIVATE', devDefaults ? 'true' : 'false', (v) => {
      if (v !== 'true' && v !== 'false') throw new Error(`must be true or false (got "${v}")`);
      return v === 'true';
    }),
    publicUrl: read('PUBLIC_URL', `http://127.0.0.1:${port ?? 3000}`, (v) => url(['http:', 'https:'])(v).replace(/\/+$/, '')),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config as AppConfig;
}

type Read = <T>(name: string, fallback: string | undefined, parse: (v: string) => T) => T | undefined;

/**
 * DATABASE_URL is the owner's (setup, migrations); the service connects as DATABASE_APP_ROLE, which setup creates with
 * DATABASE_APP_PASSWORD: to DATABASE_APP_URL when given, else to DATABASE_URL's server and database, and to the
 * replica of DATABASE_READ_URL with the same user and password (roles replicate with the data).
 */
function readDatabase(env: Env, read: Read, pgUrl: (v: string) => string, devDefaults: boolean, problems: string[]) {
  const databaseUrl = read('DATABASE_URL', undefined, pgUrl);
  const databaseAppRole = read('DATABASE_APP_ROLE', 'liudong_app', (v) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v) || v.startsWith('pg_')) {
      throw new Error(`must be 1–63 lower-case letters, digits or "_", not starting with a digit or "pg_" (got "${v}")`);
    }
    return v;
  });
  const appUrl = env.DATABASE_APP_URL ? read('DATABASE_APP_URL', undefined, pgUrl) : undefined;
  const appUrlPassword = appUrl ? decoded(new URL(appUrl).password) : '';
  const databaseAppPassword = read('DATABASE_APP_PASSWORD', appUrlPassword || (devDefaults ? DEV_APP_PASSWORD : undefined), (v) => {
    // Printable ASCII: the same bytes for every client, whatever its password normalisation (SASLprep).
    if (!/^[\x21-\x7e]{12,128}$/.test(v)) throw new Error('must be 12–128 printable ASCII characters without spaces (e.g. `openssl rand -base64 24`)');
    if (appUrlPassword && v !== appUrlPassword) throw new Error("differs from DATABASE_APP_URL's password");
    return v;
  });
  const readUrl = env.DATABASE_READ_URL ? read('DATABASE_READ_URL', undefined, pgUrl) : undefined;
  if (databaseUrl === undefined || databaseAppRole === undefined || databaseAppPassword === undefined) return { databaseUrl, databaseAppRole };

  const ownerRole = decoded(new URL(databaseUrl).username);
  if (ownerRole === databaseAppRole) problems.push(`DATABASE_APP_ROLE must not be DATABASE_URL's role "${ownerRole}" (the owner runs setup and migrations)`);
  const appUrlUser = appUrl ? decoded(new URL(appUrl).username) : '';
  if (appUrlUser && appUrlUser !== databaseAppRole)
    problems.push(`DATABASE_APP_URL must connect as DATABASE_APP_ROLE "${databaseAppRole}" (got "${appUrlUser}")`);
  const as = (name: string, connection: string): string | undefined => {
    try {
      return asRole(connection, databaseAppRole, databaseAppPassword);
    } catch (e) {
      problems.push(`${name} ${(e as Error).message}`);
      return undefined;
    }
  };
  return {
    databaseUrl,
    databaseAppRole,
    databaseAppPassword,
    databaseAppUrl: appUrl ? as('DATABASE_APP_URL', appUrl) : as('DATABASE_URL', databaseUrl),
    databaseReadUrl: readUrl ? (as('DATABASE_READ_URL', readUrl) ?? null) : null,
  };
}
