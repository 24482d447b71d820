import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '@/config/config';
import { loadDemoCases } from './demo-cases';
import { freezeDemoMonths } from './demo-assessments';
import { loadDemoDeclarations } from './demo-declarations';
import { dataSourceOptions } from '@/database/data-source-options';
import { PASSWORD_HASH_OPTIONS } from '@/modules/users/users.service';

export const DEMO_PASSWORD = 'liudong2026';

export interface DemoLogin {
  username: string;
  role: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  what: string;
}

interface DemoAccount {
  username: string;
  role: 'staff' | 'supervisor' | 'admin' | 'collector';
  displayName: string;
  what: string;
  /** A fixed code, or the first community (居委会) or township under a code prefix. */
  code?: string;
  communityUnder?: string;
  townshipUnder?: string;
}

/** The demo communities, for their grid workers (issue 31): the same first 居委会 under the same prefix. */
const COMMUNITIES: Record<string, { displayName: string; under: string }> = {
  guangshui_shequ: { displayName: '广水应山社区', under: '421381001' },
  wuhan_jianghan: { displayName: '武汉江汉社区', under: '420103' },
  quzhou_kecheng: { displayName: '衢州柯城社区', under: '330802' },
  wuxi_liangxi: { displayName: '无锡梁溪社区', under: '320213' },
  zhengzhou_jinshui: { displayName: '郑州金水社区', under: '410105' },
};

// Origins: 湖北省随州市广水市 townships, 河南省信阳市罗山县 and 浙江省衢州市柯城区 townships. Destinations: communities in
// 衢州, 无锡, 郑州 and, in Hubei itself, 武汉 and 广水 (people from other provinces and other Hubei counties).
const ACCOUNTS: DemoAccount[] = [
  { username: 'hubei_admin', role: 'admin', displayName: '湖北省管理员', code: '420000000000', what: '管理湖北省内账号' },
  { username: 'hubei_sup', role: 'supervisor', displayName: '湖北省督导', code: '420000000000', what: '查看湖北省考核指标（只读）' },
  { username: 'guangshui_sup', role: 'supervisor', displayName: '广水市督导', code: '421381000000', what: '查看广水市考核指标，可催办下级' },
  { username: 'yangzhai', role: 'staff', displayName: '杨寨镇计生办', code: '421381101000', what: '流出地：杨寨镇' },
  { username: 'chenxiang', role: 'staff', displayName: '陈巷镇计生办', code: '421381102000', what: '流出地：陈巷镇' },
  { username: 'yingshan', role: 'staff', displayName: '应山街道计生办', code: '421381001000', what: '流出地：应山街道；流入地：应山街道社区' },
  { username: 'guangshui_shequ', role: 'staff', displayName: '广水应山社区', communityUnder: '421381001', what: '流入地：广水市应山街道社区（外省流入）' },
  { username: 'wuhan_jianghan', role: 'staff', displayName: '武汉江汉社区', communityUnder: '420103', what: '流入地：武汉市江汉区社区' },
  { username: 'luoshan_town', role: 'staff', displayName: '罗山县乡镇计生办', townshipUnder: '411521', what: '流出地：河南省信阳市罗山县' },
  { username: 'kecheng_town', role: 'staff', displayName: '柯城区乡镇计生办', townshipUnder: '330802', what: '流出地：衢州市柯城区；流入地：本乡镇社区' },
  { username: 'quzhou_kecheng', role: 'staff', displayName: '衢州柯城社区', communityUnder: '330802', what: '流入地：衢州市柯城区社区' },
  { username: 'wuxi_liangxi', role: 'staff', displayName: '无锡梁溪社区', communityUnder: '320213', what: '流入地：无锡市梁溪区社区' },
  { username: 'zhengzhou_jinshui', role: 'staff', displayName: '郑州金水社区', communityUnder: '410105', what: '流入地：郑州市金水区社区' },
  { username: 'quzhou_sup', role: 'supervisor', displayName: '衢州市督导', code: '330800000000', what: '查看衢州市考核指标（只读）' },
  // Issue 31: a grid worker (网格员) in each demo community, at the community's own code.
  ...['guangshui_shequ', 'wuhan_jianghan', 'quzhou_kecheng', 'wuxi_liangxi', 'zhengzhou_jinshui'].map((community) => {
    const staff = COMMUNITIES[community];
    return {
      username: `${community}_wg`,
      role: 'collector' as const,
      displayName: `${staff.displayName.replace(/社区$/, '')}网格员`,
      communityUnder: staff.under,
      what: '网格员：在手机上采集（/collect），社区审核',
    };
  }),
];

/** Idempotent: demo accounts in real localities (cases join in with the case module). */
export async function loadDemoData(databaseUrl: string): Promise<DemoLogin[]> {
  const db = new DataSource(dataSourceOptions(databaseUrl));
  await db.initialize();
  try {
    const hash = await argon2.hash(DEMO_PASSWORD, PASSWORD_HASH_OPTIONS);
    const logins: DemoLogin[] = [];
    for (const account of ACCOUNTS) {
      const under = account.communityUnder ?? account.townshipUnder ?? '';
      const [place] = account.code
        ? await db.query(`SELECT code, name FROM jurisdiction WHERE code = $1`, [account.code])
        : await db.query(
            // The first 居委会 (village digits 001–199) or the first township of the prefix.
            `SELECT code, name FROM jurisdiction
              WHERE code BETWEEN $1 AND $2
                AND (CASE WHEN $3 THEN level = 'village' AND substr(code, 10, 3) < '200' ELSE level = 'township' END)
              ORDER BY code LIMIT 1`,
            [under.padEnd(12, '0'), under.padEnd(12, '9'), account.communityUnder !== undefined],
          );
      if (!place) throw new Error(`demo jurisdiction for ${account.username} not found: run npm run setup first`);
      await db.query(
        `INSERT INTO app_user (username, password_hash, display_name, role, jurisdiction_code)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [account.username, hash, account.displayName, account.role, place.code],
      );
      const [user] = await db.query(
        `SELECT u.jurisdiction_code AS code, j.name FROM app_user u JOIN jurisdiction j ON j.code = u.jurisdiction_code WHERE lower(u.username) = lower($1)`,
        [account.username],
      );
      logins.push({ username: account.username, role: account.role, jurisdictionCode: user.code, jurisdictionName: user.name, what: account.what });
    }
    return logins;
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  const config = loadConfig();
  loadDemoData(config.databaseUrl)
    .then(async (logins) => {
      const cases = await loadDemoCases(config, logins);
      console.log(
        cases.created
          ? `[demo] a year of history: ${cases.created} registrations, ${cases.outflows} outflows, ${cases.certificates} certificates in ${cases.ms} ms`
          : `[demo] demo registrations: ${cases.existing} present`,
      );
      const frozen = await freezeDemoMonths(config, logins);
      console.log(`[demo] 月度考核: ${frozen.months} supervisor months frozen, ${frozen.confirmed} newly confirmed, in ${frozen.ms} ms`);
      const declared = await loadDemoDeclarations(
        config,
        logins.filter((l) => l.role === 'collector').map((l) => l.username),
      );
      if (declared) console.log(`[demo] grid workers' declarations waiting for review: ${declared}`);
      console.log(`[demo] demo accounts (password ${DEMO_PASSWORD} for each of them):`);
      for (const l of logins) console.log(`  ${l.username.padEnd(18)} ${l.role.padEnd(10)} ${l.jurisdictionCode} ${l.jurisdictionName}  ${l.what}`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    });
}
