import { createHmac } from 'node:crypto';
import { startTestApp, TestApp, waitFor } from './support/app';
import { certificateBody, outflowBody, userBody } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Every route × every kind of caller, from one table (test/support/security-routes.ts). A route the OpenAPI document lists but the table does not
// fails the test, so a new endpoint cannot ship without its row.
import {
  BAD_TOKENS,
  COLLECTORS,
  DEST,
  Fixtures,
  FOREIGN_PROVINCE,
  newInflow,
  ORIGIN,
  ORIGIN_VILLAGE,
  PERSON_WRITES,
  Principal,
  PRINCIPALS,
  RIVAL_DEST,
  RIVAL_ORIGIN,
  TABLE,
  UNRELATED,
  newDeclaration,
} from './support/security-routes';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('security matrix: every route × every kind of caller', () => {
  let t: TestApp;
  const tokens = {} as Record<Principal, string | null>;
  const owners = {} as Record<'dest' | 'origin', string>;
  let f: Fixtures;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    owners.dest = await staffAt(t, DEST);
    owners.origin = await staffAt(t, ORIGIN);
    tokens.unrelated = await staffAt(t, UNRELATED);
    tokens.supervisor = await staffAt(t, '000000000000', 'supervisor');
    tokens.foreignAdmin = await staffAt(t, FOREIGN_PROVINCE, 'admin');
    tokens.admin = await t.token();
    tokens.anon = null;
    // Issue 31: grid workers of the destination community.
    [tokens.collector, tokens.otherCollector] = await Promise.all([staffAt(t, DEST, 'collector'), staffAt(t, DEST, 'collector')]);
    const declare = async () =>
      (
        await t
          .http()
          .post('/api/declarations')
          .set(auth(tokens.collector!))
          .set('Idempotency-Key', `fixture-${Math.random().toString(36).slice(2)}`)
          .send(newDeclaration())
          .expect(201)
      ).body.id as string;
    const declarations = { id: await declare(), withdraw: await declare(), accept: await declare(), return: await declare() };
    const me = await t.http().get('/api/me').set(auth(owners.dest)).expect(200);
    const [header, payload] = owners.dest.split('.');
    const signature = owners.dest.split('.')[2];
    tokens.tampered = `${header}.${base64url({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: me.body.id, x: 1 })}.${signature}`;
    const expiredBody = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: me.body.id, iat: 1_600_000_000, exp: 1_600_000_600 })}`;
    tokens.expired = `${expiredBody}.${createHmac('sha256', t.config.jwtSecret).update(expiredBody).digest('base64url')}`;
    tokens.algNone = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: me.body.id, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;

    const personIdNumber = newIdNumber({ sex: 'male' });
    const inflow = await t
      .http()
      .post('/api/inflows')
      .set(auth(owners.dest))
      .send(newInflow({ person: { idNumber: personIdNumber, name: '矩阵' } }))
      .expect(201);
    const draft = await t
      .http()
      .post('/api/inflows')
      .set(auth(owners.dest))
      .send(newInflow({ submit: false }))
      .expect(201);
    const depart = await t.http().post('/api/inflows').set(auth(owners.dest)).send(newInflow()).expect(201);
    const notice = await waitFor(
      async () => {
        const res = await t.http().get(`/api/cases/${inflow.body.caseId}`).set(auth(owners.dest)).expect(200);
        const found = (res.body.exchanges as { id: string; status: string }[]).find((e) => e.status === 'delivered');
        return found;
      },
      15_000,
      'the inflow notice delivered',
    );
    const outflow = await t
      .http()
      .post('/api/outflows')
      .set(auth(owners.origin))
      .send(outflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '外出' }, daysAgo(9), { householdCode: ORIGIN_VILLAGE }))
      .expect(201);
    const certIdNumber = newIdNumber({ sex: 'female', birthDate: '1992-02-02' });
    const certBody = (idNumber: string) => certificateBody({ idNumber, name: '王芳' }, { householdCode: ORIGIN_VILLAGE });
    const certificate = await t.http().post('/api/certificates').set(auth(owners.origin)).send(certBody(certIdNumber)).expect(201);
    const revoke = await t
      .http()
      .post('/api/certificates')
      .set(auth(owners.origin))
      .send(certBody(newIdNumber({ sex: 'female', birthDate: '1993-03-03' })))
      .expect(201);
    const upload = await t.http().post('/api/inflows/import').set(auth(owners.dest)).attach('file', csv(), 'matrix.csv').expect(202);
    // The import's end tells its uploader (import_done): a notification of the destination clerk's own.
    const notification = await waitFor(
      async () => (await t.http().get('/api/notifications').set(auth(owners.dest)).expect(200)).body.items[0] as { id: string } | undefined,
      15_000,
      'the import_done notification',
    );
    const user = await t
      .http()
      .post('/api/users')
      .set(auth(tokens.admin))
      .send(userBody(`matrix_${Date.now().toString(36)}`, DEST, { displayName: '矩阵' }))
      .expect(201);
    // A frozen month of the whole country (the matrix's supervisor's own jurisdiction), and its hash.
    const assessment = await t
      .http()
      .get('/api/assessments')
      .query({ jurisdiction: '000000000000', month: '2026-09' })
      .set(auth(tokens.supervisor))
      .expect(200);
    f = {
      assessmentId: assessment.body.id,
      assessmentHash: assessment.body.hash,
      inflowId: inflow.body.id,
      draftId: draft.body.id,
      departId: depart.body.id,
      caseId: inflow.body.caseId,
      personId: inflow.body.person.id,
      exchangeId: notice.id,
      outflowId: outflow.body.id,
      certificateId: certificate.body.id,
      revokeId: revoke.body.id,
      verificationCode: certificate.body.verificationCode,
      importId: upload.body.importId,
      userId: user.body.id,
      notificationId: notification.id,
      certIdNumber,
      personIdNumber,
      declarationId: declarations.id,
      withdrawDeclarationId: declarations.withdraw,
      acceptDeclarationId: declarations.accept,
      returnDeclarationId: declarations.return,
    };
  }, 60_000);
  afterAll(() => t.close());

  function csv(): Buffer {
    const fields = 'idNumber,name,householdCode,destinationCode,address,arrivalDate,reason,maritalStatus,contraception';
    return Buffer.from(`${fields}\n${newIdNumber({ sex: 'male' })},导入,${ORIGIN_VILLAGE},${DEST},衢州,${daysAgo(2)},work,unmarried,none\n`);
  }

  it('has a row for every route of the OpenAPI document, and no row for a route that does not exist', async () => {
    const doc = await t.http().get('/api/docs-json').expect(200);
    const routes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(TABLE.map((r) => r.route).sort()).toEqual(routes.sort());
  });

  it('answers every route with the expected status for every caller', async () => {
    const mismatches: string[] = [];
    for (const row of TABLE) {
      const [method] = row.route.split(' ');
      for (const principal of PRINCIPALS) {
        // A collector reaches only what names it (a public route answers it as it answers anyone).
        const collectorDefault = row.expect.anon !== undefined && row.expect.anon !== 401 ? row.expect.anon : 403;
        const expected = row.expect[principal] ?? (BAD_TOKENS.includes(principal) ? 401 : COLLECTORS.includes(principal) ? collectorDefault : undefined);
        if (expected === undefined) throw new Error(`${row.route}: no expectation for ${principal}`);
        const token = principal === 'staff' ? owners[row.owner ?? 'dest'] : tokens[principal];
        const call = row.call(f);
        let req = t.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](call.path);
        if (token) req = req.set(auth(token));
        if (call.headers) req = req.set(call.headers);
        if (call.upload) req = req.attach('file', csv(), 'matrix.csv');
        else if (call.body !== undefined) req = req.send(call.body as object);
        const res = await req;
        if (res.status !== expected)
          mismatches.push(`${row.route} as ${principal}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
        if (res.status >= 400 && res.headers['content-type']?.includes('json')) {
          // Every refusal is the contract's error body, with a Chinese message.
          if (typeof res.body.code !== 'string' || !/[\u4e00-\u9fff]/.test(res.body.message ?? ''))
            mismatches.push(`${row.route} as ${principal}: error body ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('refuses every write about a person by one who does not hold it, and leaves the person as the holder left them', async () => {
    const rivals = { rivalOrigin: await staffAt(t, RIVAL_ORIGIN), rivalDest: await staffAt(t, RIVAL_DEST), origin: owners.origin };
    const personOf = async (idNumber: string) => {
      const res = await t.http().get(`/api/persons?idNumber=${idNumber}`).set(auth(owners.origin)).expect(200);
      const { id, name, householdCode } = res.body as { id: string; name: string; householdCode: string };
      return { id, name, householdCode };
    };
    const before = { registrant: await personOf(f.personIdNumber), holder: await personOf(f.certIdNumber) };
    const mismatches: string[] = [];
    for (const write of PERSON_WRITES) {
      const call = write.call(f);
      const res = await t
        .http()
        [write.method](call.path)
        .set(auth(rivals[write.as]))
        .send(call.body as object);
      if (res.status !== write.status || (write.code && res.body.code !== write.code))
        mismatches.push(`${write.what}: expected ${write.status} ${write.code ?? ''}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(mismatches).toEqual([]);
    // Nobody renamed, rehoused or moved on; nothing opened to the rivals.
    expect(await personOf(f.personIdNumber)).toEqual(before.registrant);
    expect(await personOf(f.certIdNumber)).toEqual(before.holder);
    expect((await t.http().get(`/api/inflows/${f.inflowId}`).set(auth(owners.dest)).expect(200)).body.status).toBe('active');
    const verified = await t.http().get(`/api/public/certificates/verify/${f.verificationCode}`).expect(200);
    expect(verified.body.status).toBe('valid');
    for (const rival of [rivals.rivalOrigin, rivals.rivalDest]) {
      await t.http().get(`/api/cases/${f.caseId}`).set(auth(rival)).expect(404);
      await t.http().get(`/api/inflows/${f.inflowId}`).set(auth(rival)).expect(404);
    }
    // The other destination is a side of its own draft (it typed the number); the other township is a side of nothing.
    await t.http().get(`/api/persons/${f.personId}`).set(auth(rivals.rivalOrigin)).expect(404);
  });
});
