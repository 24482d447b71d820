import { splitPeriod } from './rate-period';
import { flowFigure, flowState, rateFigure } from './rate-math';

describe('rate arithmetic (rates.md)', () => {
  const due = new Date('2026-03-01T00:00:00Z');
  const before = new Date('2026-02-28T00:00:00Z');
  const after = new Date('2026-03-02T00:00:00Z');

  it('sorts an item into exactly one state at T', () => {
    expect(flowState({ dueAt: due, doneAt: before }, after)).toBe('onTime');
    expect(flowState({ dueAt: due, doneAt: due }, after)).toBe('onTime');
    expect(flowState({ dueAt: due, doneAt: after }, after)).toBe('late');
    expect(flowState({ dueAt: due, doneAt: null }, after)).toBe('overdue');
    expect(flowState({ dueAt: due, doneAt: null }, due)).toBe('overdue');
    expect(flowState({ dueAt: due, doneAt: null }, before)).toBe('pending');
    // Done after T counts as not done at T.
    expect(flowState({ dueAt: due, doneAt: after }, before)).toBe('pending');
    expect(flowState({ dueAt: due, doneAt: new Date('2026-03-03T00:00:00Z') }, after)).toBe('overdue');
  });

  it('counts pending items in neither numerator nor denominator', () => {
    expect(flowFigure({ onTime: 2, late: 1, overdue: 0, pending: 5 }, 0.9)).toEqual({
      onTime: 2,
      late: 1,
      overdue: 0,
      pending: 5,
      numerator: 2,
      denominator: 3,
      rate: 0.6667,
      target: 0.9,
      meetsTarget: false,
    });
  });

  it('has no rate and no verdict without items', () => {
    expect(rateFigure(0, 0, 0.9)).toEqual({ numerator: 0, denominator: 0, rate: null, target: 0.9, meetsTarget: null });
  });

  it('judges the target on the exact ratio, not the rounded one', () => {
    expect(rateFigure(89_999, 100_000, 0.9)).toMatchObject({ rate: 0.9, meetsTarget: false });
    expect(rateFigure(9, 10, 0.9)).toMatchObject({ rate: 0.9, meetsTarget: true });
    expect(rateFigure(1, 3, 0.3333)).toMatchObject({ rate: 0.3333, meetsTarget: true });
  });
});

describe('splitPeriod: whole months from the month roll-up, the other days from the day roll-up', () => {
  it('splits a period into whole months and the days around them', () => {
    expect(splitPeriod({ from: '2026-01-15', to: '2026-04-10' })).toEqual({
      months: ['2026-02-01', '2026-03-01'],
      dayRanges: [
        ['2026-01-15', '2026-01-31'],
        ['2026-04-01', '2026-04-10'],
      ],
    });
    expect(splitPeriod({ from: '2026-01-01', to: '2026-12-31' }).months).toHaveLength(12);
    expect(splitPeriod({ from: '2026-02-01', to: '2026-02-28' })).toEqual({ months: ['2026-02-01'], dayRanges: [] });
    expect(splitPeriod({ from: '2028-02-01', to: '2028-02-28' })).toEqual({ months: [], dayRanges: [['2028-02-01', '2028-02-28']] });
    expect(splitPeriod({ from: '2026-03-05', to: '2026-03-05' })).toEqual({ months: [], dayRanges: [['2026-03-05', '2026-03-05']] });
  });
});
