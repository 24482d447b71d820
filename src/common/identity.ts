// 公民身份号码 (GB 11643-1999): 6-digit address, 8-digit birth date, 3-digit sequence (odd = male), check character.
// Validation of the check digit, province and date is class-validator's IsIdentityCard('zh-CN'); this derives.

export type Sex = 'male' | 'female';

export function normaliseIdNumber(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toUpperCase() : value;
}

export function sexOf(idNumber: string): Sex {
  return Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
}

/** YYYY-MM-DD */
export function birthDateOf(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

/** 421381199003070026 → 421381********0026, the only form shown outside an audited detail view. */
export function maskIdNumber(idNumber: string): string {
  return `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
}

/** 张三 → 张*: enough for the holder to recognise, too little to identify a stranger. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** Whole years between a birth date and a later date (both YYYY-MM-DD). */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character for the first 17 digits (used by tests, demo data and benchmarks to make valid numbers). */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export function makeIdNumber(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}
