import { TestApp, waitFor } from './app';
import { QUZHOU_COMMUNITY } from './builders';
import { daysAgo } from './people';

// Registers for the bulk import tests: a CSV line of a valid row, a bad check character, and uploading and waiting.

/** The columns the test registers use (the template's, by their API names). */
export const HEADER = 'idNumber,name,phone,householdCode,destinationCode,address,arrivalDate,reason,maritalStatus,contraception,pregnant,certificateNumber';

export function line(idNumber: string, overrides: Partial<Record<string, string>> = {}): string {
  const row = {
    idNumber,
    name: '导入测试',
    phone: '',
    householdCode: '421381101201',
    destinationCode: QUZHOU_COMMUNITY,
    address: '衢州市柯城区',
    arrivalDate: daysAgo(4),
    reason: 'work',
    maritalStatus: 'unmarried',
    contraception: 'none',
    pregnant: '',
    certificateNumber: '',
    ...overrides,
  };
  return HEADER.split(',')
    .map((k) => row[k as keyof typeof row])
    .join(',');
}

export function badCheckDigit(id: string): string {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
}

/** POST /api/inflows/import as the clerk `token`. */
export function uploadRegister(t: TestApp, token: string, content: Buffer | string, filename = 'register.csv', query = '') {
  return t.http().post(`/api/inflows/import${query}`).set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(content), filename);
}

/** The import's status once it is done or failed. */
export function importFinished(t: TestApp, token: string, importId: string) {
  return waitFor(
    async () => {
      const res = await t.http().get(`/api/imports/${importId}`).set('Authorization', `Bearer ${token}`).expect(200);
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : undefined;
    },
    30_000,
    'import done',
  );
}
