import type { components } from '@/api/schema';
import { beijingTime, beijingToday } from '@/format';
import { LABELS } from '@server/labels';

export type RateRow = components['schemas']['RateRowView'];
export type Indicator = keyof typeof LABELS.indicator;
export type ItemState = keyof typeof LABELS.itemState;

/** The three rates in the order the assessment lists them. */
export const INDICATORS: { key: Indicator; title: string }[] = (Object.keys(LABELS.indicator) as Indicator[]).map((key) => ({
  key,
  title: LABELS.indicator[key],
}));

/** What a supervisor asked for: where, which registration dates, and as of when (empty: now). Kept in the URL. */
export interface RatesParams {
  jurisdiction: string;
  from: string;
  to: string;
  /** `YYYY-MM-DD HH:mm`, Beijing time; empty for now. */
  asOf: string;
}

/** This year up to today, in Beijing (console.md: the default period). */
export function defaultPeriod(now: Date = new Date()): { from: string; to: string } {
  const today = beijingToday(now);
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

/** The instant a Beijing wall-clock time `YYYY-MM-DD HH:mm` names, whatever the browser's zone. */
export function beijingInstant(wall: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(wall) ? `${wall.replace(' ', 'T')}:00+08:00` : undefined;
}

/** Now, as a Beijing wall-clock time. */
export function beijingNow(): string {
  return beijingTime(new Date());
}

/** The API query of a rates request. */
export function ratesQuery(p: RatesParams): { jurisdiction: string; from: string; to: string; asOf?: string } {
  return { jurisdiction: p.jurisdiction, from: p.from, to: p.to, ...(beijingInstant(p.asOf) ? { asOf: beijingInstant(p.asOf) } : {}) };
}

/** The route of the items behind one count. */
export function itemsRoute(p: RatesParams, code: string, indicator: Indicator, state: ItemState) {
  return { path: '/rates/items', query: { jurisdiction: code, indicator, state, from: p.from, to: p.to, ...(p.asOf ? { asOf: p.asOf } : {}) } };
}

/** The rows with the lowest rate of an indicator (rows without data last), worst first. */
export function worstFirst(rows: RateRow[], indicator: Indicator): RateRow[] {
  const rate = (r: RateRow) => r[indicator].rate ?? Number.POSITIVE_INFINITY;
  // At the same rate, the place with more items not done first (15 places at 0.0 %: the one with most to chase).
  const missing = (r: RateRow) => r[indicator].denominator - r[indicator].numerator;
  return [...rows].sort((a, b) => rate(a) - rate(b) || missing(b) - missing(a));
}
