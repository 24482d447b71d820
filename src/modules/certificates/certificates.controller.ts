import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CertificateView, VerificationView } from './certificates.dto';
import { SkipThrottle, Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { birthDateOf } from '@/common/identity';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Public, Roles } from '@/common/auth.decorators';
import { renderCertificatePdf } from './certificate-pdf';
import { CertificateLookupQuery, IssueCertificateDto, RevokeCertificateDto } from './certificates.dto';
import { CertificatesService, statusOf } from './certificates.service';
import { VerificationCodes } from './verification-code';

@ApiTags('certificates')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('certificates')
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly codes: VerificationCodes,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: CertificateView })
  @Roles('staff')
  @ApiOperation({ summary: '签发电子婚育证明（户籍地；再次签发即换发）' })
  issue(@CurrentUser() user: AuthUser, @Body() dto: IssueCertificateDto) {
    return this.certificates.issue(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: CertificateView })
  @Roles('staff')
  @ApiOperation({ summary: '按完整身份证号查询当前的婚育证明（记录审计）' })
  lookup(@CurrentUser() user: AuthUser, @Query() query: CertificateLookupQuery) {
    return this.certificates.lookup(user, query);
  }

  @Post(':id/revoke')
  @ApiOkResponse({ type: CertificateView })
  @Roles('staff')
  @HttpCode(200)
  @ApiOperation({ summary: '注销婚育证明（签发地）' })
  revoke(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: RevokeCertificateDto) {
    return this.certificates.revoke(user, id, dto);
  }

  @Get(':id/pdf')
  @Roles('staff')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: '婚育证明（A4 PDF）', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: '打印用 A4 PDF，含查验二维码（签发地；记录审计）' })
  async pdf(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const p = await this.certificates.forPrint(user, id);
    const pdf = await renderCertificatePdf({
      certificate: p.certificate,
      status: statusOf(p.certificate, birthDateOf(p.idNumber)),
      idNumber: p.idNumber,
      spouseIdNumber: p.spouseIdNumber,
      issuerName: p.issuerName,
      // The console's public page, readable on a phone; the JSON endpoint stays for machines.
      verifyUrl: this.codes.urlOf(p.code),
    });
    void reply
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', `inline; filename="${p.certificate.number}.pdf"`)
      .header('Cache-Control', 'no-store');
    return pdf;
  }
}

/** Public verification: no login, minimal disclosure, rate-limited per client address. */
@ApiTags('public')
@Controller('public/certificates')
export class PublicCertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('verify/:code')
  @ApiOkResponse({ type: VerificationView })
  @Public()
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ username: true })
  @Throttle({ ip: { limit: 60, ttl: 60_000 } })
  @ApiOperation({ summary: '查验婚育证明真伪（无需登录）' })
  async verify(@Param('code') code: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.certificates.verifyPublic(code);
    if (result) return result;
    void reply.status(404);
    return { statusCode: 404, code: 'NOT_AUTHENTIC', message: '查验码无效：不是本系统签发的婚育证明', details: [], authentic: false };
  }
}
