import { DateTime } from 'luxon';

// All dates and period boundaries are Asia/Shanghai (domain.md "Time").
export const ZONE = 'Asia/Shanghai';

// The Shanghai day last asked for, and the instants it spans: asked for once per registration (and per imported row),
// the zone conversion is worth doing once a day.
let lastDay = { date: '', from: 0, until: 0 };

/** Today's date in Shanghai, YYYY-MM-DD. */
export function todayInShanghai(now: Date = new Date()): string {
  const at = now.getTime();
  if (at >= lastDay.from && at < lastDay.until) return lastDay.date;
  const day = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  lastDay = { date: day.toISODate() as string, from: day.toMillis(), until: day.plus({ days: 1 }).toMillis() };
  return lastDay.date;
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
