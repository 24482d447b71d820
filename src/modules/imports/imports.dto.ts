import { ApiProperty } from '@nestjs/swagger';
import { valuesOf } from '@/common/labels';
import { nullable, PageView } from '@/common/api-views';

export class ImportErrorView {
  @ApiProperty({ description: '行号（第一行数据为 1）' }) row: number;
  @ApiProperty({ description: '表格中显示的行号（表头为第 1 行）' }) sheetRow: number;
  @ApiProperty({ description: '该行填写的姓名' }) name: string;
  @ApiProperty() field: string;
  @ApiProperty() message: string;
}

export class ImportSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: valuesOf('importStatus') }) status: 'queued' | 'running' | 'done' | 'failed';
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

export const ImportPageView = PageView(ImportSummaryView, 'ImportPageView');
