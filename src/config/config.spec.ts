import { ConfigError, loadConfig, parseDurationMs } from './config';
import { parseRedisUrl } from './redis-url';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('configuration', () => {
  it('parses ISO-8601 time limits once, in milliseconds', () => {
    expect(parseDurationMs('P30D')).toBe(30 * 86_400_000);
    expect(parseDurationMs('PT2S')).toBe(2_000);
    expect(parseDurationMs('P1DT12H')).toBe(36 * 3_600_000);
    expect(parseDurationMs('P2W')).toBe(14 * 86_400_000);
    const config = loadConfig({ ...base, NODE_ENV: 'test', REPLY_TIME_LIMIT: 'PT2S', REPLY_TIME_LIMIT_URGENT: '10WD' });
    expect(config.replyTimeLimit).toEqual({ text: 'PT2S', ms: 2000, workingDays: null });
    expect(config.submissionTimeLimit).toEqual({ text: 'P15D', ms: 15 * 86_400_000, workingDays: null });
    expect(config.replyTimeLimitUrgent).toEqual({ text: '10WD', ms: null, workingDays: 10 });
  });

  it('refuses malformed durations, naming the variable', () => {
    for (const bad of ['30 days', 'P', 'PT', 'P1M', 'P1Y', 'P0D', '-P1D', '0WD', '15wd', 'WD', '1.5WD']) {
      expect(problems({ ...base, NODE_ENV: 'test', REPLY_TIME_LIMIT: bad })).toEqual([expect.stringMatching(/^REPLY_TIME_LIMIT /)]);
    }
  });

  it('requires the secrets and connection strings in production, naming each', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual([
      'CERT_SIGNING_KEY',
      'DATABASE_APP_PASSWORD',
      'DATABASE_URL',
      'DATA_KEY',
      'JWT_SECRET',
      'REDIS_URL',
    ]);
    // The dev signing key is not accepted outside demo and test.
    expect(problems({ ...base, NODE_ENV: 'production', CERT_SIGNING_KEY: 'dev' })).toContainEqual(expect.stringMatching(/^CERT_SIGNING_KEY /));
  });

  it('checks each value', () => {
    const found = problems({
      ...base,
      NODE_ENV: 'test',
      PORT: '99999',
      DATA_KEY: 'c2hvcnQ=',
      RATE_TARGET: '1.5',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
    });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual(['DATABASE_URL', 'DATA_KEY', 'LOG_LEVEL', 'PORT', 'RATE_TARGET']);
  });

  it('runs demo and test without secrets, with working dev keys', () => {
    const config = loadConfig({ ...base, NODE_ENV: 'development' });
    expect(config.dataKey).toHaveLength(32);
    expect(config.certSigningKey.asymmetricKeyType).toBe('ed25519');
    expect(config.rateTarget).toBe(0.9);
    expect(config.port).toBe(3000);
  });
});

describe('the database roles', () => {
  const owner = { ...base, NODE_ENV: 'test', DATABASE_URL: 'postgres://owner:owner-pw@db.example:5433/liudong?sslmode=require' };

  it("connects the service as DATABASE_APP_ROLE to DATABASE_URL's server and database, and to the replica as the same role", () => {
    const config = loadConfig({ ...owner, DATABASE_APP_PASSWORD: 'app+pw/with@odd%chars', DATABASE_READ_URL: 'postgres://owner@replica:5432/liudong' });
    expect(config.databaseUrl).toBe(owner.DATABASE_URL);
    expect(config.databaseAppRole).toBe('liudong_app');
    const app = new URL(config.databaseAppUrl);
    expect([app.username, decodeURIComponent(app.password), app.host, app.pathname, app.search]).toEqual([
      'liudong_app',
      'app+pw/with@odd%chars',
      'db.example:5433',
      '/liudong',
      '?sslmode=require',
    ]);
    const replica = new URL(config.databaseReadUrl as string);
    expect([replica.username, decodeURIComponent(replica.password), replica.host]).toEqual(['liudong_app', 'app+pw/with@odd%chars', 'replica:5432']);
    // DATABASE_APP_URL (a pooler, say) as given; the password may come from it.
    const pooled = loadConfig({ ...owner, DATABASE_APP_URL: 'postgres://liudong_app:pooled-password@pooler:6432/liudong' });
    expect([pooled.databaseAppUrl, pooled.databaseAppPassword]).toEqual(['postgres://liudong_app:pooled-password@pooler:6432/liudong', 'pooled-password']);
  });

  it('refuses the owner as the service role, another user in DATABASE_APP_URL, and a weak password', () => {
    expect(problems({ ...owner, DATABASE_APP_ROLE: 'owner' })).toEqual([expect.stringMatching(/^DATABASE_APP_ROLE must not be DATABASE_URL's role/)]);
    expect(problems({ ...owner, DATABASE_APP_URL: 'postgres://postgres:superuser-password@db/liudong' })).toEqual([
      expect.stringMatching(/^DATABASE_APP_URL must connect as DATABASE_APP_ROLE/),
    ]);
    expect(problems({ ...owner, DATABASE_APP_PASSWORD: 'short' })).toEqual([expect.stringMatching(/^DATABASE_APP_PASSWORD must be 12/)]);
    expect(problems({ ...owner, DATABASE_APP_ROLE: 'App-Role' })).toEqual([expect.stringMatching(/^DATABASE_APP_ROLE must be/)]);
  });
});

describe('REDIS_URL', () => {
  it('names one server or a Redis Cluster by its seed nodes', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ cluster: false, url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      cluster: true,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
    expect(loadConfig({ ...base, NODE_ENV: 'test', REDIS_URL: 'redis+cluster://h1:7000,h2:7001' }).redisUrl).toBe('redis+cluster://h1:7000,h2:7001');
  });

  it('refuses a malformed one, saying what a cluster URL looks like', () => {
    expect(() => parseRedisUrl('redis+cluster://h1:7000,h2')).toThrow('"h2" that is not host:port');
    expect(() => parseRedisUrl('http://h1:6379')).toThrow('must start with redis:');
    expect(() => loadConfig({ ...base, NODE_ENV: 'test', REDIS_URL: 'nonsense' })).toThrow(/REDIS_URL must be a URL \(redis:\/\/host:port, or redis\+cluster/);
  });
});
