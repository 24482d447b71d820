import { valuesOf } from './labels';
// 12-digit statistical division codes (统计用区划代码): province 2 + city 2 + county 2 + township 3 + village 3.
// A code's level is given by its trailing zero groups; its ancestors are its prefixes padded with zeros,
// so subtree membership is a prefix test and needs no recursive query.

export const ROOT_CODE = '000000000000';

export const JURISDICTION_LEVELS = valuesOf('level');
export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];

// Length of the significant prefix for each level.
const PREFIX_LENGTH: Record<JurisdictionLevel, number> = {
  country: 0,
  province: 2,
  city: 4,
  county: 6,
  township: 9,
  village: 12,
};

const CODE_PATTERN = /^\d{12}$/;

export function isDivisionCode(value: unknown): value is string {
  return typeof value === 'string' && CODE_PATTERN.test(value);
}

/** Pads a short code from the division table (2, 4, 6, 9 or 12 digits) to 12 digits. */
export function padCode(code: string): string {
  return code.padEnd(12, '0');
}

export function levelOf(code: string): JurisdictionLevel {
  if (code === ROOT_CODE) return 'country';
  if (code.endsWith('0000000000')) return 'province';
  if (code.endsWith('00000000')) return 'city';
  if (code.endsWith('000000')) return 'county';
  if (code.endsWith('000')) return 'township';
  return 'village';
}

/** The significant prefix of a code: every code in its subtree starts with it. */
export function subtreePrefix(code: string): string {
  return code.slice(0, PREFIX_LENGTH[levelOf(code)]);
}

/** Inclusive [low, high] bounds of the subtree, for an index range scan on the code column. */
export function subtreeRange(code: string): [string, string] {
  const prefix = subtreePrefix(code);
  return [prefix.padEnd(12, '0'), prefix.padEnd(12, '9')];
}

export function isInSubtree(code: string, ancestor: string): boolean {
  return code.startsWith(subtreePrefix(ancestor));
}

/** Candidate ancestor codes from the nearest up to the root (some may not exist, e.g. 东莞 has no county). */
export function ancestorCandidates(code: string): string[] {
  const own = PREFIX_LENGTH[levelOf(code)];
  const result: string[] = [];
  for (const len of [9, 6, 4, 2, 0]) {
    if (len < own) {
      const candidate = code.slice(0, len).padEnd(12, '0');
      if (candidate !== code && !result.includes(candidate)) result.push(candidate);
    }
  }
  return result;
}

/** The township responsible for a township or village code (Art. 6: the township sends and answers). */
export function townshipOf(code: string): string {
  return code.slice(0, 9) + '000';
}

export function countyOf(code: string): string {
  return code.slice(0, 6);
}
