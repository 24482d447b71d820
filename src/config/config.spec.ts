import { ConfigError, loadConfig, parseDurationMs } from './config';

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
    const config = loadConfig({ ...base, NODE_ENV: 'test', REPLY_TIME_LIMIT: 'PT2S' });
    expect(config.replyTimeLimitMs).toBe(2000);
    expect(config.submissionTimeLimitMs).toBe(15 * 86_400_000);
    expect(config.replyTimeLimitUrgentMs).toBe(15 * 86_400_000);
  });

  it('refuses malformed durations, naming the variable', () => {
    for (const bad of ['30 days', 'P', 'PT', 'P1M', 'P1Y', 'P0D', '-P1D']) {
      expect(problems({ ...base, NODE_ENV: 'test', REPLY_TIME_LIMIT: bad })).toEqual([expect.stringMatching(/^REPLY_TIME_LIMIT /)]);
    }
  });

  it('requires the secrets and connection strings in production, naming each', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual(['CERT_SIGNING_KEY', 'DATABASE_URL', 'DATA_KEY', 'JWT_SECRET', 'REDIS_URL']);
    // The dev signing key is not accepted outside demo and test.
    expect(problems({ ...base, NODE_ENV: 'production', CERT_SIGNING_KEY: 'dev' })).toContainEqual(expect.stringMatching(/^CERT_SIGNING_KEY /));
  });

  it('checks each value', () => {
    const found = problems({ ...base, NODE_ENV: 'test', PORT: '99999', DATA_KEY: 'c2hvcnQ=', RATE_TARGET: '1.5', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
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
