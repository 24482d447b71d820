import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '@/app.module';
import { makeIdNumber } from '@/common/identity';
import { AuthUser } from '@/common/scope';
import { todayInShanghai } from '@/common/time';
import { AppConfig } from '@/config/config';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';
import { InflowsService } from '@/modules/inflows/inflows.service';
import { CreateOutflowDto } from '@/modules/outflows/outflows.dto';
import { OutflowsService } from '@/modules/outflows/outflows.service';
import type { DemoLogin } from './demo-data';

const DEMO_REGISTRATIONS = 3000;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华飞玉兰红梅鹏辉斌宇浩凯健俊帆帅旭宁峰琳雪婷倩颖';

/** A small deterministic generator, so every demo has the same people. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * A few thousand registrations from 广水市 villages into the demo communities, made through the same services as
 * the API (every rule applies), then spread over the past year so lists and rates look like a working year.
 */
export async function loadDemoCases(config: AppConfig, logins: DemoLogin[]): Promise<{ created: number; existing: number; ms: number }> {
  const started = Date.now();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, logLevel: 'warn' }, 'api'), { logger: ['error', 'warn'] });
  try {
    const db = app.get(DataSource);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM inflow`);
    if (n >= DEMO_REGISTRATIONS) return { created: 0, existing: n, ms: 0 };

    const users: { id: string; username: string; role: string; jurisdiction_code: string; display_name: string }[] = await db.query(
      `SELECT id, username, role, jurisdiction_code, display_name FROM app_user WHERE username = ANY($1)`,
      [logins.map((l) => l.username)],
    );
    const asAuth = (u: (typeof users)[number]): AuthUser => ({ id: u.id, username: u.username, displayName: u.display_name, role: 'staff', jurisdictionCode: u.jurisdiction_code });
    const destinations = users.filter((u) => u.role === 'staff' && !u.jurisdiction_code.startsWith('42')).map(asAuth);
    const origins = users.filter((u) => u.role === 'staff' && u.jurisdiction_code.startsWith('4213')).map(asAuth);
    const villages: string[] = (
      await db.query(`SELECT code FROM jurisdiction WHERE level = 'village' AND code BETWEEN '421381000000' AND '421381999999' ORDER BY code`)
    ).map((r: { code: string }) => r.code);

    const inflows = app.get(InflowsService);
    const outflows = app.get(OutflowsService);
    const random = rng(20261123);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const today = todayInShanghai();
    const tasks: (() => Promise<boolean>)[] = [];
    for (let i = 0; i < DEMO_REGISTRATIONS; i++) {
      const female = random() < 0.5;
      const year = 1966 + Math.floor(random() * 38);
      const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const sequence = (i % 500) * 2 + (female ? 0 : 1);
      const idNumber = makeIdNumber('421381', birthDate, sequence);
      const name = pick([...SURNAMES]) + pick([...GIVEN]) + (random() < 0.6 ? pick([...GIVEN]) : '');
      const arrival = new Date(Date.now() - Math.floor(random() * 360 + 5) * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      const married = year < 1996 && random() < 0.8;
      const destination = pick(destinations);
      const household = pick(villages);
      const dto = {
        person: { idNumber, name },
        householdCode: household,
        destinationCode: destination.jurisdictionCode,
        address: `${['幸福路', '建设路', '人民路', '解放路', '新华街'][i % 5]}${1 + (i % 200)}号`,
        arrivalDate: arrival < today ? arrival : today,
        reason: pick(['work', 'work', 'work', 'business', 'family', 'study'] as const),
        maritalStatus: married ? 'first_married' : 'unmarried',
        children: married && random() < 0.7 ? [{ sex: random() < 0.5 ? 'male' : 'female', birthDate: `${Math.min(year + 25, 2024)}-06-01` }] : [],
        contraception: married ? pick(['iud', 'condom', 'pill', 'sterilization', 'none'] as const) : 'none',
        undertaking: female && random() < 0.3,
        submit: random() < 0.92,
      } as CreateInflowDto;
      const origin = random() < 0.4 ? (origins.find((o) => household.startsWith(o.jurisdictionCode.slice(0, 9))) ?? null) : null;
      tasks.push(async () => {
        try {
          await inflows.register(destination, dto);
        } catch {
          // A generated person may repeat an earlier one (same number): the service refuses it, as it should.
          return false;
        }
        const outflowDto = { person: { idNumber, name }, householdCode: household, departureDate: dto.arrivalDate } as CreateOutflowDto;
        if (origin) await outflows.register(origin, outflowDto).catch(() => undefined);
        return true;
      });
    }
    // Eight at a time: like eight clerks at work, and commits share their disk flushes.
    let created = 0;
    for (let i = 0; i < tasks.length; i += 8) {
      created += (await Promise.all(tasks.slice(i, i + 8).map((task) => task()))).filter(Boolean).length;
    }
    // Spread the registrations over the year they describe: registered a few days after arrival, mostly submitted at once.
    await db.query(`
      UPDATE inflow SET
        registered_at = LEAST(now(), arrival_date::timestamp AT TIME ZONE 'Asia/Shanghai' + (abs(hashtext(id::text)) % 72) * interval '1 hour'),
        updated_at = now()`);
    await db.query(`
      UPDATE inflow SET
        submission_due_at = registered_at + $1 * interval '1 millisecond',
        submitted_at = CASE WHEN submitted_at IS NULL THEN NULL
                            ELSE LEAST(now(), registered_at + (abs(hashtext(id::text || 's')) % (20 * 24)) * interval '1 hour' / 4) END`,
      [config.submissionTimeLimitMs],
    );
    return { created, existing: n, ms: Date.now() - started };
  } finally {
    await app.close();
  }
}
