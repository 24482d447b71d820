import { labelOf, LabelSet, valuesOf } from '@/common/labels';
import { Column, COLUMNS, EXAMPLE_ROW_MESSAGE } from './import-format';

/** The template's second sheet: every column explained, with an example (api.md, Bulk import). */
export const GUIDE_SHEET = '填写说明';

/** The labels a column's drop-down list offers (none for free-text columns). */
function dropDownLabels(column: Column): string[] {
  return column.labels ? valuesOf(column.labels).map((v) => labelOf(column.labels as LabelSet, v)) : [];
}

/**
 * The register template: a data sheet of Chinese headers only, with drop-down lists for every enum column; the example
 * is on the 填写说明 sheet, so a template uploaded unchanged registers nobody (and a row copying it is refused).
 */
export async function buildTemplate(): Promise<Buffer> {
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  // The data sheet comes first: an import reads the first sheet only.
  const sheet = workbook.addWorksheet('流入登记');
  const guide = workbook.addWorksheet(GUIDE_SHEET);
  const lists = workbook.addWorksheet('取值');
  sheet.columns = COLUMNS.map((c) => ({ header: c.label, key: c.field, width: Math.max(14, c.label.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  guide.columns = [
    { header: '列名', key: 'label', width: 16 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '填写说明', key: 'hint', width: 64 },
    { header: '示例', key: 'example', width: 26 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const column of COLUMNS) {
    const labels = dropDownLabels(column);
    guide.addRow({
      label: column.label,
      required: column.required ? '必填' : '选填',
      hint: labels.length ? `${column.hint}：${labels.join('、')}` : column.hint,
      example: column.example,
    });
  }
  guide.getColumn('hint').alignment = { wrapText: true, vertical: 'top' };
  guide.addRow([]);
  guide.addRow([`在「流入登记」页从第 2 行起每行填一人。示例中的人并不存在，照抄示例的行不予登记（${EXAMPLE_ROW_MESSAGE}）。`]);
  COLUMNS.forEach((column, index) => {
    const labels = dropDownLabels(column);
    if (labels.length === 0) return;
    const letter = String.fromCharCode(65 + index);
    labels.forEach((label, i) => (lists.getCell(i + 1, index + 1).value = label));
    for (let r = 2; r <= 1000; r++) {
      sheet.getCell(`${letter}${r}`).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`'取值'!$${letter}$1:$${letter}$${labels.length}`],
        showErrorMessage: true,
        errorTitle: '取值不在允许范围内',
        error: `请从下拉列表中选择：${labels.join('、')}`,
      };
    }
  });
  for (const field of ['idNumber', 'householdCode', 'destinationCode', 'arrivalDate', 'phone', 'certificateNumber']) {
    sheet.getColumn(field).numFmt = '@';
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
