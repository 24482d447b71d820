import { randomInt } from 'node:crypto';
import { makeIdNumber } from '@/common/identity';
import { TestApp, uniqueName } from './app';

const used = new Set<string>();

/** A valid, never-before-used ID number with the given sex and birth date (random when not given). */
export function newIdNumber(opts: { sex?: 'male' | 'female'; birthDate?: string; province?: string; county?: string } = {}): string {
  for (;;) {
    const birthDate = opts.birthDate ?? `${randomInt(1960, 2001)}-${String(randomInt(1, 13)).padStart(2, '0')}-${String(randomInt(1, 29)).padStart(2, '0')}`;
    let sequence = randomInt(0, 1000);
    if (opts.sex === 'male' && sequence % 2 === 0) sequence = (sequence + 1) % 1000;
    if (opts.sex === 'female' && sequence % 2 === 1) sequence -= 1;
    // `county`: the 6-digit address code (the county that issued the number), else a random one in the province.
    const address = opts.county ?? `${opts.province ?? '42'}${String(randomInt(0, 10000)).padStart(4, '0')}`;
    const id = makeIdNumber(address, birthDate, sequence);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

export const PASSWORD = 'staff-pass-123';

/** Creates an account through the API (as the root admin) and returns its username (the password is PASSWORD). */
export async function account(
  t: TestApp,
  jurisdictionCode: string,
  {
    role = 'staff',
    displayName = '测试',
    prefix = role,
  }: { role?: 'staff' | 'supervisor' | 'admin' | 'collector'; displayName?: string; prefix?: string } = {},
): Promise<string> {
  const username = uniqueName(prefix);
  const res = await t
    .http()
    .post('/api/users')
    .set('Authorization', `Bearer ${await t.token()}`)
    .send({ username, password: PASSWORD, displayName, role, jurisdictionCode });
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return username;
}

/** Creates an account through the API (as the root admin) and returns its token. */
export async function staffAt(t: TestApp, jurisdictionCode: string, role: 'staff' | 'supervisor' | 'admin' | 'collector' = 'staff'): Promise<string> {
  return t.token(await account(t, jurisdictionCode, { role }), PASSWORD);
}

export function daysAgo(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);
}
