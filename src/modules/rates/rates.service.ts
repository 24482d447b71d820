import { labelOf } from '@/common/labels';
import { Cell, EXPORT_MAX_ROWS, tooManyRows } from '@/common/table-export';
import { IdCipher } from '@/common/id-cipher';
import { ageOn, birthDateOf } from '@/common/identity';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReadReplica } from '@/database/read-replica';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { ancestorCandidates, isDivisionCode } from '@/common/division-code';
import { Errors } from '@/common/errors';
import { assertInScope, AuthUser } from '@/common/scope';
import { beijingTime, endOfShanghaiDay, todayInShanghai, ZONE } from '@/common/time';
import { daysFrom } from '@/common/deadline';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { JurisdictionRef, toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { Period } from './rate-period';
import { Counts, countRates, emptyCounts } from './rate-queries';
import { addContact, addFlow, flowFigure, Indicator, INDICATORS, rateFigure } from './rate-math';
import { contactItems, flowItems } from './rate-items';
import { ItemsQuery, RateItemsPageView, RateRowView, RatesQuery, RatesReportView, RatesTrendView, TargetsDto, TargetsView, TrendQuery } from './rates.dto';

export type { RateItem } from './rate-items';

export type RateRow = RateRowView;

export type RatesReport = RatesReportView;

export type RatesTrend = RatesTrendView;

export type RateItemsPage = RateItemsPageView;

type Targets = Record<Indicator, number>;

/** How long another process may show an old target after an admin changed it (this process forgets at once). */
const TARGET_CACHE_MS = 30_000;

interface Request {
  jurisdiction: JurisdictionRef;
  period: Period;
  asOf: Date;
}

@Injectable()
export class RatesService {
  private readonly children = new Map<string, JurisdictionRef[]>();
  private overrides: { at: number; map: Map<string, number> } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditService,
    private readonly replica: ReadReplica,
    private readonly cipher: IdCipher,
  ) {}

  async report(user: AuthUser, query: RatesQuery): Promise<RatesReport> {
    const { jurisdiction, period, asOf } = await this.resolve(user, query);
    return this.reportAt(jurisdiction, period, asOf);
  }

  /**
   * The report of a jurisdiction the caller may see (the monthly assessment freezes exactly this). `empty`: the caller
   * knows the subtree holds no item (its row in its parent's report is all zeros), so every child's counts are zero
   * and nothing need be read: the answer is the one the counting would give.
   */
  async reportAt(jurisdiction: JurisdictionRef, period: Period, asOf: Date, options: { empty?: boolean } = {}): Promise<RatesReport> {
    const children = await this.childrenOf(jurisdiction.code);
    const codes = [jurisdiction.code, ...children.map((c) => c.code)];
    // One statement: one snapshot of roll-up, deltas and raw rows.
    const counts = options.empty ? emptyCounts(codes) : await this.replica.read((db) => countRates(db.manager, codes, period, asOf));
    const targets = await this.targetsFor(codes);
    const own = counts.get(jurisdiction.code) as Counts;
    const rows = children.map((c) => this.row(c, counts.get(c.code) as Counts, targets.get(c.code) as Targets));
    // What no child holds (items recorded at the jurisdiction's own code) gets its own row, so children add up.
    const rest: Counts = children.reduce((left, c) => {
      const cc = counts.get(c.code) as Counts;
      return {
        submission: addFlow(left.submission, cc.submission, -1),
        feedback: addFlow(left.feedback, cc.feedback, -1),
        effectiveContact: addContact(left.effectiveContact, cc.effectiveContact, -1),
      };
    }, own);
    if (children.length > 0 && !isEmpty(rest)) {
      const selfRef = { ...jurisdiction, name: `${jurisdiction.name}（本级）` };
      rows.push({ ...this.row(selfRef, rest, targets.get(jurisdiction.code) as Targets), self: true });
    }
    return {
      ...this.row(jurisdiction, own, targets.get(jurisdiction.code) as Targets),
      from: period.from,
      to: period.to,
      asOf: asOf.toISOString(),
      children: rows,
    };
  }

  /** One point per calendar month of the period: the month's items as of T, and the contact stock at the month's end. */
  async trend(user: AuthUser, query: TrendQuery): Promise<RatesTrend> {
    const { jurisdiction, period, asOf } = await this.resolve(user, query);
    const targets = (await this.targetsFor([jurisdiction.code])).get(jurisdiction.code) as Targets;
    const months: Period[] = [];
    let month = DateTime.fromISO(period.from, { zone: ZONE }).startOf('month');
    const last = DateTime.fromISO(period.to, { zone: ZONE });
    while (month <= last && month.toJSDate() <= asOf) {
      const from = month.toISODate() as string;
      const to = month.endOf('month').toISODate() as string;
      months.push({ from: from < period.from ? period.from : from, to: to > period.to ? period.to : to });
      month = month.plus({ months: 1 });
    }
    const points = await this.snapshot(async (m) => {
      const result = [];
      for (const p of months) {
        const endOfPoint = endOfShanghaiDay(p.to);
        const contactAt = endOfPoint < asOf ? new Date(endOfPoint.getTime() - 1) : asOf;
        const counts = (await countRates(m, [jurisdiction.code], p, asOf, contactAt)).get(jurisdiction.code) as Counts;
        const { submission, feedback, effectiveContact } = this.row(jurisdiction, counts, targets);
        result.push({ period: p.from.slice(0, 7), from: p.from, to: p.to, submission, feedback, effectiveContact });
      }
      return result;
    });
    return { jurisdiction, from: period.from, to: period.to, asOf: asOf.toISOString(), interval: 'month', points };
  }

  /** The items behind a count, exactly as classified at T, with masked ID numbers: what a supervisor chases. */
  async items(user: AuthUser, query: ItemsQuery): Promise<RateItemsPage> {
    const { jurisdiction, period, asOf } = await this.resolve(user, query);
    const today = todayInShanghai();
    const ageOf = (idCipher: string) => ageOn(birthDateOf(this.cipher.decrypt(idCipher)), today);
    const page = await this.replica.read((db) =>
      query.indicator === 'effectiveContact'
        ? contactItems(db, ageOf, jurisdiction.code, asOf, query)
        : flowItems(db, ageOf, query.indicator, jurisdiction.code, period, asOf, query),
    );
    await this.audit.record({
      actor: user,
      action: 'list',
      entity: 'rate_items',
      entityId: jurisdiction.code,
      detail: { indicator: query.indicator, ...(query.state ? { state: query.state } : {}) },
    });
    const names = await this.jurisdictions.fullNames(page.items.map((i) => i.jurisdictionCode));
    const items = page.items.map((i) => ({ ...i, jurisdictionName: names.get(i.jurisdictionCode) ?? i.jurisdictionCode }));
    return { ...page, items, jurisdiction, asOf: asOf.toISOString() };
  }

  /** 导出 Excel of 明细: every item behind the count (no paging), masked, at most EXPORT_MAX_ROWS, one audit entry. */
  async exportItems(user: AuthUser, query: ItemsQuery): Promise<{ title: string; headers: string[]; rows: Cell[][] }> {
    const { jurisdiction, period, asOf } = await this.resolve(user, query);
    const today = todayInShanghai();
    const ageOf = (idCipher: string) => ageOn(birthDateOf(this.cipher.decrypt(idCipher)), today);
    const all = { ...query, page: 1, pageSize: EXPORT_MAX_ROWS };
    const page = await this.replica.read((db) =>
      query.indicator === 'effectiveContact'
        ? contactItems(db, ageOf, jurisdiction.code, asOf, all)
        : flowItems(db, ageOf, query.indicator, jurisdiction.code, period, asOf, all),
    );
    if (page.total > EXPORT_MAX_ROWS) throw tooManyRows();
    await this.audit.record({
      actor: user,
      action: 'export',
      entity: 'rate_items',
      entityId: jurisdiction.code,
      detail: { indicator: query.indicator, ...(query.state ? { state: query.state } : {}), rows: page.items.length },
    });
    const names = await this.jurisdictions.fullNames([jurisdiction.code, ...page.items.map((i) => i.jurisdictionCode)]);
    const headers = ['当事人', '公民身份号码', '年龄', '事项', '地方', '开始时间', '办理期限', '完成时间', '状态', '逾期天数'];
    const rows = page.items.map((i) => [
      i.person.name,
      i.person.idNumber,
      i.person.age,
      i.type === 'inflow_registration' ? '流入登记' : i.type === 'person' ? '在外人员' : labelOf('exchangeType', i.type),
      names.get(i.jurisdictionCode) ?? i.jurisdictionCode,
      i.startedAt ? beijingTime(i.startedAt) : '',
      i.dueAt ? beijingTime(i.dueAt) : '',
      i.doneAt ? beijingTime(i.doneAt) : '',
      labelOf('itemState', i.state),
      i.state === 'overdue' && i.dueAt ? daysFrom(i.dueAt, asOf.getTime()) : '',
    ]);
    const what = `${labelOf('indicator', query.indicator)}${query.state ? ` · ${labelOf('itemState', query.state)}` : ''}`;
    const when = `登记日期 ${period.from} 至 ${period.to}，截至 ${beijingTime(asOf)}（北京时间；身份证号已脱敏）`;
    const title = `${names.get(jurisdiction.code) ?? jurisdiction.name} ${what} 明细，${when}`;
    return { title, headers, rows };
  }

  async targets(user: AuthUser, code: string): Promise<TargetsView> {
    const jurisdiction = await this.jurisdictionInScope(user, code, 'code');
    const own: { indicator: Indicator; target: string }[] = await this.db.query(`SELECT indicator, target FROM rate_target WHERE code = $1`, [code]);
    const effective = (await this.targetsFor([code])).get(code) as Targets;
    const set = Object.fromEntries(
      INDICATORS.map((i) => [i, own.find((o) => o.indicator === i) ? Number(own.find((o) => o.indicator === i)?.target) : null]),
    ) as Record<Indicator, number | null>;
    return { jurisdiction, targets: effective, own: set, default: this.config.rateTarget };
  }

  /** Replaces the jurisdiction's own targets; what is left out is inherited from above again. */
  async setTargets(user: AuthUser, code: string, dto: TargetsDto): Promise<TargetsView> {
    await this.jurisdictionInScope(user, code, 'code');
    // A place is assessed against targets the level above sets, never against its own (the root's is RATE_TARGET).
    if (code === user.jurisdictionCode) throw Errors.forbidden('OWN_TARGET', '本级的目标值由上级设置，不能修改本级自己的目标值');
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM rate_target WHERE code = $1`, [code]);
      for (const indicator of INDICATORS) {
        const value = dto[indicator];
        if (value === undefined || value === null) continue;
        await m.query(`INSERT INTO rate_target (code, indicator, target, updated_by) VALUES ($1, $2, $3, $4)`, [code, indicator, value, user.id]);
      }
      await this.audit.record({ actor: user, action: 'update', entity: 'rate_target', entityId: code }, m);
    });
    this.overrides = null;
    return this.targets(user, code);
  }

  private row(jurisdiction: JurisdictionRef, counts: Counts, targets: Targets): RateRow {
    const c = counts.effectiveContact;
    return {
      jurisdiction,
      submission: flowFigure(counts.submission, targets.submission),
      feedback: flowFigure(counts.feedback, targets.feedback),
      effectiveContact: rateFigure(c.numerator, c.denominator, targets.effectiveContact),
    };
  }

  /** Children change only with `npm run setup`; the dashboard asks for the same few all day. */
  private async childrenOf(code: string): Promise<JurisdictionRef[]> {
    let children = this.children.get(code);
    if (!children) {
      children = (await this.jurisdictions.children(code)).map(toJurisdictionRef);
      if (this.children.size >= 10_000) this.children.clear();
      this.children.set(code, children);
    }
    return children;
  }

  /** Every override, kept for TARGET_CACHE_MS: there are few, and a dashboard should not wait for them. */
  private async targetOverrides(): Promise<Map<string, number>> {
    if (!this.overrides || Date.now() - this.overrides.at > TARGET_CACHE_MS) {
      const rows: { code: string; indicator: Indicator; target: string }[] = await this.db.query(`SELECT code, indicator, target FROM rate_target`);
      this.overrides = { at: Date.now(), map: new Map(rows.map((r) => [`${r.code}:${r.indicator}`, Number(r.target)])) };
    }
    return this.overrides.map;
  }

  /** The target of each code and indicator: its own, else its nearest ancestor's, else RATE_TARGET. */
  private async targetsFor(codes: string[]): Promise<Map<string, Targets>> {
    const chains = new Map(codes.map((c) => [c, [c, ...ancestorCandidates(c)]]));
    const set = await this.targetOverrides();
    const result = new Map<string, Targets>();
    for (const [code, chain] of chains) {
      const pick = (i: Indicator) => chain.map((c) => set.get(`${c}:${i}`)).find((t) => t !== undefined) ?? this.config.rateTarget;
      result.set(code, { submission: pick('submission'), feedback: pick('feedback'), effectiveContact: pick('effectiveContact') });
    }
    return result;
  }

  private async resolve(user: AuthUser, query: RatesQuery): Promise<Request> {
    const jurisdiction = await this.jurisdictionInScope(user, query.jurisdiction ?? user.jurisdictionCode, 'jurisdiction');
    const now = new Date();
    const asOf = query.asOf ? new Date(query.asOf) : now;
    if (Number.isNaN(asOf.getTime())) throw Errors.validation([{ field: 'asOf', message: '必须是带时区的 ISO-8601 时间' }]);
    // A few seconds of clock skew between client and server are forgiven; the future itself cannot be counted.
    if (asOf.getTime() > now.getTime() + 60_000) throw Errors.validation([{ field: 'asOf', message: '不能晚于当前时间' }]);
    const to = query.to ?? todayInShanghai(asOf < now ? asOf : now);
    const from = query.from ?? `${to.slice(0, 4)}-01-01`;
    if (from > to) throw Errors.validation([{ field: 'from', message: '开始日期不能晚于结束日期' }]);
    return { jurisdiction, period: { from, to }, asOf: asOf > now ? now : asOf };
  }

  private async jurisdictionInScope(user: AuthUser, code: string, field: string): Promise<JurisdictionRef> {
    if (!isDivisionCode(code)) throw Errors.validation([{ field, message: '必须是 12 位行政区划代码' }]);
    assertInScope(user, code, field);
    const found = await this.jurisdictions.findKnown(code);
    if (!found) throw Errors.notFound('行政区划');
    return toJurisdictionRef(found);
  }

  private snapshot<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.replica.read((db) => db.transaction('REPEATABLE READ', work));
  }
}

export function isEmpty(c: Counts): boolean {
  const flows = [c.submission, c.feedback].every((f) => f.onTime === 0 && f.late === 0 && f.overdue === 0 && f.pending === 0);
  return flows && c.effectiveContact.numerator === 0 && c.effectiveContact.denominator === 0;
}
