import { makeIdNumber } from '@/common/identity';
import { certificateBody, inflowBody as inflowBodyOf, outflowBody, userBody } from '../test/support/builders';

// What the fuzz run (bench/fuzz.ts) breaks: every write endpoint with a valid body, its required and formatted fields,
// and the records the endpoints act on.

export const DEST = '330802005001';
export const ORIGIN = '421381101000';
export const ORIGIN_VILLAGE = '421381101201';

let serial = 0;
export function idNumber(sex: 'male' | 'female' = 'male', birth = '1990-01-01'): string {
  serial += 2;
  return makeIdNumber('421381', birth, (sex === 'male' ? 1 : 0) + (serial % 998));
}

export interface Target {
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  token: string;
  /** a valid body: the fuzzer breaks it */
  body: () => Record<string, unknown>;
  /** fields whose removal or wrong type makes the request invalid */
  required: string[];
  /** fields with a format: a hostile string there is invalid */
  formatted: string[];
  /** every field may be left out (PATCH, PUT): removing one does not make the body invalid */
  allOptional?: boolean;
}

type Body = Record<string, unknown>;

/** The records the endpoints act on: a draft inflow, an outflow, a certificate, an account. */
export async function fixtures(url: string, dest: string, origin: string, admin: string) {
  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const inflow = await post('/api/inflows', dest, { ...inflowBody(), submit: false });
  const outflow = await post('/api/outflows', origin, outflowBody({ idNumber: idNumber(), name: '外出' }, '2026-01-05', { householdCode: ORIGIN_VILLAGE }));
  const certificate = await post(
    '/api/certificates',
    origin,
    certificateBody({ idNumber: idNumber('female', '1994-04-04'), name: '王芳' }, { householdCode: ORIGIN_VILLAGE }),
  );
  const users = (await (await fetch(`${url}/api/users?pageSize=1`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { items: { id: string }[] };
  return { inflowId: inflow.id, caseId: inflow.caseId, outflowId: outflow.id, certificateId: certificate.id, userId: users.items[0].id };
}

function inflowBody(): Body {
  return inflowBodyOf({ idNumber: idNumber(), name: '测试' }, '2026-01-02', { householdCode: ORIGIN_VILLAGE, destinationCode: DEST });
}

/** Every write endpoint, as the caller who may use it, with a valid body for the fuzzer to break. */
export function fuzzTargets({ dest, origin, admin }: { dest: string; origin: string; admin: string }, f: Awaited<ReturnType<typeof fixtures>>): Target[] {
  return [
    {
      name: 'inflow',
      method: 'POST',
      path: '/api/inflows',
      token: dest,
      body: inflowBody,
      required: ['person', 'householdCode', 'destinationCode', 'address', 'arrivalDate', 'reason', 'maritalStatus', 'contraception'],
      formatted: ['householdCode', 'destinationCode', 'arrivalDate', 'reason', 'maritalStatus', 'contraception'],
    },
    {
      name: 'inflow patch',
      method: 'PATCH',
      path: `/api/inflows/${f.inflowId}`,
      token: dest,
      body: () => ({ maritalStatus: 'divorced', contraception: 'iud' }),
      required: ['maritalStatus', 'contraception'],
      formatted: ['maritalStatus', 'contraception'],
      allOptional: true,
    },
    {
      name: 'depart',
      method: 'POST',
      path: `/api/inflows/${f.inflowId}/depart`,
      token: dest,
      body: () => ({ kind: 'departed', date: '2026-03-01' }),
      required: ['kind', 'date'],
      formatted: ['kind', 'date'],
    },
    {
      name: 'outflow',
      method: 'POST',
      path: '/api/outflows',
      token: origin,
      body: () => ({ person: { idNumber: idNumber(), name: '外出' }, householdCode: ORIGIN_VILLAGE, departureDate: '2026-01-05' }),
      required: ['person', 'householdCode', 'departureDate'],
      formatted: ['householdCode', 'departureDate'],
    },
    {
      name: 'outflow close',
      method: 'POST',
      path: `/api/outflows/${f.outflowId}/close`,
      token: origin,
      body: () => ({ kind: 'returned', date: '2026-03-01' }),
      required: ['kind', 'date'],
      formatted: ['kind', 'date'],
    },
    {
      name: 'exchange',
      method: 'POST',
      path: '/api/exchanges',
      token: dest,
      body: () => ({ caseId: f.caseId, type: 'event_notice', payload: { subject: '测试' } }),
      required: ['caseId', 'type', 'payload'],
      formatted: ['caseId', 'type'],
    },
    {
      name: 'reply',
      method: 'POST',
      path: `/api/exchanges/00000000-0000-4000-8000-000000000000/reply`,
      token: origin,
      body: () => ({ outcome: 'confirmed' }),
      required: ['outcome'],
      formatted: ['outcome'],
    },
    {
      name: 'certificate',
      method: 'POST',
      path: '/api/certificates',
      token: origin,
      body: () => certificateBody({ idNumber: idNumber('female', '1995-05-05'), name: '王芳' }, { householdCode: ORIGIN_VILLAGE }),
      required: ['person', 'householdCode', 'maritalStatus', 'contraception'],
      formatted: ['householdCode', 'maritalStatus', 'contraception'],
    },
    {
      name: 'revoke',
      method: 'POST',
      path: `/api/certificates/${f.certificateId}/revoke`,
      token: origin,
      body: () => ({ reason: '测试' }),
      required: ['reason'],
      formatted: [],
    },
    {
      name: 'user',
      method: 'POST',
      path: '/api/users',
      token: admin,
      body: () => userBody(`fz${serial++}`, DEST, { displayName: '测试' }),
      required: ['username', 'password', 'displayName', 'role', 'jurisdictionCode'],
      formatted: ['role', 'jurisdictionCode'],
    },
    {
      name: 'user patch',
      method: 'PATCH',
      path: `/api/users/${f.userId}`,
      token: admin,
      body: () => ({ role: 'staff', active: true }),
      required: ['role', 'active'],
      formatted: ['role', 'active'],
      allOptional: true,
    },
    {
      name: 'targets',
      method: 'PUT',
      path: `/api/rates/targets/${DEST}`,
      token: admin,
      body: () => ({ submission: 0.95, feedback: 0.9 }),
      required: ['submission', 'feedback'],
      formatted: ['submission', 'feedback'],
      allOptional: true,
    },
    {
      name: 'login',
      method: 'POST',
      path: '/api/auth/login',
      token: '',
      body: () => ({ username: 'fuzz_dest', password: 'fuzz-pass-1' }),
      required: ['username', 'password'],
      formatted: ['username', 'password'],
    },
  ];
}
