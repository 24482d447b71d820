import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '@/app.module';
import { AppError } from '@/common/errors';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { AssessmentsService } from '@/modules/assessments/assessments.service';
import type { DemoLogin } from './demo-data';

/** The supervisor whose months the demo also shows confirmed (all but the latest two), so 随州's table shows 已确认. */
const CONFIRMING = 'guangshui_sup';

/**
 * 月度考核 for the demo (assessment.md): every closed month of the year of history frozen for each supervisor's
 * jurisdiction — months that closed before the service began, so marked frozenLate, as they would be in a real start —
 * and 广水's older months confirmed by its supervisor. Idempotent: a month stored stays as it is.
 */
export async function freezeDemoMonths(config: AppConfig, logins: DemoLogin[]): Promise<{ months: number; confirmed: number; ms: number }> {
  const started = Date.now();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, logLevel: 'warn' }, 'api'), { logger: ['error', 'warn'] });
  try {
    const db = app.get(DataSource);
    const assessments = app.get(AssessmentsService);
    let months = 0;
    let confirmed = 0;
    for (const login of logins.filter((l) => l.role === 'supervisor')) {
      const [row]: { id: string; display_name: string }[] = await db.query(`SELECT id, display_name FROM app_user WHERE username = $1`, [login.username]);
      const user: AuthUser = {
        id: row.id,
        username: login.username,
        displayName: row.display_name,
        role: 'supervisor',
        jurisdictionCode: login.jurisdictionCode,
      };
      const list = (await assessments.months(user)).months;
      for (const [i, m] of list.entries()) {
        const month = await assessments.get(user, { month: m.month });
        months++;
        if (login.username !== CONFIRMING || i < 2 || month.confirmation) continue;
        await assessments.confirm(user, month.id, '已逐项核对').then(
          () => confirmed++,
          (error: unknown) => {
            if (!(error instanceof AppError && error.code === 'ALREADY_CONFIRMED')) throw error;
          },
        );
      }
    }
    return { months, confirmed, ms: Date.now() - started };
  } finally {
    await app.close();
  }
}
