import { ageOn } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp, waitFor } from './support/app';
import { certificateBody, inflowBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

const YANGZHAI = '421381101000';
const CHENXIANG_VILLAGE = '421381102201';

function yearsAgo(years: number, extraDays = 0): string {
  const d = new Date(Date.now() + 8 * 3600_000);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - extraDays);
  return d.toISOString().slice(0, 10);
}

describe('electronic marriage/childbearing certificates (电子婚育证明)', () => {
  let t: TestApp;
  let origin: string;
  let dest: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  function issue(token: string, idNumber: string, extra: Record<string, unknown> = {}) {
    return t
      .http()
      .post('/api/certificates')
      .set(auth(token))
      .send(
        certificateBody(
          { idNumber, name: '王芳' },
          {
            maritalStatus: 'first_married',
            spouse: { name: '李强', idNumber: newIdNumber({ sex: 'male', birthDate: '1988-01-01' }) },
            children: [{ sex: 'female', birthDate: '2018-05-01' }],
            contraception: 'iud',
            ...extra,
          },
        ),
      );
  }
  const woman = (birthDate = '1995-06-15') => newIdNumber({ sex: 'female', birthDate });

  function register(idNumber: string, extra: Record<string, unknown> = {}) {
    return t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(inflowBody({ idNumber, name: '王芳' }, daysAgo(3), { maritalStatus: 'first_married', contraception: 'iud', ...extra }));
  }

  beforeAll(async () => {
    t = await startTestApp();
    [origin, dest] = await Promise.all([staffAt(t, YANGZHAI), staffAt(t, QUZHOU_COMMUNITY)]);
  });
  afterAll(() => t.close());

  it('issues a certificate with the legal content, a township-year-serial number and a verification code', async () => {
    const idNumber = woman();
    const res = await issue(origin, idNumber).expect(201);
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    expect(res.body).toMatchObject({
      number: expect.stringMatching(new RegExp(`^${YANGZHAI}-${year}-\\d{5}$`)),
      status: 'valid',
      issuerCode: YANGZHAI,
      holder: { name: '王芳', idNumber: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`, age: ageOn('1995-06-15', todayInShanghai()) },
      maritalStatus: 'first_married',
      spouse: { name: '李强', idNumber: expect.stringMatching(/^\d{6}\*{8}/) },
      children: [{ sex: 'female', birthDate: '2018-05-01' }],
      contraception: 'iud',
      supersedes: null,
    });
    expect(res.body.verificationCode).toMatch(/^[A-Za-z0-9_-]{107}$/);
    expect(JSON.stringify(res.body)).not.toContain(idNumber);
  });

  it('refuses men and women outside 18–49 (422 NOT_ELIGIBLE with the reason) and other townships (403)', async () => {
    const man = await issue(origin, newIdNumber({ sex: 'male', birthDate: '1990-01-01' })).expect(422);
    expect(man.body).toMatchObject({ code: 'NOT_ELIGIBLE', message: expect.stringContaining('男性') });
    const older = await issue(origin, woman(yearsAgo(50, 3))).expect(422);
    expect(older.body).toMatchObject({ code: 'NOT_ELIGIBLE', message: expect.stringContaining('50') });
    const young = await issue(origin, woman(yearsAgo(17))).expect(422);
    expect(young.body.code).toBe('NOT_ELIGIBLE');
    const elsewhere = await issue(origin, woman(), { householdCode: CHENXIANG_VILLAGE }).expect(403);
    expect(elsewhere.body.details).toEqual([{ field: 'householdCode', message: expect.any(String) }]);
    await issue(dest, woman()).expect(403);
  });

  it('gives concurrent issues distinct, consecutive numbers', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => issue(origin, woman())));
    const serials = results.map((r) => {
      expect(r.status).toBe(201);
      return Number(r.body.number.split('-')[2]);
    });
    serials.sort((a, b) => a - b);
    expect(new Set(serials).size).toBe(6);
    expect(serials[5] - serials[0]).toBe(5);
  });

  it('supersedes the previous certificate when issued again, keeping history readable', async () => {
    const idNumber = woman();
    const first = await issue(origin, idNumber).expect(201);
    const second = await issue(origin, idNumber, {
      children: [
        { sex: 'female', birthDate: '2018-05-01' },
        { sex: 'male', birthDate: '2022-02-02' },
      ],
    }).expect(201);
    expect(second.body.supersedes).toBe(first.body.id);
    const old = await t.http().get(`/api/public/certificates/verify/${first.body.verificationCode}`).expect(200);
    expect(old.body).toMatchObject({ authentic: true, status: 'superseded', number: first.body.number });
    const current = await t.http().get(`/api/certificates?idNumber=${idNumber}`).set(auth(dest)).expect(200);
    expect(current.body).toMatchObject({ id: second.body.id, status: 'valid', children: [{}, { sex: 'male' }] });
  });

  it('revokes on the issuing side only; verification then shows revoked', async () => {
    const cert = await issue(origin, woman()).expect(201);
    const url = `/api/certificates/${cert.body.id}/revoke`;
    const notIssuer = await t.http().post(url).set(auth(dest)).send({ reason: '无' }).expect(403);
    expect(notIssuer.body.code).toBe('NOT_ISSUER');
    await t.http().post(url).set(auth(origin)).send({}).expect(400);
    // A blank reason is no reason (found by bench/fuzz.ts).
    await t.http().post(url).set(auth(origin)).send({ reason: '   ' }).expect(400);
    const revoked = await t.http().post(url).set(auth(origin)).send({ reason: '婚姻状况已变更' }).expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: '婚姻状况已变更' });
    await t.http().post(url).set(auth(origin)).send({ reason: '再次' }).expect(409);
    const verified = await t.http().get(`/api/public/certificates/verify/${cert.body.verificationCode}`).expect(200);
    expect(verified.body.status).toBe('revoked');
  });

  it('verifies publicly without login, disclosing only the minimum, and rejects altered or guessed codes', async () => {
    const idNumber = woman();
    const cert = await issue(origin, idNumber).expect(201);
    const res = await t.http().get(`/api/public/certificates/verify/${cert.body.verificationCode}`).expect(200);
    expect(res.body).toEqual({
      authentic: true,
      status: 'valid',
      number: cert.body.number,
      issuer: { code: YANGZHAI, name: '湖北省随州市广水市杨寨镇' },
      issuedAt: cert.body.issuedAt,
      holder: { name: '王*', idNumber: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}` },
    });
    const code: string = cert.body.verificationCode;
    const flipped = code.slice(0, 10) + (code[10] === 'A' ? 'B' : 'A') + code.slice(11);
    // The last character's unused bits altered: the same bytes, another spelling — still refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = code.slice(0, -1) + alphabet[alphabet.indexOf(code[106]) ^ 1];
    for (const bad of [flipped, respelled, code.slice(0, -1) + alphabet[(alphabet.indexOf(code[106]) + 4) % 64], 'x'.repeat(107), 'short']) {
      const r = await t.http().get(`/api/public/certificates/verify/${bad}`).expect(404);
      expect(r.body.authentic).toBe(false);
    }
  });

  it('looks up by exact full ID number or 证明编号 only, for staff, audited', async () => {
    const idNumber = woman();
    const cert = await issue(origin, idNumber).expect(201);
    await t.http().get(`/api/certificates?idNumber=${idNumber}`).set(auth(dest)).expect(200);
    const partial = await t
      .http()
      .get(`/api/certificates?idNumber=${idNumber.slice(0, 12)}`)
      .set(auth(dest))
      .expect(400);
    expect(partial.body.details[0].field).toBe('idNumber');
    await t.http().get(`/api/certificates?idNumber=${woman()}`).set(auth(dest)).expect(404);
    const neither = await t.http().get('/api/certificates').set(auth(dest)).expect(400);
    expect(neither.body.details).toEqual([{ field: 'idNumber', message: '请填写公民身份号码或证明编号' }]);
    // …or by the 证明编号 printed on it, exactly.
    const byNumber = await t.http().get('/api/certificates').query({ number: cert.body.number }).set(auth(dest)).expect(200);
    expect(byNumber.body).toMatchObject({ id: cert.body.id, number: cert.body.number, holder: { idNumber: cert.body.holder.idNumber } });
    await t
      .http()
      .get('/api/certificates')
      .query({ number: `${cert.body.number.slice(0, -5)}99999` })
      .set(auth(dest))
      .expect(404);
    const loose = await t
      .http()
      .get('/api/certificates')
      .query({ number: cert.body.number.slice(0, 12) })
      .set(auth(dest))
      .expect(400);
    expect(loose.body.details[0].field).toBe('number');
    const both = await t.http().get('/api/certificates').query({ idNumber, number: cert.body.number }).set(auth(dest)).expect(400);
    expect(both.body.details[0]).toEqual({ field: 'idNumber', message: '公民身份号码与证明编号只填一项' });
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE entity = 'certificate' AND entity_id = $1 ORDER BY id`, [cert.body.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['create', 'lookup', 'lookup']);
  });

  it('checks the certificate on registration: every certificateCheck value', async () => {
    const expectCheck = async (idNumber: string, extra: Record<string, unknown>, check: string) => {
      const res = await register(idNumber, extra).expect(201);
      expect({ check: res.body.certificateCheck, keyTarget: res.body.keyTarget }).toEqual({
        check,
        keyTarget: !['not_required', 'valid', 'undertaking'].includes(check),
      });
    };
    await expectCheck(newIdNumber({ sex: 'male', birthDate: '1990-01-01' }), {}, 'not_required');

    const holder = woman();
    const cert = await issue(origin, holder).expect(201);
    await expectCheck(holder, {}, 'valid'); // looked up by ID number: no paper needed
    const shown = woman();
    const shownCert = await issue(origin, shown).expect(201);
    await expectCheck(shown, { certificateNumber: shownCert.body.number }, 'valid');

    await expectCheck(woman(), {}, 'missing');
    await expectCheck(woman(), { certificateNumber: `${YANGZHAI}-1999-99999` }, 'not_found');
    await expectCheck(woman(), { certificateNumber: cert.body.number }, 'mismatch');
    await expectCheck(woman(), { undertaking: true }, 'undertaking');

    const revokedHolder = woman();
    const revoked = await issue(origin, revokedHolder).expect(201);
    await t.http().post(`/api/certificates/${revoked.body.id}/revoke`).set(auth(origin)).send({ reason: '测试' }).expect(200);
    await expectCheck(revokedHolder, {}, 'revoked');

    // A certificate issued last year when she was 49 lapses at 50; she arrived while still 49.
    const lapsedHolder = woman(yearsAgo(50, 20));
    const lapsedPerson = await register(lapsedHolder, {
      undertaking: true,
      arrivalDate: yearsAgo(0, 30),
      maritalStatus: 'unmarried',
      contraception: 'none',
    }).expect(201);
    await t.db.query(
      `INSERT INTO certificate (number, person_id, issuer_code, household_code, holder_name, marital_status, contraception, issued_at)
       VALUES ($1, $2, $3, $4, '王芳', 'unmarried', 'none', now() - interval '300 days')`,
      [`${YANGZHAI}-2000-00001`, lapsedPerson.body.person.id, YANGZHAI, YANGZHAI_VILLAGE],
    );
    await t
      .http()
      .post(`/api/inflows/${lapsedPerson.body.id}/depart`)
      .set(auth(dest))
      .send({ date: daysAgo(0), kind: 'returned' })
      .expect(200);
    await expectCheck(lapsedHolder, { arrivalDate: yearsAgo(0, 25), maritalStatus: 'unmarried', contraception: 'none' }, 'lapsed');
  });

  it('raises an urgent verification request in the origin inbox when a pregnant woman has no certificate', async () => {
    const reg = await register(woman(), { pregnant: true }).expect(201);
    expect(reg.body).toMatchObject({ certificateCheck: 'missing', keyTarget: true });
    const request = await waitFor(
      async () => {
        const inbox = await t.http().get('/api/exchanges/inbox?type=verification_request&pageSize=100').set(auth(origin)).expect(200);
        return inbox.body.items.find((e: { caseId: string }) => e.caseId === reg.body.caseId);
      },
      15_000,
      'verification request',
    );
    expect(request).toMatchObject({ urgent: true, toCode: YANGZHAI, payload: { certificateCheck: 'missing' } });
  });

  it('renders a printable A4 PDF in Chinese with the holder, the number and the verification QR code', async () => {
    const idNumber = woman();
    const cert = await issue(origin, idNumber).expect(201);
    const res = await t
      .http()
      .get(`/api/certificates/${cert.body.id}/pdf`)
      .set(auth(origin))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const file = join(mkdtempSync(join(tmpdir(), 'liudong-pdf-')), 'cert.pdf');
    writeFileSync(file, res.body as Buffer);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('流动人口婚育证明');
    expect(text).toContain('王芳');
    expect(text).toContain(cert.body.number);
    expect(text).toContain(idNumber);
    // Times a person reads are Beijing time, YYYY-MM-DD HH:mm (the minute may have turned while rendering).
    const printed = /打印时间：(\d{4}-\d{2}-\d{2} \d{2}:\d{2})（北京时间）/.exec(text)?.[1] as string;
    const beijingNow = new Date(Date.now() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 16);
    expect(Math.abs(Date.parse(`${beijingNow}Z`) - Date.parse(`${printed}Z`))).toBeLessThanOrEqual(60_000);
    expect(text).toMatch(new RegExp(`签发日期：\\s*${beijingNow.slice(0, 10)}`));
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)/);
    expect(execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).split('\n').length).toBeGreaterThan(3);
    await t.http().get(`/api/certificates/${cert.body.id}/pdf`).set(auth(dest)).expect(404);
  });
});
