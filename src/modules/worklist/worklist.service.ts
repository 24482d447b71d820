import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, scopeRange } from '@/common/scope';
import { labelOf } from '@/common/labels';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { WorkItemView, WorkKind, WorklistView } from './worklist.dto';

const LIMIT = 100;
/** A reply to check or an import with refused rows stays on the list this long (nobody marks them done). */
const RECENT_DAYS = 30;
/** A grid worker's declaration pending longer than this is on its destination's 待办 (field-collection.md). */
const DECLARATION_WAIT_DAYS = 3;

interface Row {
  kind: WorkKind;
  id: string;
  type: string | null;
  place: string | null;
  outcome: string | null;
  filename: string | null;
  failed: number | null;
  name: string | null;
  id_masked: string | null;
  due_at: Date | null;
  at: Date;
  said: string | null;
}

/**
 * 待办 (console.md 工作台): everything that waits for this clerk, most urgent first — what is overdue, then what needs
 * looking at now (a 非本地户籍 / 查无此人 answer to one of her registrations, an import with refused rows), then what
 * falls due later. Each item leads to where it is done.
 */
@Injectable()
export class WorklistService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async list(user: AuthUser): Promise<WorklistView> {
    const { low, high } = scopeRange(user);
    const rows: Row[] = await this.db.query(
      `WITH work AS (
         -- Replies owed by a unit of the caller's subtree.
         SELECT 'reply' AS kind, e.id, e.type, e.from_code AS place, NULL AS outcome, NULL AS filename, NULL::int AS failed,
                p.name, p.id_masked, e.due_at, e.delivered_at AS at, NULL AS said
           FROM exchange e JOIN migrant_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id
          WHERE e.to_unit_code BETWEEN $1 AND $2 AND e.status = 'delivered' AND e.needs_reply
         UNION ALL
         -- Drafts to submit (the submission time limit runs from saving).
         SELECT 'draft', i.id, NULL, i.household_code, NULL, NULL, NULL, coalesce(i.name, p.name), p.id_masked, i.submission_due_at, i.registered_at, NULL
           FROM inflow i JOIN person p ON p.id = i.person_id
          WHERE i.destination_code BETWEEN $1 AND $2 AND i.status = 'draft'
         UNION ALL
         -- The origin answered 非本地户籍 or 查无此人 about a registration still open here and still stating the household
         -- that answered: 户籍地 is to be checked and corrected (a corrected 户籍地 re-routes and drops the item).
         SELECT 'check_household', e.id, e.type, e.to_code, e.reply_outcome, NULL, NULL, coalesce(i.name, p.name), p.id_masked, NULL, e.replied_at, NULL
           FROM exchange e JOIN inflow i ON i.id::text = e.payload->>'inflowId' JOIN person p ON p.id = i.person_id
          WHERE e.from_unit_code BETWEEN $1 AND $2 AND e.status = 'replied' AND e.reply_outcome IN ('not_ours', 'not_found')
            AND e.replied_at > now() - make_interval(days => $4) AND i.status = 'active' AND i.origin_township_code = e.to_code
         UNION ALL
         -- The caller's own imports that refused rows.
         SELECT 'import_errors', j.id, NULL, NULL, NULL, j.filename, j.failed, NULL, NULL, NULL, coalesce(j.finished_at, j.created_at), NULL
           FROM import_job j
          WHERE j.created_by = $3 AND j.status = 'done' AND j.failed > 0 AND j.created_at > now() - make_interval(days => $4)
         UNION ALL
         -- A grid worker's declaration waiting for review more than 3 days (field-collection.md), for the destination.
         SELECT 'declaration', d.id, NULL, NULL, NULL, NULL, NULL, d.name, d.id_masked, NULL, d.pending_since, u.display_name
           FROM declaration d JOIN app_user u ON u.id = d.collector_id
          WHERE d.destination_code BETWEEN $1 AND $2 AND d.status = 'pending' AND d.pending_since < now() - make_interval(days => $5)
         UNION ALL
         -- A supervisor's 催办 not yet read (reading it in 消息 takes it off).
         SELECT 'reminder', n.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n.created_at, n.title
           FROM notification n
          WHERE n.user_id = $3 AND n.kind = 'reminder' AND n.read_at IS NULL AND n.created_at > now() - make_interval(days => $4)
       )
       SELECT *, count(*) OVER () AS total FROM work
        -- Supervisors' reminders first (reminders.md), then what is overdue, what needs looking at, what falls due later.
        ORDER BY kind <> 'reminder', CASE WHEN due_at < now() THEN 0 WHEN due_at IS NULL THEN 1 ELSE 2 END, due_at ASC NULLS LAST, at DESC
        LIMIT ${LIMIT}`,
      [low, high, user.id, RECENT_DAYS, DECLARATION_WAIT_DAYS],
    );
    const names = await this.jurisdictions.fullNames(rows.flatMap((r) => (r.place ? [r.place] : [])));
    const total = rows.length ? Number((rows[0] as Row & { total: string }).total) : 0;
    return { items: rows.map((r) => toItem(r, r.place ? (names.get(r.place) ?? r.place) : '')), total };
  }
}

function toItem(r: Row, place: string): WorkItemView {
  const subject = r.name && r.id_masked ? { name: r.name, idNumber: r.id_masked } : null;
  const base = { id: r.id, subject, dueAt: r.due_at?.toISOString() ?? null, at: r.at.toISOString() };
  switch (r.kind) {
    case 'reply':
      return { ...base, kind: r.kind, title: `${labelOf('exchangeType', r.type ?? '')} · 来自 ${place}`, link: `/exchanges/${r.id}` };
    case 'draft':
      return { ...base, kind: r.kind, title: `流入登记草稿 · 户籍地 ${place}`, link: `/inflows/${r.id}` };
    case 'check_household':
      return { ...base, kind: r.kind, title: `${place} 回复“${labelOf('outcome', r.outcome ?? '')}”，请核对户籍地`, link: `/exchanges/${r.id}` };
    case 'import_errors':
      return { ...base, kind: r.kind, title: `批量导入“${r.filename}”有 ${r.failed} 行未通过`, link: '/imports' };
    case 'declaration':
      return { ...base, kind: r.kind, title: `网格员采集待审核超过 3 天 · ${r.said ?? ''}`, link: '/declarations' };
    case 'reminder':
      return { ...base, kind: r.kind, title: r.said ?? '催办', link: '/notifications' };
  }
}
