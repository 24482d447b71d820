import { connect } from 'node:net';
import { checkCharacter, maskIdNumber } from '@/common/identity';
import { startTestApp, TestApp, waitFor } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { certificateBody, inflowBody, outflowBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';

// What a new user hit (issue 13): each point of api.md's conventions that an earlier build answered wrongly.

const YANGZHAI = '421381101000';
const MARITAL = '婚姻状况须为：未婚、初婚、再婚、离婚、丧偶';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A 15-digit first-generation number of a woman born on the given date (YYMMDD). */
function firstGeneration(birth: string, sequence = '002'): string {
  return `421381${birth}${sequence}`;
}

/** Sends bytes exactly as written (a hand-typed URL with raw UTF-8), which no HTTP client library would send. */
function rawRequest(port: number, head: Buffer): Promise<{ status: number; body: unknown }> {
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

describe('contract fixes a new user hit (api.md conventions)', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  let port: number;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  // A woman of childbearing age who signed the undertaking (no certificate needed to register her).
  const womanBody = (overrides: Record<string, unknown> = {}, person: Record<string, unknown> = {}) =>
    inflowBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1990-03-07' }), name: '王芳', ...person }, daysAgo(5), {
      address: '衢州市柯城区金桂社区 12 号',
      undertaking: true,
      ...overrides,
    });

  async function deliveredNotice(caseId: string, type = 'inflow_notice') {
    return waitFor(
      async () => {
        const res = await t.http().get(`/api/cases/${caseId}`).set(auth(origin));
        return (res.body.exchanges ?? []).find((e: { type: string; status: string }) => e.type === type && e.status === 'delivered');
      },
      15_000,
      `${type} delivered`,
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(await t.app.getUrl()).port);
    [dest, origin] = await Promise.all([staffAt(t, QUZHOU_COMMUNITY), staffAt(t, YANGZHAI)]);
  });
  afterAll(() => t.close());

  describe('1. 15-character ID numbers', () => {
    it('refuses one on person.idNumber, spouse.idNumber and ?idNumber= saying that 18 characters are needed, writing nothing', async () => {
      const old = firstGeneration('900307');
      const res = await t
        .http()
        .post('/api/inflows')
        .set(auth(dest))
        .send(womanBody({}, { idNumber: old }))
        .expect(400);
      expect(res.body.details).toEqual([{ field: 'person.idNumber', message: '请填写 18 位公民身份号码' }]);

      const spouse = await t
        .http()
        .post('/api/inflows')
        .set(auth(dest))
        .send(womanBody({ maritalStatus: 'first_married', spouse: { name: '李四', idNumber: firstGeneration('880101', '015') } }))
        .expect(400);
      expect(spouse.body.details).toEqual([{ field: 'spouse.idNumber', message: '请填写 18 位公民身份号码' }]);

      const lookup = await t.http().get(`/api/persons?idNumber=${old}`).set(auth(dest)).expect(400);
      expect(lookup.body.details).toEqual([{ field: 'idNumber', message: '请填写 18 位公民身份号码' }]);
      const certificate = await t
        .http()
        .post('/api/certificates')
        .set(auth(origin))
        .send(certificateBody({ idNumber: old, name: '王芳' }))
        .expect(400);
      expect(certificate.body.details).toEqual([{ field: 'person.idNumber', message: '请填写 18 位公民身份号码' }]);
      expect(JSON.stringify(certificate.body)).not.toMatch(/周岁/);

      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM person WHERE id_masked = $1`, [`${old.slice(0, 6)}********${old.slice(-4)}`]);
      expect(n).toBe(0);
    });

    it('converts one in a bulk import to 18 characters (19 inserted, check character computed) and marks the row legacy', async () => {
      const old = firstGeneration('910415', '004');
      const first17 = `42138119910415004`;
      const converted = first17 + checkCharacter(first17);
      const csv = [
        '公民身份号码,姓名,户籍地代码,现居住地代码,现居住地址,到达日期,流动原因,婚姻状况,避孕节育情况',
        `${old},陈静,${YANGZHAI_VILLAGE},${QUZHOU_COMMUNITY},衢州市柯城区,${daysAgo(3)},务工,未婚,未采取措施`,
      ].join('\n');
      const upload = await t.http().post('/api/inflows/import').set(auth(dest)).attach('file', Buffer.from(csv), 'old.csv').expect(202);
      const done = await waitFor(
        async () => {
          const res = await t.http().get(`/api/imports/${upload.body.importId}`).set(auth(dest));
          return res.body.status === 'done' ? res.body : undefined;
        },
        30_000,
        'import done',
      );
      expect(done).toMatchObject({ succeeded: 1, failed: 0 });
      const [row] = await t.db.query(`SELECT id FROM inflow WHERE import_id = $1`, [upload.body.importId]);
      const detail = await t.http().get(`/api/inflows/${row.id}`).set(auth(dest)).expect(200);
      expect(detail.body).toMatchObject({ legacy: true, person: { idNumber: converted, birthDate: '1991-04-15', sex: 'female' } });
    });
  });

  describe('2. reply corrections', () => {
    it('refuses unknown keys and invalid values, and corrections with any outcome but corrected', async () => {
      const reg = await t.http().post('/api/inflows').set(auth(dest)).send(womanBody()).expect(201);
      const notice = await deliveredNotice(reg.body.caseId);
      const url = `/api/exchanges/${notice.id}/reply`;
      const bad = await t
        .http()
        .post(url)
        .set(auth(origin))
        .send({ outcome: 'corrected', corrections: { foo: 'bar', maritalStatus: 'xyz' } })
        .expect(400);
      expect(bad.body.details).toEqual(
        expect.arrayContaining([
          { field: 'corrections.foo', message: '不允许的字段' },
          { field: 'corrections.maritalStatus', message: MARITAL },
        ]),
      );
      const notCorrected = await t
        .http()
        .post(url)
        .set(auth(origin))
        .send({ outcome: 'confirmed', corrections: { maritalStatus: 'divorced' } })
        .expect(400);
      expect(notCorrected.body.details).toEqual([{ field: 'corrections', message: expect.stringContaining('信息有误') }]);
      // The rules of PATCH hold: a child born before the mother is refused, naming the field.
      const rule = await t
        .http()
        .post(url)
        .set(auth(origin))
        .send({ outcome: 'corrected', corrections: { children: [{ sex: 'male', birthDate: '1980-01-01' }] } })
        .expect(400);
      expect(rule.body.details).toEqual([{ field: 'corrections.children[0].birthDate', message: '不能早于本人出生日期' }]);
      const unchanged = await t.http().get(`/api/exchanges/${notice.id}`).set(auth(origin)).expect(200);
      expect(unchanged.body).toMatchObject({ status: 'delivered', reply: null });
    });

    it('applies valid corrections to the inflow, audited as done by the reply, shown masked on the case', async () => {
      const reg = await t.http().post('/api/inflows').set(auth(dest)).send(womanBody()).expect(201);
      const notice = await deliveredNotice(reg.body.caseId);
      const spouseId = newIdNumber({ sex: 'male', birthDate: '1988-01-01' });
      const corrections = {
        name: '王芳芳',
        maritalStatus: 'first_married',
        spouse: { name: '李四', idNumber: spouseId },
        children: [{ sex: 'female', birthDate: '2019-06-01' }],
        contraception: 'iud',
      };
      const replied = await t
        .http()
        .post(`/api/exchanges/${notice.id}/reply`)
        .set(auth(origin))
        .send({ outcome: 'corrected', note: '以户籍地为准', corrections })
        .expect(200);
      expect(replied.body.reply.corrections).toEqual({ ...corrections, spouse: { name: '李四', idNumber: maskIdNumber(spouseId) } });
      expect(JSON.stringify(replied.body)).not.toContain(spouseId);

      const inflow = await t.http().get(`/api/inflows/${reg.body.id}`).set(auth(dest)).expect(200);
      expect(inflow.body).toMatchObject({
        person: { name: '王芳芳' },
        maritalStatus: 'first_married',
        spouse: { name: '李四', idNumber: spouseId },
        children: [{ sex: 'female', birthDate: '2019-06-01' }],
        contraception: 'iud',
      });
      const caseView = await t.http().get(`/api/cases/${reg.body.caseId}`).set(auth(dest)).expect(200);
      expect(caseView.body.inflow).toMatchObject({ maritalStatus: 'first_married', contraception: 'iud' });
      expect(caseView.body.exchanges.find((e: { id: string }) => e.id === notice.id).reply.corrections.maritalStatus).toBe('first_married');

      const audit = await t
        .http()
        .get(`/api/audit?entity=inflow&entityId=${reg.body.id}`)
        .set(auth(await t.token()))
        .expect(200);
      const update = audit.body.items.find((a: { action: string }) => a.action === 'update');
      expect(update.detail).toMatchObject({
        byReply: notice.id,
        fields: expect.arrayContaining(['maritalStatus', 'spouse', 'children', 'contraception', 'name']),
      });
    });
  });

  it("3. closes the origin's active outflow as returned when the destination records that the person went home", async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const outflow = await t
      .http()
      .post('/api/outflows')
      .set(auth(origin))
      .send(outflowBody({ idNumber, name: '周强' }, daysAgo(40)))
      .expect(201);
    const reg = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({}, { idNumber, name: '周强' }))
      .expect(201);
    expect(reg.body.caseId).toBe(outflow.body.caseId);
    const before = await t.http().get(`/api/outflows?status=active&pageSize=100`).set(auth(origin)).expect(200);
    expect(before.body.items.find((o: { id: string }) => o.id === outflow.body.id)).toMatchObject({ status: 'active', contact: 'effective' });

    await t
      .http()
      .post(`/api/inflows/${reg.body.id}/depart`)
      .set(auth(dest))
      .send({ date: daysAgo(1), kind: 'returned' })
      .expect(200);
    const after = await t.http().get(`/api/cases/${reg.body.caseId}`).set(auth(origin)).expect(200);
    expect(after.body.outflow).toMatchObject({ id: outflow.body.id, status: 'returned' });
    const active = await t.http().get(`/api/outflows?status=active&pageSize=100`).set(auth(origin)).expect(200);
    expect(active.body.items.map((o: { id: string }) => o.id)).not.toContain(outflow.body.id);
    const [row] = await t.db.query(`SELECT status, close_date FROM outflow WHERE id = $1`, [outflow.body.id]);
    expect(row).toEqual({ status: 'returned', close_date: daysAgo(1) });
    const notice = after.body.exchanges.find((e: { type: string }) => e.type === 'departure_notice');
    const [audit] = await t.db.query(`SELECT action, detail FROM audit_log WHERE entity = 'outflow' AND entity_id = $1 AND action = 'returned'`, [
      outflow.body.id,
    ]);
    expect(audit.detail).toMatchObject({ by: 'departure_notice', exchangeId: notice.id });
  });

  it('4. refuses unknown keys named constructor, prototype or __proto__ at any depth, in bodies and queries', async () => {
    const top = await t.http().post('/api/auth/login').send({ username: 'admin', password: 'x', constructor: 'y' }).expect(400);
    expect(top.body.details).toEqual([{ field: 'constructor', message: '不允许的字段' }]);
    const nested = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({}, { prototype: 1 }))
      .expect(400);
    expect(nested.body.details).toEqual([{ field: 'person.prototype', message: '不允许的字段' }]);
    const inArray = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({ children: [{ sex: 'male', birthDate: '2018-01-01', constructor: {} }] }))
      .expect(400);
    expect(inArray.body.details).toEqual([{ field: 'children[0].constructor', message: '不允许的字段' }]);
    const query = await t.http().get('/api/inflows?constructor=1').set(auth(dest)).expect(400);
    expect(query.body.details).toEqual([{ field: 'constructor', message: '不允许的字段' }]);
  });

  it('5. gives every date as YYYY-MM-DD (person cases, inflow, outflow, case view)', async () => {
    const idNumber = newIdNumber({ sex: 'male' });
    const reg = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({}, { idNumber, name: '孙伟' }))
      .expect(201);
    const person = await t.http().get(`/api/persons/${reg.body.person.id}`).set(auth(dest)).expect(200);
    expect(person.body.cases[0].arrivalDate).toBe(daysAgo(5));
    const outflow = await t
      .http()
      .post('/api/outflows')
      .set(auth(origin))
      .send(outflowBody({ idNumber, name: '孙伟' }, daysAgo(9)))
      .expect(201);
    const caseView = await t.http().get(`/api/cases/${reg.body.caseId}`).set(auth(origin)).expect(200);
    const dates: [string, unknown][] = [];
    const walk = (value: unknown, key = '') => {
      if (Array.isArray(value)) value.forEach((v) => walk(v, key));
      else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, k));
      else if (/(Date|date)$/.test(key) && value !== null) dates.push([key, value]);
    };
    walk([person.body, reg.body, outflow.body, caseView.body]);
    expect(dates.length).toBeGreaterThan(6);
    for (const [key, value] of dates)
      expect(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).toMatch(new RegExp(`^${key}=\\d{4}-\\d{2}-\\d{2}$`));
    expect(caseView.body.outflow.departureDate).toMatch(DATE);
  });

  describe('6. refusals made before a controller runs have the contract error body', () => {
    const contract = (body: unknown, status: number) =>
      expect(body).toEqual({
        statusCode: status,
        code: expect.stringMatching(/^[A-Z_]+$/),
        message: expect.stringMatching(/[\u4e00-\u9fff]/),
        details: expect.any(Array),
      });

    it('raw UTF-8 in a query string', async () => {
      const head = Buffer.concat([
        Buffer.from('GET /api/jurisdictions?q='),
        Buffer.from('广水', 'utf8'),
        Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dest}\r\nConnection: close\r\n\r\n`),
      ]);
      const res = await rawRequest(port, head);
      expect(res.status).toBe(400);
      contract(res.body, 400);
    });

    it('bad percent-encoding in a path or query', async () => {
      const path = await t.http().get('/api/jurisdictions/%E5%B9').set(auth(dest));
      expect(path.status).toBe(400);
      contract(path.body, 400);
      const query = await t.http().get('/api/jurisdictions?q=%E5%B9%').set(auth(dest));
      // In a query string a broken escape is kept as typed: a search for it finds nothing, and nothing fails.
      expect(query.status).toBe(200);
      expect(query.body.items).toEqual([]);
    });

    it('a wrong content type (415), an oversized body (413), unparseable JSON and an empty body (400)', async () => {
      const type = await t.http().post('/api/inflows').set(auth(dest)).set('Content-Type', 'text/plain').send('hello').expect(415);
      contract(type.body, 415);
      const large = await t
        .http()
        .post('/api/inflows')
        .set(auth(dest))
        .set('Content-Type', 'application/json')
        .send(`{"address":"${'x'.repeat(t.config.bodyLimitBytes)}"}`)
        .expect(413);
      contract(large.body, 413);
      const json = await t.http().post('/api/inflows').set(auth(dest)).set('Content-Type', 'application/json').send('{"person":').expect(400);
      contract(json.body, 400);
      const empty = await t.http().post('/api/inflows').set(auth(dest)).set('Content-Type', 'application/json').send('').expect(400);
      contract(empty.body, 400);
      const none = await t.http().post('/api/inflows').set(auth(dest)).expect(400);
      contract(none.body, 400);
    });
  });

  it('7. says which type a field expects, and 不能为空 for a missing one', async () => {
    const children = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({ children: 'none' }))
      .expect(400);
    expect(children.body.details).toEqual([{ field: 'children', message: '必须是数组' }]);
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: ['a'], password: 'x' })
      .expect(400);
    expect(login.body.details).toEqual([{ field: 'username', message: '必须是文本' }]);
    const page = await t.http().get('/api/inflows?pageSize=abc').set(auth(dest)).expect(400);
    expect(page.body.details).toEqual([{ field: 'pageSize', message: '必须是整数' }]);
    const reg = await t.http().post('/api/inflows').set(auth(dest)).send(womanBody()).expect(201);
    const notice = await deliveredNotice(reg.body.caseId);
    const note = await t.http().post(`/api/exchanges/${notice.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed', note: {} }).expect(400);
    expect(note.body.details).toEqual([{ field: 'note', message: '必须是文本' }]);
    const cert = await t
      .http()
      .post('/api/certificates')
      .set(auth(origin))
      .send(certificateBody({ idNumber: newIdNumber({ sex: 'female', birthDate: '1992-02-02' }), name: '刘敏' }))
      .expect(201);
    const revoke = await t.http().post(`/api/certificates/${cert.body.id}/revoke`).set(auth(origin)).send({}).expect(400);
    expect(revoke.body.details).toEqual([{ field: 'reason', message: '不能为空' }]);
    const missing = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send({ ...womanBody(), address: undefined })
      .expect(400);
    expect(missing.body.details).toEqual([{ field: 'address', message: '不能为空' }]);
  });

  it('8. names the allowed values of an enum by their Chinese labels', async () => {
    const body = await t
      .http()
      .post('/api/inflows')
      .set(auth(dest))
      .send(womanBody({ maritalStatus: 'married', reason: 'holiday' }))
      .expect(400);
    expect(body.body.details).toEqual(
      expect.arrayContaining([
        { field: 'maritalStatus', message: MARITAL },
        { field: 'reason', message: '流动原因须为：务工、经商、随迁投亲、学习、其他' },
      ]),
    );
    const query = await t.http().get('/api/outflows?contact=maybe').set(auth(origin)).expect(400);
    expect(query.body.details).toEqual([{ field: 'contact', message: '联系状态须为：已联系、未联系' }]);
  });

  it('9. accepts the synonyms clerks type in a register, and lists the allowed labels otherwise', async () => {
    const header = '公民身份号码,姓名,户籍地代码,现居住地代码,现居住地址,到达日期,流动原因,婚姻状况,避孕节育情况,是否怀孕';
    const row = (id: string, contraception: string, pregnant: string) =>
      `${id},赵丽,${YANGZHAI_VILLAGE},${QUZHOU_COMMUNITY},衢州市柯城区,${daysAgo(2)},务工,未婚,${contraception},${pregnant}`;
    const ids = [
      newIdNumber({ sex: 'female', birthDate: '1993-05-05' }),
      newIdNumber({ sex: 'female', birthDate: '1994-05-05' }),
      newIdNumber({ sex: 'female', birthDate: '1995-05-05' }),
    ];
    const csv = [header, row(ids[0], '无', 'N'), row(ids[1], '没有', '否'), row(ids[2], '不知道', '也许')].join('\n');
    const upload = await t.http().post('/api/inflows/import').set(auth(dest)).attach('file', Buffer.from(csv), 'synonyms.csv').expect(202);
    const done = await waitFor(
      async () => {
        const res = await t.http().get(`/api/imports/${upload.body.importId}`).set(auth(dest));
        return res.body.status === 'done' ? res.body : undefined;
      },
      30_000,
      'import done',
    );
    expect(done).toMatchObject({ succeeded: 2, failed: 1 });
    expect(done.errors).toEqual(
      expect.arrayContaining([
        { row: 3, field: 'contraception', message: '避孕节育情况须为：未采取措施、宫内节育器、皮下埋植、绝育、口服避孕药、避孕套、其他' },
        { row: 3, field: 'pregnant', message: '是否怀孕须为：是、否' },
      ]),
    );
    const rows = await t.db.query(`SELECT contraception, pregnant FROM inflow WHERE import_id = $1`, [upload.body.importId]);
    expect(rows).toEqual([
      { contraception: 'none', pregnant: false },
      { contraception: 'none', pregnant: false },
    ]);
  });
});
