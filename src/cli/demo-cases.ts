import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '@/app.module';
import { townshipOf } from '@/common/division-code';
import { ageOn, makeIdNumber } from '@/common/identity';
import { AuthUser } from '@/common/scope';
import { todayInShanghai } from '@/common/time';
import { AppConfig } from '@/config/config';
import { CertificatesService } from '@/modules/certificates/certificates.service';
import { IssueCertificateDto } from '@/modules/certificates/certificates.dto';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';
import { InflowRegistration } from '@/modules/inflows/inflow-registration.service';
import { InflowsService } from '@/modules/inflows/inflows.service';
import { CreateOutflowDto } from '@/modules/outflows/outflows.dto';
import { OutflowsService } from '@/modules/outflows/outflows.service';
import type { DemoLogin } from './demo-data';
import { DESTINATION_HABITS, GIVEN, ORIGIN_GROUPS, REPLY_HABITS, SURNAMES, daysBefore, rng } from './demo-population';

// A year of believable history for every demo account (issue 13): registrations made through the same services as
// the API (every rule applies), then moved back in time with SQL so that each indicator has a realistic mix of on
// time, late, overdue and pending, and localities differ. Each side has a "habit" below; the numbers are invented.

const DEMO_REGISTRATIONS = 3000;
export interface DemoResult {
  created: number;
  outflows: number;
  certificates: number;
  existing: number;
  ms: number;
}

export async function loadDemoCases(config: AppConfig, logins: DemoLogin[], registrations = DEMO_REGISTRATIONS): Promise<DemoResult> {
  const started = Date.now();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, logLevel: 'warn' }, 'api'), { logger: ['error', 'warn'] });
  try {
    const db = app.get(DataSource);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM inflow`);
    if (n >= registrations) return { created: 0, outflows: 0, certificates: 0, existing: n, ms: 0 };

    const rows: { id: string; username: string; jurisdiction_code: string; display_name: string }[] = await db.query(
      `SELECT id, username, jurisdiction_code, display_name FROM app_user WHERE username = ANY($1)`,
      [logins.map((l) => l.username)],
    );
    const user = new Map<string, AuthUser>(
      rows.map((u) => [u.username, { id: u.id, username: u.username, displayName: u.display_name, role: 'staff', jurisdictionCode: u.jurisdiction_code }]),
    );
    const account = (username: string): AuthUser => {
      const found = user.get(username);
      if (!found) throw new Error(`demo account ${username} missing`);
      return found;
    };
    const villagesUnder = async (prefix: string): Promise<string[]> =>
      (
        await db.query(`SELECT code FROM jurisdiction WHERE level = 'village' AND code BETWEEN $1 AND $2 ORDER BY code`, [
          prefix.padEnd(12, '0'),
          prefix.padEnd(12, '9'),
        ])
      ).map((r: { code: string }) => r.code);
    const villagesOf = new Map<string, string[]>();
    for (const group of ORIGIN_GROUPS) {
      for (const township of group.townships) villagesOf.set(township, await villagesUnder(account(township).jurisdictionCode.slice(0, 9)));
    }
    // Villages where no demo clerk answers (广水's other townships, 衢江区): what pulls a county or a city down.
    const accountTownships = new Set([...user.values()].map((u) => u.jurisdictionCode.slice(0, 9)));
    const quietVillages = new Map<string, string[]>();
    for (const group of ORIGIN_GROUPS) {
      if (group.others)
        quietVillages.set(
          group.others,
          (await villagesUnder(group.others)).filter((v) => !accountTownships.has(v.slice(0, 9))),
        );
    }

    const registration = app.get(InflowRegistration);
    const inflows = app.get(InflowsService);
    const outflows = app.get(OutflowsService);
    const certificates = app.get(CertificatesService);
    const random = rng(20261202);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const today = todayInShanghai();
    const late: string[] = [];
    const departures: { id: string; by: AuthUser; date: string; kind: 'departed' | 'returned' }[] = [];
    let createdOutflows = 0;
    let issued = 0;

    const person = (i: number, household: string) => {
      const female = random() < 0.5;
      const year = 1966 + Math.floor(random() * 38);
      const birthDate = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const idNumber = makeIdNumber(household.slice(0, 6), birthDate, ((i * 7) % 500) * 2 + (female ? 0 : 1));
      const name = pick([...SURNAMES]) + pick([...GIVEN]) + (random() < 0.6 ? pick([...GIVEN]) : '');
      const married = year < 1996 && random() < 0.8;
      const spouse = married
        ? {
            name: pick([...SURNAMES]) + pick([...GIVEN]),
            idNumber: makeIdNumber(household.slice(0, 6), `${year - 1}-03-0${1 + (i % 9)}`, ((i * 3) % 500) * 2 + (female ? 1 : 0)),
          }
        : undefined;
      const children = married && random() < 0.7 ? [{ sex: random() < 0.5 ? 'male' : 'female', birthDate: `${Math.min(year + 25, 2024)}-06-01` }] : [];
      const contraception = married ? pick(['iud', 'condom', 'pill', 'sterilization', 'none'] as const) : 'none';
      return { female, birthDate, idNumber, name, married, spouse, children, contraception };
    };

    const tasks: (() => Promise<boolean>)[] = [];
    for (let i = 0; i < registrations; i++) {
      const roll = random();
      const group =
        roll < ORIGIN_GROUPS[0].weight ? ORIGIN_GROUPS[0] : roll < ORIGIN_GROUPS[0].weight + ORIGIN_GROUPS[1].weight ? ORIGIN_GROUPS[1] : ORIGIN_GROUPS[2];
      const quiet = group.others !== null && random() < 0.12;
      const originName = pick(group.townships);
      const household = quiet ? pick(quietVillages.get(group.others) as string[]) : pick(villagesOf.get(originName) as string[]);
      const origin = quiet ? null : account(originName);
      const destinationName = pick(group.destinations);
      const destination = account(destinationName);
      const habit = DESTINATION_HABITS[destinationName];
      const p = person(i, household);
      const arrivalDate = daysBefore(today, Math.floor(random() * 360) + 1);
      const submitRoll = random();
      const draft = submitRoll < habit.draft;
      const submittedLate = !draft && submitRoll < habit.draft + habit.late;
      const withCertificate = origin !== null && p.female && ageOn(p.birthDate, today) >= 18 && ageOn(p.birthDate, today) <= 49 && random() < 0.6;
      const withOutflow = origin !== null && random() < 0.45;
      const departRoll = random();
      const departDays = Math.floor(random() * 30);
      const dto = {
        person: { idNumber: p.idNumber, name: p.name },
        householdCode: household,
        destinationCode: destination.jurisdictionCode,
        address: `${['幸福路', '建设路', '人民路', '解放路', '新华街'][i % 5]}${1 + (i % 200)}号`,
        arrivalDate,
        reason: pick(['work', 'work', 'work', 'business', 'family', 'study'] as const),
        maritalStatus: p.married ? 'first_married' : 'unmarried',
        spouse: p.spouse,
        children: p.children,
        contraception: p.contraception,
        undertaking: withCertificate ? false : p.female && random() < 0.3,
        submit: !draft,
      } as CreateInflowDto;
      tasks.push(async () => {
        if (withCertificate && origin) {
          const certificate = {
            person: dto.person,
            householdCode: household,
            maritalStatus: dto.maritalStatus,
            spouse: p.spouse,
            children: p.children,
            contraception: p.contraception,
          } as IssueCertificateDto;
          if (
            await certificates.issue(origin, certificate).then(
              () => true,
              () => false,
            )
          )
            issued++;
        }
        let registered;
        try {
          registered = await registration.register(destination, dto);
        } catch {
          // A generated person may repeat an earlier one (same number): the service refuses it, as it should.
          return false;
        }
        if (submittedLate) late.push(registered.id);
        if (withOutflow && origin) {
          const outflowDto = { person: dto.person, householdCode: household, departureDate: daysBefore(arrivalDate, 2) } as CreateOutflowDto;
          if (
            await outflows.register(origin, outflowDto).then(
              () => true,
              () => false,
            )
          )
            createdOutflows++;
        }
        const departDate = daysBefore(arrivalDate, -departDays - 60);
        if (!draft && departRoll < 0.08 && departDate <= today) {
          departures.push({ id: registered.id, by: destination, date: departDate, kind: departRoll < 0.04 ? 'returned' : 'departed' });
        }
        return true;
      });
    }
    // People the origin registered as gone whom no destination has registered: no effective contact. Some name the
    // place they were headed, which sends that destination an outflow notice to answer.
    const destinationNames = Object.keys(DESTINATION_HABITS);
    for (let i = 0; i < Math.round(registrations * 0.12); i++) {
      const group = random() < 0.7 ? ORIGIN_GROUPS[0] : random() < 0.6 ? ORIGIN_GROUPS[1] : ORIGIN_GROUPS[2];
      const originName = pick(group.townships);
      const household = pick(villagesOf.get(originName) as string[]);
      const p = person(registrations + i, household);
      const expected = random() < 0.5 ? account(pick(group.destinations.filter((d) => destinationNames.includes(d)))).jurisdictionCode : undefined;
      const dto = {
        person: { idNumber: p.idNumber, name: p.name },
        householdCode: household,
        departureDate: daysBefore(today, Math.floor(random() * 360) + 1),
        expectedDestinationCode: expected,
      } as CreateOutflowDto;
      tasks.push(async () => {
        if (
          await outflows.register(account(originName), dto).then(
            () => true,
            () => false,
          )
        )
          createdOutflows++;
        return false;
      });
    }

    // Eight at a time: like eight clerks at work, and commits share their disk flushes.
    let created = 0;
    for (let i = 0; i < tasks.length; i += 8) {
      created += (await Promise.all(tasks.slice(i, i + 8).map((task) => task()))).filter(Boolean).length;
    }
    for (const d of departures) await inflows.depart(d.by, d.id, { date: d.date, kind: d.kind }).catch(() => undefined);

    await backdate(db, config, late, rows);
    return { created, outflows: createdOutflows, certificates: issued, existing: n, ms: Date.now() - started };
  } finally {
    await app.close();
  }
}

/**
 * Moves what was just made back to when it happened: registered a few days after arrival; submitted within five days,
 * or late for the destinations' late share; each exchange delivered minutes after it was sent and answered by its
 * addressee according to the addressee's habit (in time, late, or not yet). Rates follow through their triggers.
 */
async function backdate(
  db: DataSource,
  config: AppConfig,
  late: string[],
  users: { id: string; username: string; jurisdiction_code: string }[],
): Promise<void> {
  await db.query(`
    UPDATE inflow SET
      registered_at = LEAST(now(), arrival_date::timestamp AT TIME ZONE 'Asia/Shanghai' + (abs(hashtext(id::text)) % 72) * interval '1 hour'),
      updated_at = now()`);
  await db.query(
    `UPDATE inflow SET
       submission_due_at = time_limit_end(registered_at, $1),
       submitted_at = CASE
         WHEN submitted_at IS NULL THEN NULL
         WHEN id = ANY($2::uuid[]) THEN LEAST(now(), time_limit_end(registered_at, $1) + (1 + abs(hashtext(id::text || 'l')) % 30) * interval '1 day')
         ELSE LEAST(now(), registered_at + (abs(hashtext(id::text || 's')) % (20 * 24)) * interval '1 hour' / 4) END,
       closed_at = CASE WHEN departure_date IS NULL THEN closed_at ELSE departure_date::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours' END`,
    [config.submissionTimeLimit.text, late],
  );
  await db.query(`UPDATE outflow SET registered_at = LEAST(now(), departure_date::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours')`);
  await db.query(`UPDATE certificate c SET issued_at = LEAST(c.issued_at, i.registered_at - interval '20 days')
                    FROM inflow i WHERE i.person_id = c.person_id`);
  // Sent when the record was: the submission for notices about an inflow, the registration for outflow notices.
  await db.query(`
    UPDATE exchange e SET sent_at = LEAST(now(), COALESCE(
        (SELECT CASE WHEN e.type = 'departure_notice' THEN i.closed_at ELSE COALESCE(i.submitted_at, i.registered_at) END
                  FROM inflow i WHERE i.id::text = e.payload->>'inflowId'),
        (SELECT o.registered_at FROM outflow o WHERE o.id::text = e.payload->>'outflowId'),
        e.sent_at))`);
  await db.query(`
    UPDATE exchange SET
      status = 'delivered', attempts = 1, last_error = NULL,
      delivered_at = LEAST(now(), sent_at + (1 + abs(hashtext(id::text)) % 30) * interval '1 minute'),
      due_at = CASE WHEN needs_reply
                    THEN time_limit_end(LEAST(now(), sent_at + (1 + abs(hashtext(id::text)) % 30) * interval '1 minute'), reply_limit) END
    WHERE status IN ('queued', 'delivered')`);
  // Each addressee answers by its habit; an answer that would lie in the future has not happened yet.
  const habits = users
    .filter((u) => REPLY_HABITS[u.username])
    .map((u) => ({ user: u.id, code: u.jurisdiction_code, township: townshipOf(u.jurisdiction_code), ...REPLY_HABITS[u.username] }));
  await db.query(
    `WITH habit AS (SELECT * FROM json_to_recordset($1::json) AS h("user" uuid, code varchar, township varchar, "onTime" float8, late float8)),
          answer AS (
            SELECT e.id, h."user",
                   CASE WHEN r.roll < h."onTime" THEN e.delivered_at + (e.due_at - e.delivered_at) * (0.05 + 0.85 * r.spread)
                        WHEN r.roll < h."onTime" + h.late THEN e.due_at + (1 + floor(r.spread * 25)) * interval '1 day' END AS at
              FROM exchange e
              JOIN LATERAL (SELECT (abs(hashtext(e.id::text || 'r')) % 1000) / 1000.0 AS roll,
                                         (abs(hashtext(e.id::text || 'p')) % 1000) / 1000.0 AS spread) r ON true
              -- The addressee's own account, else its township's clerk (exchanges name the village; the township answers).
              JOIN LATERAL (SELECT * FROM habit h WHERE h.code = e.to_unit_code OR h.township = left(e.to_unit_code, 9) || '000'
                             ORDER BY (h.code = e.to_unit_code) DESC, (h.code = h.township) DESC LIMIT 1) h ON true
             WHERE e.needs_reply AND e.status = 'delivered')
     UPDATE exchange e SET status = 'replied', replied_at = a.at, replied_by = a."user",
            reply_outcome = CASE e.type WHEN 'outflow_notice' THEN 'not_arrived' ELSE 'confirmed' END
       FROM answer a WHERE a.id = e.id AND a.at IS NOT NULL AND a.at <= now()`,
    [JSON.stringify(habits)],
  );
}
