import { labelOf, type LabelSet } from '@server/labels';

// Dates and times as people in China read them, whatever the browser's zone (console.md, Conventions).
const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const DATE = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

function parts(format: Intl.DateTimeFormat, instant: string | Date): Record<string, string> {
  return Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
}

/** `YYYY-MM-DD HH:mm`, Beijing time. */
export function beijingTime(instant: string | Date | null | undefined): string {
  if (!instant) return '—';
  const p = parts(TIME, instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Today's date in Beijing, `YYYY-MM-DD`. */
export function beijingToday(now: Date = new Date()): string {
  const p = parts(DATE, now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The Chinese label of an enum value (one source with the server). */
export function label(set: LabelSet, value: string | null | undefined): string {
  return value ? labelOf(set, value) : '—';
}

/** A rate (0–1) as a percentage with one decimal, or 无数据. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '无数据' : `${(rate * 100).toFixed(1)}%`;
}

/** 即将到期 (console.md 工作台): a reply due within this many days. */
export const SOON_DAYS = 3;

// 剩余 N 天 / 逾期 N 天: the server's own words (src/common/deadline.ts), as in the exported files.
export { timeLeft } from '@server/deadline';
