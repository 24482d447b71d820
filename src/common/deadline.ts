// Deadlines as a clerk reads them, the same on the console's screens and in the exported files. No imports: the
// console uses this file too (the `@server` alias).

const DAY_MS = 86_400_000;

/** Whole days to or past a deadline, a part of a day counted as a day (at least 1). */
export function daysFrom(dueAt: string | Date, now: number): number {
  return Math.max(1, Math.ceil(Math.abs(new Date(dueAt).getTime() - now) / DAY_MS));
}

/** `剩余 N 天` / `逾期 N 天` (console.md), against `now` (a 明细 as of T measures from T); null without a deadline. */
export function timeLeft(dueAt: string | Date | null | undefined, now: number = Date.now()): { text: string; late: boolean } | null {
  if (!dueAt) return null;
  const late = new Date(dueAt).getTime() < now;
  return { text: `${late ? '逾期' : '剩余'} ${daysFrom(dueAt, now)} 天`, late };
}

/** The state of a message a clerk acts on: 待反馈 / 已反馈 / 已逾期 / 无需反馈, or `other` (已撤回, 待投递, 投递失败). */
export function exchangeStateWord(e: { status: string; needsReply: boolean }): '待反馈' | '已反馈' | '已逾期' | '无需反馈' | null {
  if (e.status === 'overdue') return '已逾期';
  if (e.status === 'replied') return '已反馈';
  if (e.status !== 'delivered') return null;
  return e.needsReply ? '待反馈' : '无需反馈';
}
