import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

// The shapes every route shares in the OpenAPI document (api.md, Conventions): errors and pages. Each module's own
// response classes are in its `<feature>.dto.ts`, beside its request classes; the services return those types, so
// a response has one home and the document cannot drift from it.

export const nullable = { nullable: true } as const;

/** One refused field; a detail may carry more than field and message (`existingId` of a duplicate). */
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
