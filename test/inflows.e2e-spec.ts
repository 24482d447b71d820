import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageOn } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { startTestApp, TestApp } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody, InflowBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';

// Destination: 衢州市柯城区 金桂社区 (village) in 府山街道? — its township is the first 9 digits.
const QUZHOU_TOWNSHIP = '330802005000';
const QUZHOU_OTHER_DISTRICT = '330803001001'; // 衢江区: same city, also an urban district
const WUXI_COMMUNITY = '320213021001';
const YANGZHAI = '421381101000';
const CHENXIANG = '421381102000'; // another township of the same county

describe('inflow registration (流入登记)', () => {
  let t: TestApp;
  let dest: string; // 衢州 community staff
  let wuxi: string;
  let origin: string; // 杨寨镇 staff
  let unrelated: string; // 陈巷镇 staff
  let supervisor: string;

  const post = (token: string, body: object, key?: string) => {
    const req = t.http().post('/api/inflows').set('Authorization', `Bearer ${token}`);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const get = (token: string, url: string) => t.http().get(url).set('Authorization', `Bearer ${token}`);

  function body(overrides: Record<string, unknown> = {}, person: Record<string, unknown> = {}) {
    // A married worker with a child, as the form sends it.
    return inflowBody(
      { idNumber: newIdNumber({ sex: 'male', birthDate: '1990-03-07' }), name: '张三', phone: '13800000000', ...person } as InflowBody['person'],
      daysAgo(20),
      {
        address: '衢州市柯城区金桂社区 12 号',
        maritalStatus: 'first_married',
        spouse: { name: '李四', idNumber: newIdNumber({ sex: 'female', birthDate: '1991-05-05' }) },
        children: [{ sex: 'female', birthDate: '2018-05-01' }],
        contraception: 'iud',
        pregnant: false,
        ...overrides,
      },
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    [dest, wuxi, origin, unrelated, supervisor] = await Promise.all([
      staffAt(t, QUZHOU_COMMUNITY),
      staffAt(t, WUXI_COMMUNITY),
      staffAt(t, YANGZHAI),
      staffAt(t, CHENXIANG),
      staffAt(t, '330800000000', 'supervisor'),
    ]);
  });
  afterAll(() => t.close());

  it('registers a migrant: sex and birth date from the ID number, townships resolved, ID masked everywhere', async () => {
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1990-03-07' });
    const res = await post(dest, body({ undertaking: true }, { idNumber, name: '王芳' })).expect(201);
    const masked = `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;
    expect(res.body).toMatchObject({
      // Age, never the birth date: beside the masked number it would complete it.
      person: { idNumber: masked, name: '王芳', sex: 'female', age: ageOn('1990-03-07', todayInShanghai()) },
      householdCode: YANGZHAI_VILLAGE,
      destinationCode: QUZHOU_COMMUNITY,
      originTownshipCode: YANGZHAI,
      destinationTownshipCode: QUZHOU_TOWNSHIP,
      status: 'active',
      certificateCheck: 'undertaking',
      keyTarget: false,
      closedAt: null,
      children: [{ sex: 'female', birthDate: '2018-05-01' }],
    });
    expect(res.body.spouse.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(res.body.caseId).toEqual(expect.any(String));
    const registered = Date.parse(res.body.registeredAt);
    expect(Date.parse(res.body.submittedAt)).toBe(registered);
    expect(Date.parse(res.body.submissionDueAt) - registered).toBe(15 * 86_400_000);

    const list = await get(dest, `/api/inflows?q=${idNumber}`).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect(list.body.items[0].person.idNumber).toBe(masked);
    expect(JSON.stringify(list.body)).not.toContain(idNumber);
    const byName = await get(dest, `/api/inflows?q=${encodeURIComponent('王芳')}&pageSize=100`).expect(200);
    expect(byName.body.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
    // A registration that gives the person another name than the record's is found by the name it shows, not the other.
    await t.db.query(`UPDATE inflow SET name = '王方' WHERE id = $1`, [res.body.id]);
    const ids = async (q: string) =>
      (await get(dest, `/api/inflows?q=${encodeURIComponent(q)}&pageSize=100`).expect(200)).body.items.map((i: { id: string }) => i.id) as string[];
    expect(await ids('王方')).toContain(res.body.id);
    expect(await ids('王芳')).not.toContain(res.body.id);
  });

  it('prints the registration form (打印登记表) with the full numbers, a signature line and the 承诺书 when one was given, audited', async () => {
    const idNumber = newIdNumber({ sex: 'female', birthDate: '1993-04-04' });
    const reg = await post(dest, body({ undertaking: true, maritalStatus: 'unmarried', spouse: undefined, children: [] }, { idNumber, name: '王小红' })).expect(
      201,
    );
    const pdf = await get(dest, `/api/inflows/${reg.body.id}/form.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const file = join(mkdtempSync(join(tmpdir(), 'liudong-form-')), 'form.pdf');
    writeFileSync(file, pdf.body as Buffer);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const expected of ['流动人口信息登记表', '王小红', idNumber, '1993-04-04', '衢州市柯城区金桂社区 12 号', '个人承诺书', '本人签名']) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/户籍地：\s*湖北省随州市广水市杨寨镇/);
    const audit = await t.db.query(`SELECT action, detail FROM audit_log WHERE entity = 'inflow' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [reg.body.id]);
    expect(audit).toEqual([{ action: 'read', detail: { form: 'pdf' } }]);
    // Without a 承诺书 the form has none; a supervisor prints nothing with full numbers.
    const plain = await post(dest, body()).expect(201);
    const other = await get(dest, `/api/inflows/${plain.body.id}/form.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const otherFile = join(mkdtempSync(join(tmpdir(), 'liudong-form-')), 'form.pdf');
    writeFileSync(otherFile, other.body as Buffer);
    expect(execFileSync('pdftotext', [otherFile, '-'], { encoding: 'utf8' })).not.toContain('个人承诺书');
    await get(supervisor, `/api/inflows/${reg.body.id}/form.pdf`).expect(403);
  });

  it('marks a woman 18–49 without a certificate as a key target', async () => {
    const res = await post(dest, body({}, { idNumber: newIdNumber({ sex: 'female', birthDate: '1995-01-01' }) })).expect(201);
    expect(res.body).toMatchObject({ certificateCheck: 'missing', keyTarget: true });
    const man = await post(dest, body()).expect(201);
    expect(man.body).toMatchObject({ certificateCheck: 'not_required', keyTarget: false });
  });

  it('refuses an ID number with a wrong check digit, naming person.idNumber, and writes nothing', async () => {
    const good = newIdNumber();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const before = await t.db.query('SELECT count(*)::int AS n FROM person');
    const res = await post(dest, body({}, { idNumber: bad })).expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: [{ field: 'person.idNumber', message: expect.stringContaining('公民身份号码') }],
    });
    const after = await t.db.query('SELECT count(*)::int AS n FROM person');
    expect(after[0].n).toBe(before[0].n);
  });

  it('accepts a lower-case x and stores it as X', async () => {
    let id = newIdNumber({ sex: 'male' });
    while (!id.endsWith('X')) id = newIdNumber({ sex: 'male' });
    const res = await post(dest, body({}, { idNumber: id.toLowerCase() })).expect(201);
    expect(res.body.person.idNumber.endsWith('X')).toBe(true);
  });

  it('refuses a stated sex or birth date that contradicts the ID number', async () => {
    const id = newIdNumber({ sex: 'male', birthDate: '1990-03-07' });
    const sex = await post(dest, body({}, { idNumber: id, sex: 'female' })).expect(400);
    expect(sex.body.details).toEqual([{ field: 'person.sex', message: expect.any(String) }]);
    const birth = await post(dest, body({}, { idNumber: id, birthDate: '1990-03-08' })).expect(400);
    expect(birth.body.details).toEqual([{ field: 'person.birthDate', message: expect.any(String) }]);
    await post(dest, body({}, { idNumber: id, sex: 'male', birthDate: '1990-03-07' })).expect(201);
  });

  it('refuses unknown fields, also nested ones', async () => {
    const res = await post(dest, body({ vip: true }, { nickname: '小张' })).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['person.nickname', 'vip']);
  });

  it('refuses moves inside one county and between urban districts of one city (422 NOT_A_MIGRANT)', async () => {
    const county = await post(origin, body({ householdCode: '421381102201', destinationCode: YANGZHAI_VILLAGE })).expect(422);
    expect(county.body).toMatchObject({ statusCode: 422, code: 'NOT_A_MIGRANT' });
    const districts = await post(dest, body({ householdCode: QUZHOU_OTHER_DISTRICT })).expect(422);
    expect(districts.body).toMatchObject({ code: 'NOT_A_MIGRANT', message: expect.stringContaining('市辖区') });
  });

  it('refuses a person under 18 on the arrival date (422)', async () => {
    const arrival = daysAgo(10);
    const seventeen = `${Number(arrival.slice(0, 4)) - 17}${arrival.slice(4)}`;
    const res = await post(
      dest,
      body({ arrivalDate: arrival, spouse: undefined, maritalStatus: 'unmarried', children: [] }, { idNumber: newIdNumber({ birthDate: seventeen }) }),
    ).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, details: [{ field: 'person.idNumber' }] });
  });

  it('refuses a destination outside the caller subtree (403) and a write by a supervisor (403)', async () => {
    const res = await post(dest, body({ destinationCode: WUXI_COMMUNITY })).expect(403);
    expect(res.body).toMatchObject({ code: 'OUT_OF_JURISDICTION', details: [{ field: 'destinationCode' }] });
    const sup = await post(supervisor, body()).expect(403);
    expect(sup.body.code).toBe('READ_ONLY_ROLE');
  });

  it('refuses unknown or wrong-level codes with 400 naming the field', async () => {
    const unknown = await post(dest, body({ householdCode: '421381199201' })).expect(400);
    expect(unknown.body.details).toEqual([{ field: 'householdCode', message: '行政区划代码不存在' }]);
    const county = await post(dest, body({ householdCode: '421381000000' })).expect(400);
    expect(county.body.details[0].field).toBe('householdCode');
  });

  it('refuses a second registration of the same person in the same township (409 with the existing id)', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const first = await post(dest, body({}, { idNumber })).expect(201);
    const second = await post(dest, body({}, { idNumber })).expect(409);
    expect(second.body).toMatchObject({ code: 'ALREADY_REGISTERED', details: [{ field: 'person.idNumber', existingId: first.body.id }] });
  });

  it('closes an active stay elsewhere as moved_on when the person registers at a new destination', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const first = await post(dest, body({}, { idNumber })).expect(201);
    const second = await post(wuxi, body({ destinationCode: WUXI_COMMUNITY }, { idNumber })).expect(201);
    expect(second.body.status).toBe('active');
    expect(second.body.caseId).not.toBe(first.body.caseId);
    const moved = await get(dest, `/api/inflows?q=${idNumber}`).expect(200);
    expect(moved.body.items).toEqual([expect.objectContaining({ id: first.body.id, status: 'moved_on', closedAt: expect.any(String) })]);
  });

  it('keeps a draft unsubmitted until submit, then submits once', async () => {
    const draft = await post(dest, body({ submit: false })).expect(201);
    expect(draft.body).toMatchObject({ status: 'draft', submittedAt: null });
    const drafts = await get(dest, '/api/inflows?status=draft&pageSize=100').expect(200);
    expect(drafts.body.items.map((i: { id: string }) => i.id)).toContain(draft.body.id);

    const submitted = await t.http().post(`/api/inflows/${draft.body.id}/submit`).set('Authorization', `Bearer ${dest}`).expect(200);
    expect(submitted.body.status).toBe('active');
    expect(Date.parse(submitted.body.submittedAt)).toBeGreaterThan(Date.parse(draft.body.registeredAt));
    expect(submitted.body.submissionDueAt).toBe(draft.body.submissionDueAt);
    const again = await t.http().post(`/api/inflows/${draft.body.id}/submit`).set('Authorization', `Bearer ${dest}`).expect(409);
    expect(again.body.code).toBe('ALREADY_SUBMITTED');
  });

  it('lets the destination change family facts and record a departure; the origin may read but not edit', async () => {
    const created = await post(dest, body()).expect(201);
    const url = `/api/inflows/${created.body.id}`;
    const patched = await t
      .http()
      .patch(url)
      .set('Authorization', `Bearer ${dest}`)
      .send({
        children: [
          { sex: 'male', birthDate: '2024-01-02' },
          { sex: 'female', birthDate: '2018-05-01' },
        ],
        contraception: 'condom',
      })
      .expect(200);
    expect(patched.body.children).toEqual([
      { sex: 'female', birthDate: '2018-05-01' },
      { sex: 'male', birthDate: '2024-01-02' },
    ]);
    expect(patched.body.contraception).toBe('condom');
    const byOrigin = await t.http().patch(url).set('Authorization', `Bearer ${origin}`).send({ address: '别处' }).expect(403);
    expect(byOrigin.body.code).toBe('NOT_DESTINATION_SIDE');

    const departed = await t
      .http()
      .post(`${url}/depart`)
      .set('Authorization', `Bearer ${dest}`)
      .send({ date: daysAgo(1), kind: 'returned' })
      .expect(200);
    expect(departed.body).toMatchObject({ status: 'returned', departureDate: daysAgo(1), closedAt: expect.any(String) });
    await t.http().patch(url).set('Authorization', `Bearer ${dest}`).send({ address: '新地址' }).expect(409);
  });

  it('shows the record to the destination and the origin side, and to nobody else', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const created = await post(dest, body({}, { idNumber })).expect(201);
    const url = `/api/inflows/${created.body.id}`;
    const destView = await get(dest, url).expect(200);
    expect(destView.body.person.idNumber).toBe(idNumber);
    const originView = await get(origin, url).expect(200);
    expect(originView.body.person.idNumber).toBe(idNumber);
    await get(unrelated, url).expect(404);
    await get(wuxi, url).expect(404);

    // Lists are the destination's: the origin and an unrelated township do not list it.
    for (const token of [origin, unrelated]) {
      const list = await get(token, `/api/inflows?q=${idNumber}`).expect(200);
      expect(list.body.total).toBe(0);
    }
    const caseView = await get(origin, `/api/cases/${created.body.caseId}`).expect(200);
    expect(caseView.body).toMatchObject({
      id: created.body.caseId,
      origin: { code: YANGZHAI, name: '杨寨镇' },
      destination: { code: QUZHOU_TOWNSHIP },
      inflow: { id: created.body.id },
      outflow: null,
    });
    await get(dest, `/api/cases/${created.body.caseId}`).expect(200);
    await get(unrelated, `/api/cases/${created.body.caseId}`).expect(404);
  });

  it('audits every read of a full record', async () => {
    const created = await post(dest, body()).expect(201);
    await get(origin, `/api/inflows/${created.body.id}`).expect(200);
    const rows = await t.db.query(`SELECT action, user_id, ip FROM audit_log WHERE entity = 'inflow' AND entity_id = $1 ORDER BY id`, [created.body.id]);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['create', 'read']);
    expect(rows[1].ip).toMatch(/127\.0\.0\.1/);

    const personId = created.body.person.id;
    await get(origin, `/api/persons/${personId}`).expect(200);
    const reads = await t.db.query(`SELECT action FROM audit_log WHERE entity = 'person' AND entity_id = $1`, [personId]);
    expect(reads).toEqual([{ action: 'read' }]);
  });

  it('replays an idempotent retry and refuses the same key with another body', async () => {
    const payload = body();
    const first = await post(dest, payload, 'retry-key-1').expect(201);
    const retry = await post(dest, payload, 'retry-key-1').expect(201);
    expect(retry.body).toEqual(first.body);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM inflow WHERE person_id = $1', [first.body.person.id]);
    expect(n).toBe(1);
    const other = await post(dest, body(), 'retry-key-1').expect(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys belong to the caller: another user may use the same key for its own request.
    await post(wuxi, body({ destinationCode: WUXI_COMMUNITY }), 'retry-key-1').expect(201);
  });

  it('stores no ID number in plain text anywhere in the database', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const spouseId = newIdNumber({ sex: 'female' });
    const created = await post(dest, body({ spouse: { name: '赵六', idNumber: spouseId } }, { idNumber }), 'plaintext-check').expect(201);
    await get(dest, `/api/inflows/${created.body.id}`).expect(200);
    const tables = ['person', 'inflow', 'outflow', 'migrant_case', 'audit_log', 'idempotency_key', 'app_user'];
    for (const table of tables) {
      const rows = await t.db.query(`SELECT row_to_json(x)::text AS row FROM ${table} x`);
      const dump = rows.map((r: { row: string }) => r.row).join('\n');
      expect({ table, leaks: dump.includes(idNumber) || dump.includes(spouseId) }).toEqual({ table, leaks: false });
    }
    const [person] = await t.db.query('SELECT id_cipher, id_hash, id_masked FROM person WHERE id = $1', [created.body.person.id]);
    expect(person.id_cipher).toMatch(/^v1:/);
    expect(person.id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(person.id_masked).toBe(`${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`);
  });
});
