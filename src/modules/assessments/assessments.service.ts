import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isDivisionCode, levelOf, subtreeRange } from '@/common/division-code';
import { ChartPoint } from '@/common/rate-charts';
import { startOfShanghaiDay } from '@/common/time';
import { AppError, Errors } from '@/common/errors';
import { assertInScope, AuthUser } from '@/common/scope';
import { returningRows } from '@/database/sql';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { JurisdictionRef, toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { addContact, addFlow, flowFigure, NO_CONTACT, NO_FLOW, rateFigure } from '@/modules/rates/rate-math';
import { RateRow } from '@/modules/rates/rates.service';
import { ASSESSED_LEVELS, AssessmentFreezer, AssessmentRow } from './assessment-freezer';
import { assessmentYear, lastClosedMonth, monthOfDay, monthsBetween, previousMonth } from './assessment-period';
import { MonthlyReport } from './assessment-report';
import { rank } from './assessment-rank';
import { AssessmentSeal } from './assessment-seal';
import { AssessmentMonthsView, AssessmentVerificationView, AssessmentView, AssessmentYearView, ConfirmationView } from './assessments.dto';

/** How far back the months list goes (three years: a yearly assessment and the two before it). */
const MONTHS_LISTED = 36;
const HASH = /^[0-9a-f]{64}$/;

/** The month `n` months before `month`. */
const previousMonths = (month: string, n: number) => Array.from({ length: n }).reduce<string>((m) => previousMonth(m), month);

const notYetDue = (month: string) => new AppError(404, 'NOT_YET_DUE', `${month} 考核月尚未截止，截止日结束后才能查看`);

/** 月度考核 (assessment.md): frozen months, the year as their sums, confirmation, and the public check of a hash. */
@Injectable()
export class AssessmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly freezer: AssessmentFreezer,
    private readonly jurisdictions: JurisdictionsService,
    private readonly seal: AssessmentSeal,
    private readonly audit: AuditService,
  ) {}

  async get(user: AuthUser, query: { jurisdiction?: string; month?: string }): Promise<AssessmentView> {
    const jurisdiction = await this.assessed(user, query.jurisdiction);
    const month = query.month ?? lastClosedMonth(new Date(), this.config.assessmentCutoffDay);
    const row = await this.freezer.ensure(jurisdiction, month);
    if (!row) throw notYetDue(month);
    return this.view(row);
  }

  async byId(user: AuthUser, id: string): Promise<AssessmentView> {
    return this.view(await this.row(user, id));
  }

  /** A stored month the caller may see (its jurisdiction in the caller's subtree), or 404. */
  async row(user: AuthUser, id: string): Promise<AssessmentRow> {
    const [row] = await this.db.query(`SELECT * FROM assessment WHERE id = $1`, [id]);
    if (!row) throw Errors.notFound('考核月');
    assertInScope(user, row.jurisdiction_code);
    return row;
  }

  /** Closed months, newest first, from the first month holding any item (at most 36, at least the last), each stored or not, confirmed or not. */
  async months(user: AuthUser, code?: string): Promise<AssessmentMonthsView> {
    const jurisdiction = await this.assessed(user, code);
    const cutoff = this.config.assessmentCutoffDay;
    const last = lastClosedMonth(new Date(), cutoff);
    const [{ first }] = await this.db.query(
      `SELECT to_char(least((SELECT min(registered_at) FROM inflow), (SELECT min(delivered_at) FROM exchange), (SELECT min(registered_at) FROM outflow), now())
                      AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS first`,
    );
    // At least the last closed month, even for a service with no item before it (a new one): it can be opened.
    const firstMonth = monthOfDay(first as string, cutoff);
    const listed = monthsBetween(firstMonth < last ? firstMonth : last, last)
      .slice(-MONTHS_LISTED)
      .reverse();
    const stored: { id: string; month: string; frozen_at: Date; frozen_late: boolean; confirmed_at: Date | null }[] = await this.db.query(
      `SELECT id, month, frozen_at, frozen_late, confirmed_at FROM assessment WHERE jurisdiction_code = $1 AND month = ANY($2)`,
      [jurisdiction.code, listed],
    );
    const byMonth = new Map(stored.map((s) => [s.month, s]));
    return {
      jurisdiction,
      months: listed.map((month) => {
        const s = byMonth.get(month);
        const { from, to } = this.freezer.period(month);
        return {
          month,
          from,
          to,
          id: s?.id ?? null,
          frozenAt: s ? s.frozen_at.toISOString() : null,
          frozenLate: s ? s.frozen_late : null,
          confirmed: !!s?.confirmed_at,
        };
      }),
    };
  }

  /** The assessment year: the sums of its closed months' counts, rates recomputed from the sums, children ranked on them. */
  async year(user: AuthUser, query: { jurisdiction?: string; year: string }): Promise<AssessmentYearView> {
    const jurisdiction = await this.assessed(user, query.jurisdiction);
    const year = assessmentYear(query.year, this.config.assessmentCutoffDay);
    const now = new Date();
    const rows: AssessmentRow[] = [];
    for (const month of year.months) {
      const row = this.freezer.period(month).asOf <= now ? await this.freezer.ensure(jurisdiction, month, now) : null;
      if (row) rows.push(row);
    }
    if (rows.length === 0) throw new AppError(404, 'NOT_YET_DUE', `${query.year} 考核年度还没有已截止的月份`);
    const last = rows[rows.length - 1].body;
    const sum = (pick: (r: AssessmentRow) => RateRow | undefined, like: RateRow): RateRow => {
      let submission = { ...NO_FLOW };
      let feedback = { ...NO_FLOW };
      let contact = { ...NO_CONTACT };
      for (const r of rows) {
        const one = pick(r);
        if (!one) continue;
        submission = addFlow(submission, one.submission);
        feedback = addFlow(feedback, one.feedback);
        contact = addContact(contact, one.effectiveContact);
      }
      return {
        jurisdiction: like.jurisdiction,
        ...(like.self ? { self: true as const } : {}),
        submission: flowFigure(submission, like.submission.target),
        feedback: flowFigure(feedback, like.feedback.target),
        effectiveContact: rateFigure(contact.numerator, contact.denominator, like.effectiveContact.target),
      };
    };
    const own = sum((r) => r.body, last);
    const children = last.children.map((c) => sum((r) => r.body.children.find((x) => x.jurisdiction.code === c.jurisdiction.code && !!x.self === !!c.self), c));
    const ranked = children.filter((c) => !c.self);
    const ranks = rank(ranked);
    return {
      jurisdiction,
      year: query.year,
      from: year.from,
      to: year.to,
      asOf: last.asOf,
      months: rows.map((r) => r.month),
      submission: own.submission,
      feedback: own.feedback,
      effectiveContact: own.effectiveContact,
      children: children.map((c) => ({ ...c, ranks: c.self ? null : ranks[ranked.indexOf(c)] })),
    };
  }

  /** 确认: the supervisor of exactly that jurisdiction, once; no figure changes (the trigger would refuse it). */
  async confirm(user: AuthUser, id: string, note?: string): Promise<AssessmentView> {
    const row = await this.row(user, id);
    if (user.role !== 'supervisor' || user.jurisdictionCode !== row.jurisdiction_code) {
      throw Errors.forbidden('NOT_THIS_JURISDICTION', '只有本辖区的督导可以确认本辖区的考核月报');
    }
    await this.db.transaction(async (m) => {
      const updated = await returningRows(
        m,
        `UPDATE assessment SET confirmed_at = now(), confirmed_by = $2, confirm_note = $3 WHERE id = $1 AND confirmed_at IS NULL RETURNING id`,
        [id, user.id, note?.trim() || null],
      );
      if (updated.length === 0) throw Errors.conflict('ALREADY_CONFIRMED', `${row.month} 的考核月报已经确认过`);
      await this.audit.record({ actor: user, action: 'confirm', entity: 'assessment', entityId: id, detail: { month: row.month } }, m);
    });
    return this.byId(user, id);
  }

  /** 月报: the frozen month with its full name, the twelve months up to it as frozen, and the month's 催办. */
  async monthlyReport(user: AuthUser, id: string): Promise<MonthlyReport> {
    const row = await this.row(user, id);
    const assessment = await this.view(row);
    const jurisdiction = row.body.jurisdiction;
    const trend: ChartPoint[] = [];
    const months = monthsBetween(previousMonths(row.month, 11), row.month);
    for (const month of months) {
      const frozen = month === row.month ? row : await this.freezer.ensure(jurisdiction, month);
      if (frozen)
        trend.push({ period: month, submission: frozen.body.submission, feedback: frozen.body.feedback, effectiveContact: frozen.body.effectiveContact });
    }
    const [low, high] = subtreeRange(jurisdiction.code);
    const reminders: { sent_at: Date; code: string; indicator: string | null; sender: string; recipients: number }[] = await this.db.query(
      `SELECT r.sent_at, r.jurisdiction_code AS code, r.indicator, u.display_name AS sender, r.recipients
         FROM reminder r JOIN app_user u ON u.id = r.sent_by
        WHERE r.jurisdiction_code BETWEEN $1 AND $2 AND r.sent_at >= $3 AND r.sent_at < $4
        ORDER BY r.sent_at LIMIT 500`,
      [low, high, startOfShanghaiDay(row.body.from), new Date(row.body.asOf)],
    );
    const names = await this.jurisdictions.fullNames([jurisdiction.code, ...reminders.map((r) => r.code)]);
    return {
      assessment,
      fullName: names.get(jurisdiction.code) ?? jurisdiction.name,
      trend,
      reminders: reminders.map((r) => ({
        sentAt: r.sent_at,
        place: names.get(r.code) ?? r.code,
        indicator: r.indicator,
        sender: r.sender,
        recipients: r.recipients,
      })),
      verifyUrl: `${this.config.publicUrl}/assessments/verify/${row.hash}`,
      confirmedBy: assessment.confirmation?.by ?? null,
    };
  }

  /** The public check of a report's hash: stored, still hashing to it, and signed by this service. */
  async verify(hash: string): Promise<AssessmentVerificationView | null> {
    if (!HASH.test(hash)) return null;
    const [row] = await this.db.query(`SELECT * FROM assessment WHERE hash = $1`, [hash]);
    if (!row || !this.seal.holds(row.body, row.hash, row.signature)) return null;
    const names = await this.jurisdictions.fullNames([row.jurisdiction_code]);
    return {
      authentic: true,
      jurisdiction: { ...row.body.jurisdiction, name: names.get(row.jurisdiction_code) ?? row.body.jurisdiction.name },
      month: row.month,
      frozenAt: row.body.frozenAt,
    };
  }

  async view(row: AssessmentRow): Promise<AssessmentView> {
    const b = row.body;
    const childCodes = b.children.filter((c) => !c.self && ASSESSED_LEVELS.includes(c.jurisdiction.level)).map((c) => c.jurisdiction.code);
    const confirmations = await this.confirmations([row.jurisdiction_code, ...childCodes], row.month);
    return {
      id: row.id,
      jurisdiction: b.jurisdiction,
      month: row.month,
      from: b.from,
      to: b.to,
      asOf: b.asOf,
      frozenAt: b.frozenAt,
      frozenLate: b.frozenLate,
      hash: row.hash,
      submission: b.submission,
      feedback: b.feedback,
      effectiveContact: b.effectiveContact,
      children: b.children.map((c) => ({ ...c, confirmation: c.self ? null : (confirmations.get(c.jurisdiction.code) ?? null) })),
      overdueTownships: b.overdueTownships,
      confirmation: confirmations.get(row.jurisdiction_code) ?? null,
    };
  }

  private async confirmations(codes: string[], month: string): Promise<Map<string, ConfirmationView>> {
    const rows: { code: string; at: Date; by: string; note: string | null }[] = await this.db.query(
      `SELECT a.jurisdiction_code AS code, a.confirmed_at AS at, u.display_name AS by, a.confirm_note AS note
         FROM assessment a JOIN app_user u ON u.id = a.confirmed_by
        WHERE a.jurisdiction_code = ANY($1) AND a.month = $2 AND a.confirmed_at IS NOT NULL`,
      [codes, month],
    );
    return new Map(rows.map((r) => [r.code, { at: r.at.toISOString(), by: r.by, note: r.note }]));
  }

  /** A jurisdiction of county level or above in the caller's subtree (townships are ranked, not assessed on their own). */
  private async assessed(user: AuthUser, code = user.jurisdictionCode): Promise<JurisdictionRef> {
    if (!isDivisionCode(code)) throw Errors.validation([{ field: 'jurisdiction', message: '必须是 12 位行政区划代码' }]);
    assertInScope(user, code, 'jurisdiction');
    if (!ASSESSED_LEVELS.includes(levelOf(code))) {
      throw Errors.validation([{ field: 'jurisdiction', message: '月度考核按县级及以上辖区进行，乡镇的排名见所属县的考核' }]);
    }
    const found = await this.jurisdictions.findKnown(code);
    if (!found) throw Errors.notFound('行政区划');
    return toJurisdictionRef(found);
  }
}
