import { ApiProperty } from '@nestjs/swagger';
import { nullable } from '@/common/api-views';

export const WORK_KINDS = ['reminder', 'reply', 'draft', 'check_household', 'import_errors', 'declaration'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export class WorkSubjectView {
  @ApiProperty() name: string;
  @ApiProperty({ example: '421381********0026' }) idNumber: string;
}

/** One thing the clerk has to do, with where to do it. */
export class WorkItemView {
  @ApiProperty({
    enum: WORK_KINDS,
    description:
      'reminder 督导的催办（未读）；reply 待反馈的通报或协查；draft 待提交的草稿；check_household 户籍地回复“非本地户籍”或“查无此人”，请核对户籍地；import_errors 批量导入有未通过的行；declaration 网格员采集待审核超过 3 天',
  })
  kind: WorkKind;
  @ApiProperty({ format: 'uuid', description: '信息、登记、导入或消息的 id' }) id: string;
  @ApiProperty({ example: '流入通报 · 来自 浙江省衢州市柯城区府山街道' }) title: string;
  @ApiProperty({ type: WorkSubjectView, ...nullable, description: '当事人（身份证号脱敏）' }) subject: WorkSubjectView | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable, description: '办理期限' }) dueAt: string | null;
  @ApiProperty({ format: 'date-time', description: '送达、保存、反馈或导入完成的时间' }) at: string;
  @ApiProperty({ example: '/exchanges/6f1c…', description: '在工作台中办理之处' }) link: string;
}

export class WorklistView {
  @ApiProperty({ type: [WorkItemView] }) items: WorkItemView[];
  @ApiProperty({ description: '待办总数（items 最多 100 项）' }) total: number;
}
