import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { PersonDetailView } from './persons.dto';
import { IsIdNumber } from '@/common/dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { PersonsService } from './persons.service';

export class PersonLookupQuery {
  @ApiProperty({ description: '完整的公民身份号码（仅精确查询）' })
  @IsIdNumber()
  idNumber: string;
}

@ApiTags('persons')
@ApiBearerAuth()
@Controller('persons')
export class PersonsController {
  constructor(private readonly persons: PersonsService) {}

  @Get()
  @ApiOkResponse({ type: PersonDetailView })
  @ApiOperation({ summary: '按完整身份证号精确查询人员（记录审计）' })
  lookup(@CurrentUser() user: AuthUser, @Query() query: PersonLookupQuery) {
    return this.persons.lookup(user, query.idNumber);
  }

  @Get(':id')
  @ApiOkResponse({ type: PersonDetailView })
  @ApiOperation({ summary: '人员详情，含完整身份证号（记录审计）' })
  detail(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.persons.detail(user, id);
  }
}
