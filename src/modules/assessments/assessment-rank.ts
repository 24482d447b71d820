import { Indicator, INDICATORS } from '@/modules/rates/rate-math';

// The ranking rule of assessment.md: among the children of one parent, by each rate, highest first; null (no items)
// after every number; equal rates share a rank (1, 2, 2, 4). The overall rank orders by the mean of the three ranks,
// ties broken by the feedback rate (again highest first, null last); what is still equal shares the rank.

export interface Ranks {
  submission: number;
  feedback: number;
  effectiveContact: number;
  overall: number;
}

type Rated = Record<Indicator, { rate: number | null }>;

/** Standard competition ranks ("1224") of `keys`, where a lower key ranks higher and equal keys share a rank. */
function competitionRanks(keys: number[][]): number[] {
  const before = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  };
  return keys.map((key) => 1 + keys.filter((other) => before(other, key)).length);
}

/** Sort key of a rate: higher first, null after every number. */
const byRate = (rate: number | null): number[] => (rate === null ? [1, 0] : [0, -rate]);

export function rank(rows: Rated[]): Ranks[] {
  const per = Object.fromEntries(INDICATORS.map((ind) => [ind, competitionRanks(rows.map((r) => byRate(r[ind].rate)))])) as Record<Indicator, number[]>;
  const means = rows.map((_, i) => INDICATORS.reduce((sum, ind) => sum + per[ind][i], 0) / INDICATORS.length);
  const overall = competitionRanks(rows.map((r, i) => [means[i], ...byRate(r.feedback.rate)]));
  return rows.map((_, i) => ({ submission: per.submission[i], feedback: per.feedback[i], effectiveContact: per.effectiveContact[i], overall: overall[i] }));
}
