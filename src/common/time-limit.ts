import { DateTime } from 'luxon';
import { WorkingCalendar } from './working-days';

/**
 * A legal time limit (reminders.md "Time limits in working days"): an ISO-8601 duration (`P30D`, `PT2S`) or working
 * days (`15WD`: it ends at 24:00 Beijing time of the 15th working day after the day the item started). `text` is how
 * the database holds it (exchange.reply_limit; `time_limit_end` in helpers.sql reads it the same way).
 */
export interface TimeLimit {
  readonly text: string;
  readonly workingDays: number | null;
  readonly ms: number | null;
}

const ZONE = 'Asia/Shanghai';

export function workingDaysLimit(text: string): TimeLimit | null {
  const match = /^(\d{1,3})WD$/.exec(text);
  if (!match) return null;
  const days = Number(match[1]);
  if (days < 1) throw new Error(`must be at least 1WD (got "${text}")`);
  return { text, workingDays: days, ms: null };
}

/** When an item started at `start` with this limit falls due. */
export function limitEnd(start: Date, limit: TimeLimit, calendar: WorkingCalendar): Date {
  if (limit.workingDays === null) return new Date(start.getTime() + (limit.ms as number));
  const day = DateTime.fromJSDate(start, { zone: ZONE }).toISODate() as string;
  const last = calendar.nthWorkingDayAfter(day, limit.workingDays);
  return DateTime.fromISO(last, { zone: ZONE }).plus({ days: 1 }).startOf('day').toJSDate();
}
