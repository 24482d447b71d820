import { endOfShanghaiDay, startOfShanghaiDay, todayInShanghai } from '@/common/time';

// The period a rates query covers, as days and as instants (Asia/Shanghai).

export interface Period {
  /** YYYY-MM-DD, Asia/Shanghai, inclusive. */
  from: string;
  to: string;
}

/** The last day of the month that starts on `month` (YYYY-MM-01). */
export const monthEnd = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** Instant bounds the queries need: the period [start, end) and the Shanghai day of T. */
export function bounds(period: Period, asOf: Date) {
  const asOfDay = todayInShanghai(asOf);
  return {
    periodStart: startOfShanghaiDay(period.from),
    periodEnd: endOfShanghaiDay(period.to),
    asOfDay,
    asOfDayStart: startOfShanghaiDay(asOfDay),
    asOfDayEnd: endOfShanghaiDay(asOfDay),
  };
}

/** The calendar months wholly inside the period, and the days of the period outside them, as YYYY-MM-DD. */
export function splitPeriod(period: Period): { months: string[]; dayRanges: [string, string][] } {
  // Plain calendar arithmetic on UTC dates: a dashboard calls this on every request, so no per-day loop.
  const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
  const firstOfNextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  const from = day(period.from);
  const to = day(period.to);
  const months: string[] = [];
  const dayRanges: [string, string][] = [];
  // The first whole month starts on `from` if it is the 1st, else on the 1st of the next month.
  let month = from.getUTCDate() === 1 ? from : firstOfNextMonth(from);
  if (month > to || addDays(firstOfNextMonth(month), -1) > to) return { months, dayRanges: [[period.from, period.to]] };
  if (month > from) dayRanges.push([period.from, iso(addDays(month, -1))]);
  while (addDays(firstOfNextMonth(month), -1) <= to) {
    months.push(iso(month));
    month = firstOfNextMonth(month);
  }
  if (month <= to) dayRanges.push([iso(month), period.to]);
  return { months, dayRanges };
}
