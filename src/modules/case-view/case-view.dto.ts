import { ApiProperty } from '@nestjs/swagger';
import { nullable } from '@/common/api-views';
import { JurisdictionRefView } from '@/modules/jurisdictions/jurisdictions.dto';
import { PersonRefView } from '@/modules/persons/persons.dto';
import { InflowView } from '@/modules/inflows/inflows.dto';
import { OutflowView } from '@/modules/outflows/outflows.dto';
import { ExchangeView } from '@/modules/exchanges/exchanges.dto';

export class CaseView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: PersonRefView }) person: PersonRefView;
  @ApiProperty({ type: JurisdictionRefView }) origin: JurisdictionRefView;
  @ApiProperty({ type: JurisdictionRefView, ...nullable }) destination: JurisdictionRefView | null;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) closedAt: string | null;
  @ApiProperty({ type: InflowView, ...nullable }) inflow: InflowView | null;
  @ApiProperty({ type: OutflowView, ...nullable }) outflow: OutflowView | null;
  @ApiProperty({ type: [ExchangeView] }) exchanges: ExchangeView[];
}
