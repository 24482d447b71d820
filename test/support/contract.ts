import { connect } from 'node:net';
import { TestApp, waitFor } from './app';
import { inflowBody } from './builders';
import { daysAgo, newIdNumber } from './people';

// Shared by the contract tests (test/contract*.e2e-spec.ts): what a new user hit, point by point of api.md.

export const YANGZHAI = '421381101000';
export const MARITAL = '婚姻状况须为：未婚、初婚、再婚、离婚、丧偶';
export const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A 15-digit first-generation number of a woman born on the given date (YYMMDD). */
export function firstGeneration(birth: string, sequence = '002'): string {
  return `421381${birth}${sequence}`;
}

/** Sends bytes exactly as written (a hand-typed URL with raw UTF-8), which no HTTP client library would send. */
export function rawRequest(port: number, head: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(head));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ status, body: JSON.parse(body) });
      } catch {
        resolve({ status, body });
      }
    });
  });
}

/** A woman of childbearing age who signed the undertaking (no certificate needed to register her). */
export function womanBody(overrides: Record<string, unknown> = {}, person: Record<string, unknown> = {}) {
  return inflowBody(
    { idNumber: newIdNumber({ sex: 'female', birthDate: '1990-03-07' }), name: '王芳', ...person } as { idNumber: string; name: string },
    daysAgo(5),
    {
      address: '衢州市柯城区金桂社区 12 号',
      undertaking: true,
      ...overrides,
    },
  );
}

/** The case's message of `type` once it is delivered, as the origin sees it. */
export function deliveredNotice(t: TestApp, origin: string, caseId: string, type = 'inflow_notice') {
  return waitFor(
    async () => {
      const res = await t
        .http()
        .get(`/api/cases/${caseId}`)
        .set({ Authorization: `Bearer ${origin}` });
      return (res.body.exchanges ?? []).find((e: { type: string; status: string }) => e.type === type && e.status === 'delivered');
    },
    15_000,
    `${type} delivered`,
  );
}
