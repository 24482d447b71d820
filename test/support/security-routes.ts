import { daysAgo, newIdNumber } from './people';
import { certificateBody, inflowBody } from './builders';

// The security matrix's table (test/security-matrix.e2e-spec.ts): every route of the API and the status each kind of
// caller must get.

export const DEST = '330802005001'; // 衢州 community (destination staff)
export const ORIGIN = '421381101000'; // 广水 杨寨镇 (origin staff)
export const ORIGIN_VILLAGE = '421381101201';
export const UNRELATED = '530102001000'; // 昆明 a township nobody here deals with
export const FOREIGN_PROVINCE = '530000000000'; // 云南: an admin with no say over Hubei or Zhejiang

export type Principal = 'anon' | 'tampered' | 'expired' | 'algNone' | 'unrelated' | 'supervisor' | 'staff' | 'foreignAdmin' | 'admin' | Collector;
export const PRINCIPALS: Principal[] = [
  'anon',
  'tampered',
  'expired',
  'algNone',
  'unrelated',
  'supervisor',
  'foreignAdmin',
  'admin',
  'otherCollector',
  'collector',
  'staff',
];
export const BAD_TOKENS: Principal[] = ['anon', 'tampered', 'expired', 'algNone'];
// Issue 31: two grid workers of the destination community; `collector` owns the declarations of the fixtures. A
// collector reaches nothing but what names it: a row that does not say otherwise expects 403 (a public route: 200).
export type Collector = 'collector' | 'otherCollector';
export const COLLECTORS: Principal[] = ['collector', 'otherCollector'];

export interface Fixtures {
  inflowId: string;
  draftId: string;
  departId: string;
  caseId: string;
  personId: string;
  exchangeId: string;
  outflowId: string;
  certificateId: string;
  revokeId: string;
  verificationCode: string;
  importId: string;
  userId: string;
  notificationId: string;
  assessmentId: string;
  assessmentHash: string;
  certIdNumber: string;
  personIdNumber: string;
  /** Issue 31: pending declarations of `collector` (one per route that changes one). */
  declarationId: string;
  withdrawDeclarationId: string;
  acceptDeclarationId: string;
  returnDeclarationId: string;
}

export interface Call {
  path: string;
  body?: unknown;
  /** multipart upload of a small CSV */
  upload?: boolean;
  headers?: Record<string, string>;
}

export interface Row {
  /** "METHOD /api/path" as the OpenAPI document names it */
  route: string;
  /** the staff account that owns the resource: destination or origin */
  owner?: 'dest' | 'origin';
  call: (f: Fixtures) => Call;
  /** expected status for each principal; the four bad-token callers default to 401 */
  expect: Partial<Record<Principal, number>>;
}

export const newInflow = (extra: Record<string, unknown> = {}) =>
  inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '矩阵' }, daysAgo(3), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST, ...extra });

const READ_ALL = { unrelated: 200, supervisor: 200, foreignAdmin: 200, admin: 200, staff: 200 };
const PUBLIC = { anon: 200, tampered: 200, expired: 200, algNone: 200, ...READ_ALL };

export const TABLE: Row[] = [
  {
    route: 'POST /api/auth/login',
    // A name of its own per call: eleven callers would pass the 10 tries a minute one account is allowed.
    call: () => ({ path: '/api/auth/login', body: { username: `nobody-${Math.random().toString(36).slice(2, 8)}`, password: 'wrong-password' } }),
    expect: {
      anon: 401,
      tampered: 401,
      expired: 401,
      algNone: 401,
      unrelated: 401,
      supervisor: 401,
      foreignAdmin: 401,
      admin: 401,
      staff: 401,
      collector: 401,
      otherCollector: 401,
    },
  },
  { route: 'GET /api/me', call: () => ({ path: '/api/me' }), expect: { ...READ_ALL, collector: 200, otherCollector: 200 } },
  // 待办 is a clerk's own (each sees only what its subtree and its own imports hold).
  {
    route: 'GET /api/worklist',
    call: () => ({ path: '/api/worklist' }),
    expect: { unrelated: 200, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  { route: 'GET /api/health', call: () => ({ path: '/api/health' }), expect: PUBLIC },
  // 催办: supervisors and admins, to a place inside their subtree (杨寨镇 is inside the matrix's supervisor's and
  // admin's 全国, outside the foreign admin's 云南). Clerks may not send one.
  {
    route: 'POST /api/reminders',
    call: () => ({ path: '/api/reminders', body: { jurisdictionCode: ORIGIN } }),
    expect: { unrelated: 403, supervisor: 201, foreignAdmin: 403, admin: 201, staff: 403 },
  },
  {
    route: 'GET /api/reminders',
    call: () => ({ path: '/api/reminders' }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 200, admin: 200, staff: 403 },
  },
  // 月度考核: supervisors and admins read months of county level and above in their subtree (the matrix's are 全国's:
  // the foreign admin's 云南 does not hold it); only the supervisor of exactly that jurisdiction confirms, once.
  {
    route: 'GET /api/assessments',
    call: () => ({ path: '/api/assessments?jurisdiction=000000000000&month=2026-09' }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  {
    route: 'GET /api/assessments/months',
    call: () => ({ path: '/api/assessments/months?jurisdiction=000000000000' }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  {
    route: 'GET /api/assessments/year',
    call: () => ({ path: '/api/assessments/year?jurisdiction=530000000000&year=2026' }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 200, admin: 200, staff: 403 },
  },
  {
    route: 'GET /api/assessments/{id}',
    call: (f) => ({ path: `/api/assessments/${f.assessmentId}` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  {
    route: 'GET /api/assessments/{id}/report.pdf',
    call: (f) => ({ path: `/api/assessments/${f.assessmentId}/report.pdf` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  {
    route: 'GET /api/assessments/{id}/report.xlsx',
    call: (f) => ({ path: `/api/assessments/${f.assessmentId}/report.xlsx` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  {
    route: 'POST /api/assessments/{id}/confirm',
    call: (f) => ({ path: `/api/assessments/${f.assessmentId}/confirm`, body: {} }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 403, staff: 403 },
  },
  {
    route: 'GET /api/public/assessments/verify/{hash}',
    call: (f) => ({ path: `/api/public/assessments/verify/${f.assessmentHash}` }),
    expect: PUBLIC,
  },
  // Channels: everyone's own (supervisors too); an admin sets those of an account in its subtree, not a peer admin's.
  { route: 'GET /api/me/channels', call: () => ({ path: '/api/me/channels' }), expect: READ_ALL },
  { route: 'PUT /api/me/channels', call: () => ({ path: '/api/me/channels', body: {} }), expect: READ_ALL },
  { route: 'POST /api/me/channels/test', call: () => ({ path: '/api/me/channels/test' }), expect: READ_ALL },
  {
    route: 'PUT /api/users/{id}/channels',
    call: (f) => ({ path: `/api/users/${f.userId}/channels`, body: {} }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 404, admin: 200, staff: 403 },
  },
  // 站内消息: everyone's own, supervisors' too (marking read is the one write a read-only supervisor makes here);
  // another's notification is not found, whoever asks.
  { route: 'GET /api/notifications', call: () => ({ path: '/api/notifications' }), expect: READ_ALL },
  { route: 'GET /api/notifications/unread-count', call: () => ({ path: '/api/notifications/unread-count' }), expect: READ_ALL },
  { route: 'POST /api/notifications/read-all', call: () => ({ path: '/api/notifications/read-all' }), expect: READ_ALL },
  {
    route: 'POST /api/notifications/{id}/read',
    owner: 'dest',
    call: (f) => ({ path: `/api/notifications/${f.notificationId}/read` }),
    expect: { unrelated: 404, supervisor: 404, foreignAdmin: 404, admin: 404, staff: 200 },
  },
  { route: 'GET /api/public/certificates/verify/{code}', call: (f) => ({ path: `/api/public/certificates/verify/${f.verificationCode}` }), expect: PUBLIC },
  { route: 'GET /api/audit', call: () => ({ path: '/api/audit' }), expect: { unrelated: 403, supervisor: 403, foreignAdmin: 200, admin: 200, staff: 403 } },
  { route: 'GET /api/users', call: () => ({ path: '/api/users' }), expect: { unrelated: 403, supervisor: 403, foreignAdmin: 200, admin: 200, staff: 403 } },
  {
    route: 'POST /api/users',
    call: () => ({
      path: '/api/users',
      body: {
        username: `m${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`,
        password: 'matrix-pass-123',
        displayName: '矩阵',
        role: 'staff',
        jurisdictionCode: DEST,
      },
    }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 201, staff: 403 },
  },
  {
    route: 'GET /api/users/{id}',
    call: (f) => ({ path: `/api/users/${f.userId}` }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 404, admin: 200, staff: 403 },
  },
  {
    route: 'PATCH /api/users/{id}',
    call: (f) => ({ path: `/api/users/${f.userId}`, body: { displayName: '矩阵改名' } }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 404, admin: 200, staff: 403 },
  },
  // The place table: a collector's phone picks places from it too.
  {
    route: 'GET /api/jurisdictions',
    call: () => ({ path: '/api/jurisdictions?parent=330802000000' }),
    expect: { ...READ_ALL, collector: 200, otherCollector: 200 },
  },
  {
    route: 'GET /api/jurisdictions/{code}',
    call: () => ({ path: `/api/jurisdictions/${DEST}` }),
    expect: { ...READ_ALL, collector: 200, otherCollector: 200 },
  },
  {
    route: 'POST /api/inflows',
    owner: 'dest',
    call: () => ({ path: '/api/inflows', body: newInflow() }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 201 },
  },
  { route: 'GET /api/inflows', owner: 'dest', call: () => ({ path: '/api/inflows' }), expect: READ_ALL },
  { route: 'GET /api/inflows/export', owner: 'dest', call: () => ({ path: '/api/inflows/export' }), expect: READ_ALL },
  {
    route: 'GET /api/inflows/{id}',
    owner: 'dest',
    call: (f) => ({ path: `/api/inflows/${f.inflowId}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    // The form carries the full numbers: a clerk's, for the person to sign; supervisors and admins read masked views.
    route: 'GET /api/inflows/{id}/form.pdf',
    owner: 'dest',
    call: (f) => ({ path: `/api/inflows/${f.inflowId}/form.pdf` }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 404, admin: 403, staff: 200 },
  },
  {
    route: 'PATCH /api/inflows/{id}',
    owner: 'dest',
    call: (f) => ({ path: `/api/inflows/${f.inflowId}`, body: { address: '衢州市柯城区新地址' } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  {
    route: 'POST /api/inflows/{id}/submit',
    owner: 'dest',
    call: (f) => ({ path: `/api/inflows/${f.draftId}/submit` }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  {
    route: 'POST /api/inflows/{id}/depart',
    owner: 'dest',
    call: (f) => ({ path: `/api/inflows/${f.departId}/depart`, body: { kind: 'departed', date: daysAgo(0) } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  { route: 'GET /api/inflows/import/template.xlsx', call: () => ({ path: '/api/inflows/import/template.xlsx' }), expect: READ_ALL },
  {
    route: 'POST /api/inflows/import',
    owner: 'dest',
    call: () => ({ path: '/api/inflows/import', upload: true }),
    expect: { unrelated: 202, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 202 },
  },
  // Everyone's own imports (an empty list for those who never imported).
  { route: 'GET /api/imports', call: () => ({ path: '/api/imports' }), expect: READ_ALL },
  {
    route: 'GET /api/imports/{id}',
    owner: 'dest',
    call: (f) => ({ path: `/api/imports/${f.importId}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    route: 'POST /api/outflows',
    owner: 'origin',
    call: () => ({
      path: '/api/outflows',
      body: { person: { idNumber: newIdNumber({ sex: 'male' }), name: '外出' }, householdCode: ORIGIN_VILLAGE, departureDate: daysAgo(5) },
    }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 201 },
  },
  { route: 'GET /api/outflows', owner: 'origin', call: () => ({ path: '/api/outflows' }), expect: READ_ALL },
  { route: 'GET /api/outflows/export', owner: 'origin', call: () => ({ path: '/api/outflows/export' }), expect: READ_ALL },
  {
    route: 'POST /api/outflows/{id}/close',
    owner: 'origin',
    call: (f) => ({ path: `/api/outflows/${f.outflowId}/close`, body: { kind: 'returned', date: daysAgo(0) } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  { route: 'GET /api/exchanges/inbox', owner: 'origin', call: () => ({ path: '/api/exchanges/inbox' }), expect: READ_ALL },
  { route: 'GET /api/exchanges/outbox', owner: 'dest', call: () => ({ path: '/api/exchanges/outbox' }), expect: READ_ALL },
  { route: 'GET /api/exchanges/inbox/export', owner: 'origin', call: () => ({ path: '/api/exchanges/inbox/export' }), expect: READ_ALL },
  { route: 'GET /api/exchanges/outbox/export', owner: 'dest', call: () => ({ path: '/api/exchanges/outbox/export?format=csv' }), expect: READ_ALL },
  {
    route: 'GET /api/exchanges/{id}',
    owner: 'origin',
    call: (f) => ({ path: `/api/exchanges/${f.exchangeId}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    route: 'POST /api/exchanges',
    owner: 'dest',
    call: (f) => ({ path: '/api/exchanges', body: { caseId: f.caseId, type: 'event_notice', payload: { subject: '矩阵测试' } } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 201 },
  },
  {
    route: 'POST /api/exchanges/{id}/reply',
    owner: 'origin',
    call: (f) => ({ path: `/api/exchanges/${f.exchangeId}/reply`, body: { outcome: 'confirmed' } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  // Not failed, so even the admin who may retry gets 409; the point here is who may ask at all.
  {
    route: 'POST /api/exchanges/{id}/retry',
    owner: 'origin',
    call: (f) => ({ path: `/api/exchanges/${f.exchangeId}/retry` }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 404, admin: 409, staff: 403 },
  },
  {
    route: 'GET /api/cases/{id}',
    owner: 'dest',
    call: (f) => ({ path: `/api/cases/${f.caseId}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/persons',
    owner: 'dest',
    call: (f) => ({ path: `/api/persons?idNumber=${f.personIdNumber}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/persons/{id}',
    owner: 'dest',
    call: (f) => ({ path: `/api/persons/${f.personId}` }),
    expect: { unrelated: 404, supervisor: 200, foreignAdmin: 404, admin: 200, staff: 200 },
  },
  {
    route: 'POST /api/certificates',
    owner: 'origin',
    call: () => ({
      path: '/api/certificates',
      body: certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1994-04-04' }), name: '王芳' }, { householdCode: ORIGIN_VILLAGE }),
    }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 201 },
  },
  // Any staff may look a certificate up by the full ID number (the destination checks a newcomer's); audited.
  {
    route: 'GET /api/certificates',
    owner: 'origin',
    call: (f) => ({ path: `/api/certificates?idNumber=${f.certIdNumber}` }),
    expect: { unrelated: 200, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  // Any staff may find a certificate by ID number, so its existence is no secret: the refusal names the rule.
  {
    route: 'POST /api/certificates/{id}/revoke',
    owner: 'origin',
    call: (f) => ({ path: `/api/certificates/${f.revokeId}/revoke`, body: { reason: '矩阵测试注销' } }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  {
    route: 'GET /api/certificates/{id}/pdf',
    owner: 'origin',
    call: (f) => ({ path: `/api/certificates/${f.certificateId}/pdf` }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200 },
  },
  {
    route: 'GET /api/rates',
    owner: 'dest',
    call: () => ({ path: `/api/rates?jurisdiction=${DEST}` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/rates/trend',
    owner: 'dest',
    call: () => ({ path: `/api/rates/trend?jurisdiction=${DEST}` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/rates/items',
    owner: 'dest',
    call: () => ({ path: `/api/rates/items?jurisdiction=${DEST}&state=overdue` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/rates/items/export',
    owner: 'dest',
    call: () => ({ path: `/api/rates/items/export?jurisdiction=${DEST}&state=overdue` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/rates/export',
    owner: 'dest',
    call: () => ({ path: `/api/rates/export?jurisdiction=${DEST}&format=csv` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'GET /api/rates/targets/{code}',
    owner: 'dest',
    call: () => ({ path: `/api/rates/targets/${DEST}` }),
    expect: { unrelated: 403, supervisor: 200, foreignAdmin: 403, admin: 200, staff: 200 },
  },
  {
    route: 'PUT /api/rates/targets/{code}',
    owner: 'dest',
    call: () => ({ path: `/api/rates/targets/${DEST}`, body: { submission: 0.95 } }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 200, staff: 403 },
  },
  // Issue 31: grid workers' declarations. A collector sees and changes only its own; the destination's clerks review.
  {
    route: 'POST /api/declarations',
    call: () => ({ path: '/api/declarations', body: newDeclaration(), headers: { 'Idempotency-Key': `matrix-${Math.random().toString(36).slice(2)}` } }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 403, collector: 201, otherCollector: 201 },
  },
  {
    route: 'GET /api/declarations',
    call: () => ({ path: '/api/declarations' }),
    expect: { unrelated: 200, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200, collector: 200, otherCollector: 200 },
  },
  {
    route: 'PATCH /api/declarations/{id}',
    call: (f) => ({ path: `/api/declarations/${f.declarationId}`, body: { address: '衢州市柯城区矩阵路 1 号' } }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 403, collector: 200, otherCollector: 404 },
  },
  {
    route: 'POST /api/declarations/{id}/withdraw',
    call: (f) => ({ path: `/api/declarations/${f.withdrawDeclarationId}/withdraw` }),
    expect: { unrelated: 403, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 403, collector: 200, otherCollector: 404 },
  },
  {
    route: 'POST /api/declarations/{id}/accept',
    owner: 'dest',
    // 户籍地 completed from the county the phone offered to the village.
    call: (f) => ({ path: `/api/declarations/${f.acceptDeclarationId}/accept`, body: { householdCode: ORIGIN_VILLAGE } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 201, collector: 403, otherCollector: 403 },
  },
  {
    route: 'POST /api/declarations/{id}/return',
    owner: 'dest',
    call: (f) => ({ path: `/api/declarations/${f.returnDeclarationId}/return`, body: { reason: '矩阵退回' } }),
    expect: { unrelated: 404, supervisor: 403, foreignAdmin: 403, admin: 403, staff: 200, collector: 403, otherCollector: 403 },
  },
];

/** Issue 31: a declaration's body (a registration's, 户籍地 at county level, and when it was filled in). */
export const newDeclaration = () => ({
  ...newInflow({ householdCode: ORIGIN_VILLAGE.slice(0, 6).padEnd(12, '0') }),
  collectedAt: new Date(Date.now() - 600_000).toISOString(),
});

/**
 * Writes about a *person* by someone who is not the side holding what they would change (quality.md, "Trust between
 * the sides"): another township of the same county writing about the origin's people, another destination writing
 * about the destination's registrant, the origin editing the destination's record. Each must be refused (or, for a
 * draft, leave the other side's records as they were); the matrix then checks the person is unchanged and still
 * invisible to the rivals.
 */
export const RIVAL_ORIGIN = '421381102000'; // 陈巷镇, beside 杨寨镇 in 广水
export const RIVAL_ORIGIN_VILLAGE = '421381102201';
export const RIVAL_DEST = '330802006002'; // a community of 府山街道, beside the destination's 新新街道 in 衢州

export interface PersonWrite {
  what: string;
  as: 'rivalOrigin' | 'rivalDest' | 'origin';
  method: 'post' | 'patch';
  call: (f: Fixtures) => Call;
  status: number;
  code?: string;
}

export const PERSON_WRITES: PersonWrite[] = [
  {
    what: "another township issues a certificate for the origin's woman, with another name",
    as: 'rivalOrigin',
    method: 'post',
    call: (f) => ({
      path: '/api/certificates',
      body: certificateBody({ idNumber: f.certIdNumber, name: '冒名' }, { householdCode: RIVAL_ORIGIN_VILLAGE }),
    }),
    status: 409,
    code: 'HOUSEHOLD_ELSEWHERE',
  },
  {
    what: "another township registers an outflow for the destination's registrant under its own village",
    as: 'rivalOrigin',
    method: 'post',
    call: (f) => ({
      path: '/api/outflows',
      body: { person: { idNumber: f.personIdNumber, name: '冒名' }, householdCode: RIVAL_ORIGIN_VILLAGE, departureDate: daysAgo(20) },
    }),
    status: 409,
    code: 'HOUSEHOLD_ELSEWHERE',
  },
  {
    what: "another destination keeps an unsent draft of the registrant, with another name (it may, but changes nobody's record)",
    as: 'rivalDest',
    method: 'post',
    call: (f) => ({
      path: '/api/inflows',
      body: inflowBody({ idNumber: f.personIdNumber, name: '冒名' }, daysAgo(1), {
        householdCode: ORIGIN_VILLAGE,
        destinationCode: RIVAL_DEST,
        submit: false,
      }),
    }),
    status: 201,
  },
  {
    what: "the origin edits the destination's registration",
    as: 'origin',
    method: 'patch',
    call: (f) => ({ path: `/api/inflows/${f.inflowId}`, body: { address: '杨寨镇改写' } }),
    status: 403,
    code: 'NOT_DESTINATION_SIDE',
  },
  {
    what: 'another township sends a message on the case as if it were a side',
    as: 'rivalOrigin',
    method: 'post',
    call: (f) => ({ path: '/api/exchanges', body: { caseId: f.caseId, type: 'verification_request', payload: { subject: '冒充' } } }),
    status: 404,
  },
  {
    what: "another township answers the origin's message with a corrected name",
    as: 'rivalOrigin',
    method: 'post',
    call: (f) => ({ path: `/api/exchanges/${f.exchangeId}/reply`, body: { outcome: 'corrected', corrections: { name: '冒名' } } }),
    status: 404,
  },
  {
    what: 'another destination ends the registrant’s stay',
    as: 'rivalDest',
    method: 'post',
    call: (f) => ({ path: `/api/inflows/${f.inflowId}/depart`, body: { kind: 'departed', date: daysAgo(0) } }),
    status: 404,
  },
  {
    what: "another township revokes the origin's certificate",
    as: 'rivalOrigin',
    method: 'post',
    call: (f) => ({ path: `/api/certificates/${f.certificateId}/revoke`, body: { reason: '冒充注销' } }),
    status: 403,
  },
];
