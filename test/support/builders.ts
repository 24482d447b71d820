import type { TestApp } from './app';
// Request bodies and seeded randomness shared by the e2e tests and the benchmarks (bench/ imports this file too).
// A builder gives a valid body with plain defaults; a test overrides only what it is about.

/** A deterministic generator (mulberry32): the same seed gives the same sequence, so a failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The village of 杨寨镇 (湖北 广水) most tests register people from. */
export const YANGZHAI_VILLAGE = '421381101201';
/** A community in 衢州 柯城区 most tests register people at. */
export const QUZHOU_COMMUNITY = '330802005001';

export interface InflowBody {
  person: { idNumber: string; name: string; phone?: string; sex?: string; birthDate?: string };
  householdCode: string;
  destinationCode: string;
  address: string;
  arrivalDate: string;
  reason: string;
  maritalStatus: string;
  contraception: string;
  [field: string]: unknown;
}

/**
 * A valid `POST /api/inflows` body: an unmarried worker from 杨寨镇 arriving in 衢州 on `arrivalDate`, submitted (the
 * API's default). `overrides` replace top-level fields; the person is given whole.
 */
export function inflowBody(person: InflowBody['person'], arrivalDate: string, overrides: Partial<InflowBody> = {}): InflowBody {
  return {
    person,
    householdCode: YANGZHAI_VILLAGE,
    destinationCode: QUZHOU_COMMUNITY,
    address: '衢州市柯城区',
    arrivalDate,
    reason: 'work',
    maritalStatus: 'unmarried',
    contraception: 'none',
    ...overrides,
  };
}

/** A valid `POST /api/users` body: a staff account of `jurisdictionCode` (password and display name given or defaulted). */
export function userBody(username: string, jurisdictionCode: string, overrides: Record<string, unknown> = {}) {
  return { username, password: 'builder-pass-123', displayName: '测试账号', role: 'staff', jurisdictionCode, ...overrides };
}

/** A valid `POST /api/outflows` body: a person leaving 杨寨镇's village on `departureDate`. */
export function outflowBody(person: { idNumber: string; name: string }, departureDate: string, overrides: Record<string, unknown> = {}) {
  return { person, householdCode: YANGZHAI_VILLAGE, departureDate, ...overrides };
}

/** A valid `POST /api/certificates` body: an unmarried woman of 杨寨镇 without children (the person must be 18–49). */
export function certificateBody(person: { idNumber: string; name: string }, overrides: Record<string, unknown> = {}) {
  return { person, householdCode: YANGZHAI_VILLAGE, maritalStatus: 'unmarried', children: [], contraception: 'none', ...overrides };
}

/** Registers through POST /api/inflows as `token`; fails the test with the refusal if it is not 201. */
export async function registerInflow(t: TestApp, token: string, body: InflowBody): Promise<{ id: string; caseId: string }> {
  const res = await t.http().post('/api/inflows').set('Authorization', `Bearer ${token}`).send(body);
  if (res.status !== 201) throw new Error(`registration refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; caseId: string };
}
