import { startTestApp, TestApp } from './support/app';
import { certificateBody, QUZHOU_COMMUNITY, YANGZHAI_VILLAGE } from './support/builders';
import { deliveredNotice, MARITAL, rawRequest, womanBody, YANGZHAI } from './support/contract';
import { importFinished, uploadRegister } from './support/imports';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// What a new user hit (issue 13), points 6–9: refusals made before a controller runs, and how refusals are worded.

describe('contract fixes a new user hit (api.md conventions): refusals and their wording', () => {
  let t: TestApp;
  let dest: string;
  let origin: string;
  let port: number;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(await t.app.getUrl()).port);
    [dest, origin] = await Promise.all([staffAt(t, QUZHOU_COMMUNITY), staffAt(t, YANGZHAI)]);
  });
  afterAll(() => t.close());

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
    const notice = await deliveredNotice(t, origin, reg.body.caseId);
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
    const upload = await uploadRegister(t, dest, csv, 'synonyms.csv').expect(202);
    const done = await importFinished(t, dest, upload.body.importId);
    expect(done).toMatchObject({ succeeded: 2, failed: 1 });
    expect(done.errors).toEqual(
      expect.arrayContaining([
        {
          row: 3,
          sheetRow: 4,
          name: '赵丽',
          field: 'contraception',
          message: '避孕节育情况须为：未采取措施、宫内节育器、皮下埋植、绝育、口服避孕药、避孕套、其他',
        },
        { row: 3, sheetRow: 4, name: '赵丽', field: 'pregnant', message: '是否怀孕须为：是、否' },
      ]),
    );
    const rows = await t.db.query(`SELECT contraception, pregnant FROM inflow WHERE import_id = $1`, [upload.body.importId]);
    expect(rows).toEqual([
      { contraception: 'none', pregnant: false },
      { contraception: 'none', pregnant: false },
    ]);
  });
});
