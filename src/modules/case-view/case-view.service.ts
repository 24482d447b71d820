import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { ExchangesService } from '@/modules/exchanges/exchanges.service';
import { AuthUser, inScope } from '@/common/scope';
import { Inflow } from '@/modules/inflows/inflow.entity';
import { InflowsService } from '@/modules/inflows/inflows.service';
import { Jurisdiction, toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { Outflow } from '@/modules/outflows/outflow.entity';
import { OutflowResponse, OutflowsService } from '@/modules/outflows/outflows.service';
import { toPersonRef } from '@/modules/persons/persons.service';
import { MigrantCase } from '@/modules/cases/migrant-case.entity';
import { CaseView } from './case-view.dto';

export type CaseResponse = CaseView;

@Injectable()
export class CaseViewService {
  constructor(
    @InjectRepository(MigrantCase) private readonly cases: Repository<MigrantCase>,
    @InjectRepository(Inflow) private readonly inflowRepo: Repository<Inflow>,
    @InjectRepository(Outflow) private readonly outflowRepo: Repository<Outflow>,
    @InjectRepository(Jurisdiction) private readonly jurisdictions: Repository<Jurisdiction>,
    private readonly inflows: InflowsService,
    private readonly outflows: OutflowsService,
    private readonly exchanges: ExchangesService,
    private readonly cipher: IdCipher,
  ) {}

  /** The case as both sides see it: staff of the destination or of the household, nobody else (404). */
  async view(user: AuthUser, id: string): Promise<CaseResponse> {
    const found = await this.cases.findOneBy({ id });
    if (!found) throw Errors.notFound('个案');
    const inflow = await this.inflowRepo.findOne({ where: { caseId: id }, relations: { person: true }, order: { registeredAt: 'DESC' } });
    const outflow = await this.outflowRepo.findOne({ where: { caseId: id }, order: { registeredAt: 'DESC' } });
    const visible =
      (inflow && (inScope(user, inflow.destinationCode) || (inflow.status !== 'draft' && inScope(user, inflow.householdCode)))) ||
      (outflow && inScope(user, outflow.householdCode));
    if (!visible) throw Errors.notFound('个案');

    const codes = [found.originTownshipCode, found.destinationTownshipCode].filter((c): c is string => !!c);
    const places = new Map((await this.jurisdictions.findBy({ code: In(codes) })).map((j) => [j.code, toJurisdictionRef(j)]));
    const outflowResponse = outflow ? await this.outflows.loadResponse(outflow.id) : null;
    const person = inflow?.person ?? null;
    return {
      id: found.id,
      person: person ? toPersonRef(person, this.cipher) : (outflowResponse as OutflowResponse).person,
      origin: places.get(found.originTownshipCode) ?? { code: found.originTownshipCode, name: '', level: 'township' },
      destination: found.destinationTownshipCode ? (places.get(found.destinationTownshipCode) ?? null) : null,
      openedAt: found.openedAt.toISOString(),
      closedAt: found.closedAt?.toISOString() ?? null,
      inflow: inflow ? this.inflows.toResponse(inflow, false) : null,
      outflow: outflowResponse,
      exchanges: await this.exchanges.thread(found.id),
    };
  }
}
