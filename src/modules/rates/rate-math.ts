import { valuesOf } from '@/common/labels';
import type { FlowFigureView, RateFigureView } from './rates.dto';
// The arithmetic of rates.md in one place: states, the rate, its rounding and the target test.

export const INDICATORS = valuesOf('indicator');
export type Indicator = (typeof INDICATORS)[number];
export const FLOW_INDICATORS = ['submission', 'feedback'] as const;
export type FlowIndicator = (typeof FLOW_INDICATORS)[number];

export const ITEM_STATES = valuesOf('itemState');
export type ItemState = (typeof ITEM_STATES)[number];
export type FlowState = Exclude<ItemState, 'none'>;

export const INDICATOR_LABELS: Record<Indicator, string> = {
  submission: '信息提交率',
  feedback: '反馈率',
  effectiveContact: '有效联系率',
};

export interface FlowCounts {
  onTime: number;
  late: number;
  overdue: number;
  pending: number;
}

export interface ContactCounts {
  numerator: number;
  denominator: number;
}

/** numerator / denominator (rate rounded to 4 decimals, null when nothing is counted), its target and meetsTarget. */
export type RateFigure = RateFigureView;

export type FlowFigure = FlowFigureView;

/** The state of one item at instant T (rates.md): done by its due instant, done after it, not done and due, not yet due. */
export function flowState(item: { dueAt: Date; doneAt: Date | null }, asOf: Date): FlowState {
  if (item.doneAt && item.doneAt <= asOf) return item.doneAt <= item.dueAt ? 'onTime' : 'late';
  return item.dueAt <= asOf ? 'overdue' : 'pending';
}

export function rateFigure(numerator: number, denominator: number, target: number): RateFigure {
  const rate = denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
  // Compared exactly in basis points, so 8 999/10 000 does not meet 0.9 although it rounds to 0.9.
  const meetsTarget = denominator === 0 ? null : numerator * 10_000 >= Math.round(target * 10_000) * denominator;
  return { numerator, denominator, rate, target, meetsTarget };
}

export function flowFigure(counts: FlowCounts, target: number): FlowFigure {
  return { ...counts, ...rateFigure(counts.onTime, counts.onTime + counts.late + counts.overdue, target) };
}

export function addFlow(a: FlowCounts, b: FlowCounts, sign = 1): FlowCounts {
  return { onTime: a.onTime + sign * b.onTime, late: a.late + sign * b.late, overdue: a.overdue + sign * b.overdue, pending: a.pending + sign * b.pending };
}

export function addContact(a: ContactCounts, b: ContactCounts, sign = 1): ContactCounts {
  return { numerator: a.numerator + sign * b.numerator, denominator: a.denominator + sign * b.denominator };
}

export const NO_FLOW: FlowCounts = { onTime: 0, late: 0, overdue: 0, pending: 0 };
export const NO_CONTACT: ContactCounts = { numerator: 0, denominator: 0 };
