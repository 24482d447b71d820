import { rank } from './assessment-rank';
import { assessmentMonth, assessmentYear, lastClosedMonth, monthOfDay } from './assessment-period';

const row = (submission: number | null, feedback: number | null, effectiveContact: number | null) => ({
  submission: { rate: submission },
  feedback: { rate: feedback },
  effectiveContact: { rate: effectiveContact },
});

describe('assessment ranks (assessment.md)', () => {
  it('ranks highest first, equal rates share a rank and the next rank is skipped (1, 2, 2, 4)', () => {
    const ranks = rank([row(0.5, 0.5, 0.5), row(0.9, 0.9, 0.9), row(0.7, 0.7, 0.7), row(0.7, 0.7, 0.7)]);
    expect(ranks.map((r) => r.submission)).toEqual([4, 1, 2, 2]);
    expect(ranks.map((r) => r.overall)).toEqual([4, 1, 2, 2]);
  });

  it('puts a place without items (null) after every number, even after 0 %, and nulls share their rank', () => {
    const ranks = rank([row(null, 1, 1), row(0, 1, 1), row(null, 1, 1), row(0.2, 1, 1)]);
    expect(ranks.map((r) => r.submission)).toEqual([3, 2, 3, 1]);
    expect(ranks.map((r) => r.feedback)).toEqual([1, 1, 1, 1]);
  });

  it('orders the overall rank by the mean of the three ranks, ties broken by the feedback rate', () => {
    // A: ranks 1, 3, 2 (mean 2); B: 3, 1, 2 (mean 2) with the better feedback rate; C: 2, 2, 1 (mean 1.67).
    const ranks = rank([row(0.9, 0.5, 0.8), row(0.5, 0.9, 0.8), row(0.8, 0.8, 0.9)]);
    expect(ranks.map((r) => [r.submission, r.feedback, r.effectiveContact])).toEqual([
      [1, 3, 2],
      [3, 1, 2],
      [2, 2, 1],
    ]);
    expect(ranks.map((r) => r.overall)).toEqual([3, 2, 1]);
  });

  it('gives places equal in mean and feedback the same overall rank', () => {
    const ranks = rank([row(0.9, null, 0.5), row(0.5, null, 0.9), row(0.1, 0.1, 0.1)]);
    expect(ranks.map((r) => r.overall)).toEqual([1, 1, 3]);
  });
});

describe('assessment periods in Beijing time', () => {
  it('runs month 2026-11 from the day after October’s cut-off to November’s, as of the end of the cut-off day', () => {
    const m = assessmentMonth('2026-11', 20);
    expect(m).toEqual({ name: '2026-11', from: '2026-10-21', to: '2026-11-20', asOf: new Date('2026-11-20T16:00:00Z') });
    expect(assessmentMonth('2026-01', 20)).toMatchObject({ from: '2025-12-21', to: '2026-01-20' });
    expect(assessmentMonth('2026-03', 28)).toMatchObject({ from: '2026-03-01', to: '2026-03-28' });
  });

  it('runs the year 2026 from 2025-12-21 to 2026-12-20 over its twelve months', () => {
    const y = assessmentYear('2026', 20);
    expect(y).toMatchObject({ from: '2025-12-21', to: '2026-12-20', asOf: new Date('2026-12-20T16:00:00Z') });
    expect(y.months).toHaveLength(12);
    expect(y.months[0]).toBe('2026-01');
  });

  it('puts the cut-off day in its month and the next day in the next, and closes a month at midnight Beijing', () => {
    expect(monthOfDay('2026-11-20', 20)).toBe('2026-11');
    expect(monthOfDay('2026-11-21', 20)).toBe('2026-12');
    expect(monthOfDay('2026-12-21', 20)).toBe('2027-01');
    // 2026-11-20 23:59 Beijing: November is still open; 00:00 on the 21st it is closed.
    expect(lastClosedMonth(new Date('2026-11-20T15:59:00Z'), 20)).toBe('2026-10');
    expect(lastClosedMonth(new Date('2026-11-20T16:00:00Z'), 20)).toBe('2026-11');
  });
});
