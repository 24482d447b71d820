import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ancestorCandidates, isDivisionCode, levelOf } from '@/common/division-code';
import { Errors } from '@/common/errors';
import { Jurisdiction, toJurisdictionRef } from './jurisdiction.entity';
import { JurisdictionDetailView, JurisdictionListItemView } from './jurisdictions.dto';

export type JurisdictionDetail = JurisdictionDetailView;

export type JurisdictionListItem = JurisdictionListItemView;

const SEARCH_LIMIT = 50;
const KNOWN_LIMIT = 100_000;

@Injectable()
export class JurisdictionsService {
  /** Codes found, and look-ups under way (the rows of an import batch ask for the same code side by side). */
  private readonly known = new Map<string, Promise<Jurisdiction | null>>();

  constructor(@InjectRepository(Jurisdiction) private readonly jurisdictions: Repository<Jurisdiction>) {}

  async find(code: string): Promise<Jurisdiction | null> {
    if (!isDivisionCode(code)) return null;
    return this.jurisdictions.findOneBy({ code });
  }

  /**
   * The same as find, kept in memory: the division table changes only with `npm run setup`, so codes once found
   * stay found. For the hot paths (every registration, every dashboard). Callers asking for a code being looked up
   * share that look-up; a code not found (or a failed read) is looked up again next time.
   */
  findKnown(code: string): Promise<Jurisdiction | null> {
    const cached = this.known.get(code);
    if (cached) return cached;
    if (this.known.size >= KNOWN_LIMIT) this.known.clear();
    const lookup = this.find(code);
    this.known.set(code, lookup);
    const forget = () => {
      if (this.known.get(code) === lookup) this.known.delete(code);
    };
    lookup.then((found) => found ?? forget(), forget);
    return lookup;
  }

  /** The jurisdiction or a 400 naming the field, for codes a client sent in a body. */
  async require(code: string, field: string): Promise<Jurisdiction> {
    const found = await this.findKnown(code);
    if (!found) throw Errors.validation([{ field, message: '行政区划代码不存在' }]);
    return found;
  }

  /** A township or village that exists: where people live and are registered (households, destinations). */
  async requireLocal(code: string, field: string): Promise<Jurisdiction> {
    const level = levelOf(code);
    if (level !== 'township' && level !== 'village') throw Errors.validation([{ field, message: '须为乡镇（街道）或村（居）级代码' }]);
    return this.require(code, field);
  }

  async detail(code: string): Promise<JurisdictionDetail> {
    const found = await this.find(code);
    if (!found) throw Errors.notFound('行政区划');
    const ancestors = await this.jurisdictions.findBy({ code: In(ancestorCandidates(code)) });
    const path = [...ancestors, found].sort((a, b) => a.code.localeCompare(b.code)).map(toJurisdictionRef);
    return { ...toJurisdictionRef(found), parentCode: found.parentCode, path };
  }

  async children(parentCode: string): Promise<Jurisdiction[]> {
    if (!(await this.find(parentCode))) throw Errors.notFound('行政区划');
    return this.jurisdictions.find({ where: { parentCode }, order: { code: 'ASC' } });
  }

  /**
   * Name search: the first 50 matches, higher levels first, each with its full name to tell 新华镇 from 新华镇. With
   * `near` (a code's first digits, e.g. the address code of an ID number), places whose code starts with it come
   * first: 杨寨 for a person from 421381 offers 广水市杨寨镇 before 埇桥区北杨寨乡, even where 50 others match.
   */
  async search(q: string, near?: string): Promise<JurisdictionListItem[]> {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const query = this.jurisdictions.createQueryBuilder('j').where('j.name LIKE :pattern', { pattern });
    if (near) query.orderBy('starts_with(j.code, :near)', 'DESC').setParameter('near', near);
    const rows = await query
      .addOrderBy(`array_position(ARRAY['country','province','city','county','township','village']::varchar[], j.level)`)
      .addOrderBy('j.code')
      .limit(SEARCH_LIMIT)
      .getMany();
    return this.withFullNames(rows);
  }

  /** Full names (湖北省随州市广水市杨寨镇) of codes, for lists that show places; unknown codes are left out. */
  async fullNames(codes: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(codes)].filter(isDivisionCode);
    const rows = unique.length ? await this.jurisdictions.findBy({ code: In(unique) }) : [];
    return new Map((await this.withFullNames(rows)).map((r) => [r.code, r.fullName]));
  }

  async withFullNames(rows: Jurisdiction[]): Promise<JurisdictionListItem[]> {
    const codes = new Set(rows.flatMap((r) => ancestorCandidates(r.code)));
    const ancestors = codes.size ? await this.jurisdictions.findBy({ code: In([...codes]) }) : [];
    const names = new Map(ancestors.map((a) => [a.code, a]));
    return rows.map((r) => {
      const chain = ancestorCandidates(r.code)
        .reverse()
        .map((c) => names.get(c))
        .filter((a): a is Jurisdiction => !!a && a.level !== 'country' && a.name !== '市辖区' && a.name !== '县');
      return { ...toJurisdictionRef(r), parentCode: r.parentCode, fullName: [...chain.map((a) => a.name), r.name].join('') };
    });
  }
}
