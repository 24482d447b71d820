import { endOfShanghaiDay, todayInShanghai } from '@/common/time';

// The assessment month and year (assessment.md "Periods"): a month closes at the end of its cut-off day, Beijing time.

export interface AssessmentPeriod {
  /** YYYY-MM (a month) or YYYY (a year). */
  name: string;
  /** The first and last day counted, YYYY-MM-DD, Beijing. */
  from: string;
  to: string;
  /** The cut-off instant: the end of `to` (00:00 Beijing of the next day). Nothing after it counts. */
  asOf: Date;
}

export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const YEAR = /^\d{4}$/;

const day = (year: number, month: number, d: number) => new Date(Date.UTC(year, month - 1, d)).toISOString().slice(0, 10);
const nextDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Month `2026-11` with cut-off 20: 2026-10-21 to 2026-11-20, as of 2026-11-21T00:00+08:00. */
export function assessmentMonth(month: string, cutoffDay: number): AssessmentPeriod {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`not a month: ${month}`);
  const [y, m] = [Number(match[1]), Number(match[2])];
  const to = day(y, m, cutoffDay);
  return { name: month, from: nextDay(day(y, m - 1, cutoffDay)), to, asOf: endOfShanghaiDay(to) };
}

/** Year `2026` with cut-off 20: 2025-12-21 to 2026-12-20, the months 2026-01 … 2026-12. */
export function assessmentYear(year: string, cutoffDay: number): AssessmentPeriod & { months: string[] } {
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  const first = assessmentMonth(months[0], cutoffDay);
  const last = assessmentMonth(months[11], cutoffDay);
  return { name: year, from: first.from, to: last.to, asOf: last.asOf, months };
}

/** The assessment month a Beijing day falls in: after the cut-off day it is the next calendar month's. */
export function monthOfDay(isoDay: string, cutoffDay: number): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  const next = d > cutoffDay ? new Date(Date.UTC(y, m, 1)) : new Date(Date.UTC(y, m - 1, 1));
  return next.toISOString().slice(0, 7);
}

/** The latest month whose cut-off instant is at or before `now`. */
export function lastClosedMonth(now: Date, cutoffDay: number): string {
  const current = monthOfDay(todayInShanghai(now), cutoffDay);
  return previousMonth(current);
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
}

/** Months from `first` to `last` inclusive, oldest first. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let m = first; m <= last; m = nextMonth(m)) months.push(m);
  return months;
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}
