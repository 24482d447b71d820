import { labelOf, LabelSet, valuesOf } from '@/common/labels';
import { Column, COLUMNS } from './import-format';

/** The labels a column's drop-down list offers (none for free-text columns). */
function dropDownLabels(column: Column): string[] {
  return column.labels ? valuesOf(column.labels).map((v) => labelOf(column.labels as LabelSet, v)) : [];
}

/** The register template: Chinese headers, drop-down lists for every enum column, one example row. */
export async function buildTemplate(): Promise<Buffer> {
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  const sheet = workbook.addWorksheet('流入登记');
  const lists = workbook.addWorksheet('取值');
  sheet.columns = COLUMNS.map((c) => ({ header: c.label, key: c.field, width: Math.max(14, c.label.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(Object.fromEntries(COLUMNS.map((c) => [c.field, c.example])));
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
