import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '@/app.module';
import { makeIdNumber } from '@/common/identity';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { DeclarationsService } from '@/modules/declarations/declarations.service';
import { GIVEN, SURNAMES } from './demo-population';

/** How many declarations each demo grid worker has waiting (issue 31). */
const PER_COLLECTOR = 3;

/**
 * Issue 31: a few pending declarations from each demo community's grid worker (网格员), made through the service as a
 * phone's upload is: one with 户籍地 only to county (as a phone offline offers it, for the clerk to complete), one to the
 * village, and one older than 3 days (on the clerk's 待办). Idempotent: nothing is added once declarations exist.
 */
export async function loadDemoDeclarations(config: AppConfig, collectors: string[]): Promise<number> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, logLevel: 'warn' }, 'api'), { logger: ['error', 'warn'] });
  try {
    const db = app.get(DataSource);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM declaration`);
    if (n > 0) return 0;
    const declarations = app.get(DeclarationsService);
    const rows: { id: string; username: string; display_name: string; jurisdiction_code: string }[] = await db.query(
      `SELECT id, username, display_name, jurisdiction_code FROM app_user WHERE role = 'collector' AND username = ANY($1) ORDER BY username`,
      [collectors],
    );
    let made = 0;
    for (const [c, row] of rows.entries()) {
      const collector: AuthUser = {
        id: row.id,
        username: row.username,
        displayName: row.display_name,
        role: 'collector',
        jurisdictionCode: row.jurisdiction_code,
      };
      // From 河南 罗山县 to the Hubei communities, from 湖北 广水市 to the others (never the destination's own county).
      const county = row.jurisdiction_code.startsWith('42') ? '411521' : '421381';
      const [village] = await db.query(`SELECT code FROM jurisdiction WHERE level = 'village' AND code BETWEEN $1 AND $2 ORDER BY code LIMIT 1`, [
        county.padEnd(12, '0'),
        county.padEnd(12, '9'),
      ]);
      for (let i = 0; i < PER_COLLECTOR; i++) {
        const daysAgo = [1, 2, 5][i];
        const collectedAt = new Date(Date.now() - daysAgo * 86_400_000);
        const birth = `${1975 + ((c * 7 + i * 5) % 25)}-0${1 + ((c + i) % 9)}-1${(c * 3 + i) % 10}`;
        const created = await declarations
          .create(collector, {
            person: {
              idNumber: makeIdNumber(county, birth, ((c * 37 + i * 11) % 400) * 2 + 1),
              name: SURNAMES[(c * 5 + i * 3) % SURNAMES.length] + GIVEN[(c + i * 7) % GIVEN.length],
            },
            householdCode: i === 1 ? (village.code as string) : `${county}000000`,
            destinationCode: row.jurisdiction_code,
            address: `${['幸福路', '建设街', '工业园'][i]} ${10 + c * 3 + i} 号`,
            arrivalDate: new Date(collectedAt.getTime() - 2 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10),
            reason: 'work',
            maritalStatus: 'unmarried',
            contraception: 'none',
            collectedAt: collectedAt.toISOString(),
          })
          .catch(() => null);
        if (!created) continue;
        // Received when it was collected (the phone had signal): the oldest one waits on the clerk's 待办.
        await db.query(`UPDATE declaration SET received_at = $2, pending_since = $2, updated_at = $2 WHERE id = $1`, [created.id, collectedAt]);
        made++;
      }
    }
    return made;
  } finally {
    await app.close();
  }
}
