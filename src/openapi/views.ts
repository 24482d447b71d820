import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { valuesOf } from '@/common/labels';
import type { LoginResponse } from '@/modules/auth/auth.service';
import type { CaseResponse } from '@/modules/case-view/case-view.service';
import type { CertificateResponse, PublicVerification } from '@/modules/certificates/certificates.service';
import type { ExchangeResponse } from '@/modules/exchanges/exchanges.service';
import type { InflowResponse } from '@/modules/inflows/inflows.service';
import type { JurisdictionDetail, JurisdictionListItem } from '@/modules/jurisdictions/jurisdictions.service';
import type { OutflowResponse } from '@/modules/outflows/outflows.service';
import type { PersonDetail } from '@/modules/persons/persons.service';
import type { UserResponse } from '@/modules/users/users.service';

// What the API answers, described for the OpenAPI document (api.md: every response body with its fields), from which
// the console's client is typed. The services build plain objects typed by their own interfaces; the checks at the
// end of this file fail to compile when a view and its interface stop describing the same shape. The rates' views are
// in rates-views.ts, the bulk imports' and the audit log's in admin-views.ts.

export const nullable = { nullable: true } as const;

/** A detail may carry more than field and message (`existingId` of a duplicate), hence no compile-time check. */
export class ErrorDetailView {
  @ApiProperty({ example: 'person.idNumber' }) field: string;
  @ApiProperty({ example: '请填写 18 位公民身份号码' }) message: string;
}

export class ErrorView {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: '稳定的错误代码（UPPER_SNAKE）' }) code: string;
  @ApiProperty({ example: '请求数据有误，请检查标出的字段' }) message: string;
  @ApiProperty({ type: [ErrorDetailView] }) details: ErrorDetailView[];
}

export class JurisdictionRefView {
  @ApiProperty({ example: '421381101000' }) code: string;
  @ApiProperty({ example: '杨寨镇' }) name: string;
  @ApiProperty({ enum: valuesOf('level') }) level: JurisdictionDetail['level'];
}

export class JurisdictionDetailView extends JurisdictionRefView {
  @ApiProperty({ type: String, ...nullable }) parentCode: string | null;
  @ApiProperty({ type: [JurisdictionRefView], description: '从全国到本级' }) path: JurisdictionRefView[];
}

export class JurisdictionListItemView extends JurisdictionRefView {
  @ApiProperty({ type: String, ...nullable }) parentCode: string | null;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) fullName: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: valuesOf('role') }) role: UserResponse['role'];
  @ApiProperty() active: boolean;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
}

export class LoginView {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: '有效期（秒）' }) expiresIn: number;
  @ApiProperty({ type: UserView }) user: UserView;
}

export class PersonRefView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '421381********0026', description: '列表中为脱敏号码；详情中为完整号码（审计）' }) idNumber: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ example: 36, description: '周岁（不给出生日期：与脱敏号码并列即可还原完整号码）' }) age: number;
  @ApiPropertyOptional({ example: '1990-03-07', description: '仅在完整记录中（两端工作人员，记录审计）' }) birthDate?: string;
}

export class PersonCaseView {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: String, ...nullable }) destinationCode: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, ...nullable, example: '2026-11-02' }) arrivalDate: string | null;
}

export class PersonDetailView extends PersonRefView {
  @ApiProperty({ type: String, ...nullable }) householdCode: string | null;
  @ApiProperty({ type: [PersonCaseView] }) cases: PersonCaseView[];
}

export class SpouseView {
  @ApiProperty() name: string;
  @ApiProperty({ description: '列表中脱敏' }) idNumber: string;
}

export class ChildView {
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ example: '2018-05-01' }) birthDate: string;
}

export class InflowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: PersonRefView }) person: PersonRefView;
  @ApiProperty({ description: '登记的姓名与人员记录（户籍地）不一致，已向户籍地发出协查' }) nameMismatch: boolean;
  @ApiProperty() householdCode: string;
  @ApiProperty() destinationCode: string;
  @ApiProperty() originTownshipCode: string;
  @ApiProperty() destinationTownshipCode: string;
  @ApiProperty() address: string;
  @ApiProperty({ type: String, ...nullable }) phone: string | null;
  @ApiProperty({ example: '2026-11-02' }) arrivalDate: string;
  @ApiProperty({ enum: valuesOf('reason') }) reason: InflowResponse['reason'];
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: InflowResponse['maritalStatus'];
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: InflowResponse['contraception'];
  @ApiProperty() pregnant: boolean;
  @ApiProperty({ type: String, ...nullable }) certificateNumber: string | null;
  @ApiProperty() undertaking: boolean;
  @ApiProperty({ description: '重点对象' }) keyTarget: boolean;
  @ApiProperty({ enum: valuesOf('certificateCheck') }) certificateCheck: InflowResponse['certificateCheck'];
  @ApiProperty({ description: '历史数据（15 位身份证号转换或校验位不符）' }) legacy: boolean;
  @ApiProperty({ enum: valuesOf('inflowStatus') }) status: InflowResponse['status'];
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) submittedAt: string | null;
  @ApiProperty({ format: 'date-time' }) submissionDueAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) closedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) departureDate: string | null;
}

export class OutflowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: PersonRefView }) person: PersonRefView;
  @ApiProperty() householdCode: string;
  @ApiProperty() originTownshipCode: string;
  @ApiProperty({ example: '2026-10-01' }) departureDate: string;
  @ApiProperty({ type: String, ...nullable, description: '预计流入地：省级及以下任一级' }) expectedDestinationCode: string | null;
  @ApiProperty({ description: '登记时是否向预计流入地发出流出通报（流入地粗于乡镇、或已与流入登记关联时为 false）' }) notified: boolean;
  @ApiProperty({ enum: valuesOf('outflowStatus') }) status: OutflowResponse['status'];
  @ApiProperty({ enum: valuesOf('contact') }) contact: OutflowResponse['contact'];
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) closedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) closeDate: string | null;
}

export class HolderView {
  @ApiProperty() name: string;
  @ApiProperty({ description: '脱敏' }) idNumber: string;
  @ApiProperty({ description: '周岁' }) age: number;
}

export class CertificateView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '421381101000-2026-00001' }) number: string;
  @ApiProperty() verificationCode: string;
  @ApiProperty({ example: 'https://liudong.example.gov.cn/verify/c4WOYe1h…', description: '核验页面（打印的二维码即此链接）' }) verifyUrl: string;
  @ApiProperty({ enum: valuesOf('certificateStatus') }) status: CertificateResponse['status'];
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty() issuerCode: string;
  @ApiProperty({ type: HolderView }) holder: HolderView;
  @ApiProperty() householdCode: string;
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: string;
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: string;
  @ApiProperty({ type: String, ...nullable, description: '被替代的证明 id' }) supersedes: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) revokedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) revokeReason: string | null;
}

export class IssuerView {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

export class PublicHolderView {
  @ApiProperty({ example: '张*' }) name: string;
  @ApiProperty({ example: '421381********0026' }) idNumber: string;
}

export class VerificationView {
  @ApiProperty({ enum: [true] }) authentic: true;
  @ApiProperty({ enum: valuesOf('certificateStatus') }) status: PublicVerification['status'];
  @ApiProperty() number: string;
  @ApiProperty({ type: IssuerView }) issuer: IssuerView;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty({ type: PublicHolderView }) holder: PublicHolderView;
}

export class ExchangeSubjectView {
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '421381********0026' }) idNumber: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ description: '周岁' }) age: number;
}

export class ReplierView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) jurisdictionName: string;
}

export class ExchangeReplyView {
  @ApiProperty({ enum: valuesOf('outcome') }) outcome: NonNullable<ExchangeResponse['reply']>['outcome'];
  @ApiProperty({ type: String, ...nullable }) note: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, ...nullable, description: '“信息有误”时的更正（身份证号脱敏）' })
  corrections: Record<string, unknown> | null;
  @ApiProperty({ type: ReplierView, ...nullable }) by: ReplierView | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ExchangeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ enum: valuesOf('exchangeType') }) type: ExchangeResponse['type'];
  @ApiProperty() fromCode: string;
  @ApiProperty({ description: '发送的具体单位（村、社区或乡镇）' }) fromUnitCode: string;
  @ApiProperty({ example: '浙江省衢州市柯城区府山街道' }) fromName: string;
  @ApiProperty() toCode: string;
  @ApiProperty({ description: '收件的具体单位：其辖区内的工作人员可以反馈' }) toUnitCode: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) toName: string;
  @ApiProperty({ type: ExchangeSubjectView, ...nullable, description: '当事人' }) subject: ExchangeSubjectView | null;
  @ApiProperty({ description: '加急' }) urgent: boolean;
  @ApiProperty({ description: '需要反馈' }) needsReply: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ enum: valuesOf('exchangeStatus') }) status: ExchangeResponse['status'];
  @ApiProperty({ format: 'date-time' }) sentAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable, description: '办理期限' }) dueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) repliedAt: string | null;
  @ApiProperty({ type: ExchangeReplyView, ...nullable }) reply: ExchangeReplyView | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, ...nullable }) lastError: string | null;
}

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

/** `{ items, total, page, pageSize }` of a list (api.md, Conventions), one named schema per item type. */
export function PageView<T>(item: Type<T>, name: string): Type<{ items: T[]; total: number; page: number; pageSize: number }> {
  class Page {
    @ApiProperty({ type: [item] }) items: T[];
    @ApiProperty() total: number;
    @ApiProperty() page: number;
    @ApiProperty() pageSize: number;
  }
  Object.defineProperty(Page, 'name', { value: name });
  return Page;
}

export const InflowPageView = PageView(InflowView, 'InflowPageView');
export const OutflowPageView = PageView(OutflowView, 'OutflowPageView');
export const ExchangePageView = PageView(ExchangeView, 'ExchangePageView');
export const UserPageView = PageView(UserView, 'UserPageView');
export const JurisdictionPageView = PageView(JurisdictionListItemView, 'JurisdictionPageView');

// Compile-time: each view has exactly the fields (and types) of what the service returns.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Fields<T> = { [K in keyof T]: T[K] };
export const same = <A, B>(ok: Same<Fields<A>, Fields<B>>) => ok;
export const VIEW_CHECKS = [
  same<LoginView, LoginResponse>(true),
  same<UserView, UserResponse>(true),
  same<JurisdictionDetailView, JurisdictionDetail>(true),
  same<JurisdictionListItemView, JurisdictionListItem>(true),
  same<PersonDetailView, PersonDetail>(true),
  same<InflowView, InflowResponse>(true),
  same<OutflowView, OutflowResponse>(true),
  same<CertificateView, CertificateResponse>(true),
  same<VerificationView, PublicVerification>(true),
  same<ExchangeView, ExchangeResponse>(true),
  same<CaseView, CaseResponse>(true),
];
