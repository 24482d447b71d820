import { readFileSync } from 'node:fs';
import chineseDays from 'chinese-days';

/**
 * Working days in China (reminders.md): Monday to Friday except public holidays, plus the make-up working days (调休)
 * of the national calendar. The calendar is the `chinese-days` package's (the State Council's notices, 2004 to the
 * year its release holds, 2026 for 1.5.7), with `HOLIDAYS_FILE` adding or overriding days — the next year's calendar
 * is published only in November or December. A year neither knows is counted Monday to Friday.
 */

/** HOLIDAYS_FILE: `{ "holidays": ["2027-02-08", …], "workdays": ["2027-02-20", …] }`. */
export interface CalendarOverrides {
  holidays: string[];
  workdays: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads and checks HOLIDAYS_FILE; the error names what is wrong, for the configuration's message. */
export function readHolidaysFile(path: string): CalendarOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot be read as JSON (${(error as Error).message})`);
  }
  const list = (key: 'holidays' | 'workdays'): string[] => {
    const value = (parsed as Record<string, unknown> | null)?.[key] ?? [];
    if (!Array.isArray(value) || !value.every((d) => typeof d === 'string' && DATE.test(d) && !Number.isNaN(Date.parse(d)))) {
      throw new Error(`"${key}" must be a list of dates written YYYY-MM-DD`);
    }
    return value as string[];
  };
  const overrides = { holidays: list('holidays'), workdays: list('workdays') };
  const both = overrides.holidays.filter((d) => overrides.workdays.includes(d));
  if (both.length) throw new Error(`${both.join(', ')} is both a holiday and a workday`);
  return overrides;
}

export class WorkingCalendar {
  private readonly holidays: Set<string>;
  private readonly workdays: Set<string>;

  constructor(readonly overrides: CalendarOverrides = { holidays: [], workdays: [] }) {
    this.holidays = new Set(overrides.holidays);
    this.workdays = new Set(overrides.workdays);
  }

  /** The last year the package's own calendar holds. */
  static get packageCovers(): number {
    return PACKAGE_LAST_YEAR;
  }

  /** Whether the day (YYYY-MM-DD, a Beijing date) is a working day. */
  isWorkingDay(day: string): boolean {
    if (this.holidays.has(day)) return false;
    if (this.workdays.has(day)) return true;
    if (Number(day.slice(0, 4)) <= PACKAGE_LAST_YEAR) return chineseDays.isWorkday(day);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The n-th working day after `day` (not counting `day` itself, whether or not it is one). */
  nthWorkingDayAfter(day: string, n: number): string {
    let cursor = Date.parse(`${day}T00:00:00Z`);
    for (let found = 0; found < n;) {
      cursor += 86_400_000;
      if (this.isWorkingDay(new Date(cursor).toISOString().slice(0, 10))) found++;
    }
    return new Date(cursor).toISOString().slice(0, 10);
  }

  /** Whether the calendar knows the year's holidays (from the package or HOLIDAYS_FILE), not only its weekends. */
  knowsYear(year: number): boolean {
    const prefix = `${year}-`;
    return year <= PACKAGE_LAST_YEAR || [...this.holidays].some((d) => d.startsWith(prefix));
  }
}

// The package's data file lists every holiday it holds, keyed by date.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACKAGE_DATA = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string> };
const PACKAGE_LAST_YEAR = Math.max(...Object.keys(PACKAGE_DATA.holidays).map((d) => Number(d.slice(0, 4))));
