import { ApiProperty } from '@nestjs/swagger';
import type { AuditLogResponse } from '@/modules/audit/audit.service';
import type { ImportStatus, ImportSummary } from '@/modules/imports/imports.service';
import { valuesOf } from '@/common/labels';
import { nullable, PageView, same } from './views';

// What the bulk imports and the audit log answer, for the OpenAPI document (see views.ts).

export class ImportErrorView {
  @ApiProperty({ description: '行号（第一行数据为 1）' }) row: number;
  @ApiProperty() field: string;
  @ApiProperty() message: string;
}

export class ImportSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: valuesOf('importStatus') }) status: ImportStatus['status'];
  @ApiProperty() total: number;
  @ApiProperty() processed: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() failed: number;
  @ApiProperty() skipped: number;
  @ApiProperty() legacy: boolean;
  @ApiProperty() filename: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) finishedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) error: string | null;
}

export class ImportView extends ImportSummaryView {
  @ApiProperty({ type: [ImportErrorView] }) errors: ImportErrorView[];
}

export class ImportAcceptedView {
  @ApiProperty({ format: 'uuid' }) importId: string;
}

export class AuditLogView {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, ...nullable, format: 'uuid' }) userId: string | null;
  @ApiProperty({ type: String, ...nullable }) username: string | null;
  @ApiProperty({ type: String, ...nullable, example: '杨寨镇计生办 王芳' }) displayName: string | null;
  @ApiProperty({ example: 'read', description: 'read、create、update、login、login_failed、lookup、list…' }) action: string;
  @ApiProperty({ example: 'inflow' }) entity: string;
  @ApiProperty({ type: String, ...nullable }) entityId: string | null;
  @ApiProperty({ type: String, ...nullable, example: '王*（421381********123X）', description: '记录涉及的人（姓名、身份证号已遮蔽）或账号' })
  subject: string | null;
  @ApiProperty({ type: String, ...nullable }) jurisdictionCode: string | null;
  @ApiProperty({ type: String, ...nullable, description: '来源地址' }) ip: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, ...nullable }) detail: Record<string, unknown> | null;
}

export const ImportPageView = PageView(ImportSummaryView, 'ImportPageView');
export const AuditPageView = PageView(AuditLogView, 'AuditPageView');

// Compile-time: each view has exactly the fields (and types) of what the service returns.
export const ADMIN_VIEW_CHECKS = [
  same<ImportView, ImportStatus>(true),
  same<ImportSummaryView, ImportSummary>(true),
  same<AuditLogView, AuditLogResponse>(true),
];
