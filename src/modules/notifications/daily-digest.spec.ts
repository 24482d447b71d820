import { loadConfig } from '@/config/config';
import { DailyDigest } from './daily-digest';

// When the daily digest is due (reminders.md): on working days of the national calendar, from DIGEST_TIME Beijing time.

describe('the daily digest’s day', () => {
  const digestAt = (env: Record<string, string> = {}) =>
    new DailyDigest(
      null as never,
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', ...env }),
      null as never,
      null as never,
    );
  const beijing = (local: string) => new Date(`${local}+08:00`);

  it('is due on a working day from 08:30 Beijing time, whatever the server’s zone', () => {
    const digest = digestAt();
    expect(digest.dueDay(beijing('2026-02-24T08:29:59'))).toBeNull();
    expect(digest.dueDay(beijing('2026-02-24T08:30:00'))).toBe('2026-02-24');
    // 00:30 UTC is 08:30 in Beijing.
    expect(digest.dueDay(new Date('2026-02-24T00:30:00Z'))).toBe('2026-02-24');
    expect(digest.dueDay(beijing('2026-02-24T23:59:00'))).toBe('2026-02-24');
  });

  it('is not due on a holiday or an ordinary weekend, and is on a 调休 Saturday', () => {
    const digest = digestAt();
    expect(digest.dueDay(beijing('2026-02-16T09:00:00'))).toBeNull(); // 春节
    expect(digest.dueDay(beijing('2026-10-05T09:00:00'))).toBeNull(); // 国庆
    expect(digest.dueDay(beijing('2026-02-14T09:00:00'))).toBe('2026-02-14'); // 调休 Saturday
    expect(digest.dueDay(beijing('2026-03-07T09:00:00'))).toBeNull(); // an ordinary Saturday
  });

  it('follows DIGEST_TIME, and sends nothing when it is off', () => {
    expect(digestAt({ DIGEST_TIME: '17:05' }).dueDay(beijing('2026-02-24T17:04:00'))).toBeNull();
    expect(digestAt({ DIGEST_TIME: '17:05' }).dueDay(beijing('2026-02-24T17:05:00'))).toBe('2026-02-24');
    expect(digestAt({ DIGEST_TIME: 'off' }).dueDay(beijing('2026-02-24T12:00:00'))).toBeNull();
    expect(() => digestAt({ DIGEST_TIME: '8:30' })).toThrow(/DIGEST_TIME must be a Beijing time of day written HH:mm/);
  });
});
