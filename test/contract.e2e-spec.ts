import { checkCharacter, maskIdNumber } from '@/common/identity';
import { startTestApp, TestApp } from './support/app';
import { certificateBody, outflowBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';
import { DATE, deliveredNotice, firstGeneration, MARITAL, womanBody, YANGZHAI } from './support/contract';
import { importFinished, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// What a new user hit (issue 13): each point of api.md's conventions that an earlier build answered wrongly (1–5;
// 6–9 in contract-errors.e2e-spec.ts).

describe('contract fixes a new user hit (api.md conventions): ID numbers, corrections, dates', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
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
      const upload = await uploadRegister(t, dest, csv, 'old.csv').expect(202);
      const done = await importFinished(t, dest, upload.body.importId);
      expect(done).toMatchObject({ succeeded: 1, failed: 0 });
      const [row] = await t.db.query(`SELECT id FROM inflow WHERE import_id = $1`, [upload.body.importId]);
      const detail = await t.http().get(`/api/inflows/${row.id}`).set(auth(dest)).expect(200);
      expect(detail.body).toMatchObject({ legacy: true, person: { idNumber: converted, birthDate: '1991-04-15', sex: 'female' } });
    });
  });

  describe('2. reply corrections', () => {
    it('refuses unknown keys and invalid values, and corrections with any outcome but corrected', async () => {
      const reg = await t.http().post('/api/inflows').set(auth(dest)).send(womanBody()).expect(201);
      const notice = await deliveredNotice(t, origin, reg.body.caseId);
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
      const notice = await deliveredNotice(t, origin, reg.body.caseId);
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
});
