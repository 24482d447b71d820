import { startTestApp, TestApp } from './support/app';

describe('jurisdictions (the national division table)', () => {
  let t: TestApp;
  let token: string;
  const get = (url: string) => t.http().get(url).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  it('looks up a real village with its full path from 全国 down', async () => {
    const res = await get('/api/jurisdictions/421381101201').expect(200);
    expect(res.body).toMatchObject({ code: '421381101201', level: 'village', parentCode: '421381101000' });
    expect(res.body.path.map((p: { code: string; name: string; level: string }) => [p.code, p.name, p.level])).toEqual([
      ['000000000000', '全国', 'country'],
      ['420000000000', '湖北省', 'province'],
      ['421300000000', '随州市', 'city'],
      ['421381000000', '广水市', 'county'],
      ['421381101000', '杨寨镇', 'township'],
      ['421381101201', res.body.name, 'village'],
    ]);
  });

  it('lists children in code order', async () => {
    const res = await get('/api/jurisdictions?parent=421381000000').expect(200);
    expect(res.body.total).toBe(res.body.items.length);
    expect(res.body.items.length).toBeGreaterThan(10);
    expect(res.body.items).toContainEqual({
      code: '421381101000',
      name: '杨寨镇',
      level: 'township',
      parentCode: '421381000000',
      fullName: '湖北省随州市广水市杨寨镇',
    });
    const codes = res.body.items.map((j: { code: string }) => j.code);
    expect(codes).toEqual([...codes].sort());
    expect(res.body.items.every((j: { level: string; parentCode: string }) => j.level === 'township' && j.parentCode === '421381000000')).toBe(true);

    const provinces = await get('/api/jurisdictions?parent=000000000000').expect(200);
    expect(provinces.body.items.length).toBeGreaterThanOrEqual(31);
    expect(provinces.body.items.every((j: { level: string }) => j.level === 'province')).toBe(true);
  });

  it('searches by name, higher levels first, with full names', async () => {
    const res = await get(`/api/jurisdictions?q=${encodeURIComponent('广水')}`).expect(200);
    expect(res.body.items[0]).toMatchObject({ code: '421381000000', name: '广水市', level: 'county', fullName: '湖北省随州市广水市' });
    expect(res.body.items.length).toBeLessThanOrEqual(50);
    const many = await get(`/api/jurisdictions?q=${encodeURIComponent('村')}`).expect(200);
    expect(many.body.items).toHaveLength(50);
    const none = await get(`/api/jurisdictions?q=${encodeURIComponent('%')}`).expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('offers the places under `near` first: 杨寨 for a person from 广水市 (421381) is 广水市杨寨镇, not 安徽 北杨寨乡', async () => {
    const q = encodeURIComponent('杨寨');
    const anywhere = await get(`/api/jurisdictions?q=${q}`).expect(200);
    expect(anywhere.body.items[0]).toMatchObject({ code: '341302209000', fullName: '安徽省宿州市埇桥区北杨寨乡' });
    const near = await get(`/api/jurisdictions?q=${q}&near=421381`).expect(200);
    expect(near.body.items[0]).toMatchObject({ code: '421381101000', name: '杨寨镇', fullName: '湖北省随州市广水市杨寨镇' });
    const codes: string[] = near.body.items.map((j: { code: string }) => j.code);
    const inside = codes.filter((c) => c.startsWith('421381'));
    // Every match inside the county, then the rest as before (higher levels first), still at most 50.
    expect(codes.slice(0, inside.length)).toEqual(inside);
    expect(codes.length).toBeLessThanOrEqual(50);
    expect(codes).toContain('341302209000');
    for (const bad of [`q=${q}&near=42x`, `q=${q}&near=4`, 'near=421381', 'parent=421381000000&near=421381']) {
      const res = await get(`/api/jurisdictions?${bad}`).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('near');
    }
  });

  it('resolves cities without counties: 东莞, 中山, 儋州 are one city node whose townships hang directly below', async () => {
    for (const [code, name] of [
      ['441900000000', '东莞市'],
      ['442000000000', '中山市'],
      ['460400000000', '儋州市'],
    ]) {
      const res = await get(`/api/jurisdictions/${code}`).expect(200);
      expect(res.body).toMatchObject({ code, name, level: 'city', parentCode: `${code.slice(0, 2)}0000000000` });
      const children = await get(`/api/jurisdictions?parent=${code}`).expect(200);
      expect(children.body.items.length).toBeGreaterThan(5);
      expect(children.body.items.every((j: { level: string }) => j.level === 'township')).toBe(true);
    }
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM jurisdiction WHERE code = '441900000000'`);
    expect(count).toBe(1);
  });

  it('resolves 金门县: its placeholder township and village collapse into the county, which has no children', async () => {
    const res = await get('/api/jurisdictions/350527000000').expect(200);
    expect(res.body).toMatchObject({ name: '金门县', level: 'county', parentCode: '350500000000' });
    const children = await get('/api/jurisdictions?parent=350527000000').expect(200);
    expect(children.body.items).toEqual([]);
  });

  it('holds a tree: unique codes, every parent exists and is one level up the code', async () => {
    const [stats] = await t.db.query(`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE c.level = 'village')::int AS villages,
             count(*) FILTER (WHERE c.level = 'township')::int AS townships,
             count(*) FILTER (WHERE c.level = 'province')::int AS provinces,
             count(*) FILTER (WHERE c.code <> '000000000000' AND p.code IS NULL)::int AS orphans,
             count(*) FILTER (WHERE p.code IS NOT NULL AND left(c.code, length(rtrim(p.code, '0'))) <> rtrim(p.code, '0'))::int AS misplaced
      FROM jurisdiction c LEFT JOIN jurisdiction p ON p.code = c.parent_code`);
    expect(stats.orphans).toBe(0);
    expect(stats.misplaced).toBe(0);
    expect(stats.provinces).toBeGreaterThanOrEqual(31);
    expect(stats.townships).toBeGreaterThan(40000);
    expect(stats.villages).toBeGreaterThan(600000);
  });

  it('answers 404 for an unknown code and 400 for a malformed parent', async () => {
    const missing = await get('/api/jurisdictions/421381999999').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    await get('/api/jurisdictions/abc').expect(404);
    const bad = await get('/api/jurisdictions?parent=4213').expect(400);
    expect(bad.body.details).toEqual([{ field: 'parent', message: '必须是 12 位行政区划代码' }]);
    await get('/api/jurisdictions').expect(400);
  });
});
