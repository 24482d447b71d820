import { DateTime } from 'luxon';

// All dates and period boundaries are Asia/Shanghai (domain.md "Time").
export const ZONE = 'Asia/Shanghai';

/** Today's date in Shanghai, YYYY-MM-DD. */
export function todayInShanghai(now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: ZONE }).toISODate() as string;
}

/** The instant a Shanghai calendar date begins. */
export function startOfShanghaiDay(date: string): Date {
  return DateTime.fromISO(date, { zone: ZONE }).startOf('day').toJSDate();
}

/** The instant after a Shanghai calendar date ends (exclusive upper bound). */
export function endOfShanghaiDay(date: string): Date {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ days: 1 }).startOf('day').toJSDate();
}

/** An instant as a person in China reads it: `YYYY-MM-DD HH:mm`, Beijing time, whatever the server's zone. */
export function beijingTime(instant: Date | string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  return DateTime.fromJSDate(date, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}
