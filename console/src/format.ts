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

const DAY_MS = 86_400_000;

/**
 * `剩余 N 天` / `逾期 N 天` (console.md): whole days to or past a deadline, a part of a day counted as a day, against
 * `now` (a 明细 as of T measures from T). Null when there is no deadline.
 */
export function timeLeft(dueAt: string | null | undefined, now: number = Date.now()): { text: string; late: boolean } | null {
  if (!dueAt) return null;
  const ms = Date.parse(dueAt) - now;
  const days = Math.max(1, Math.ceil(Math.abs(ms) / DAY_MS));
  return ms >= 0 ? { text: `剩余 ${days} 天`, late: false } : { text: `逾期 ${days} 天`, late: true };
}
