import { birthDateOf, checkCharacter } from '@server/identity';

// What a form checks before it sends (console.md, "Messages are in the words of the form"): a field left empty is
// named by its label (`请选择户籍地`, `请选择婚姻状况`), never by the API's words for a value it never saw. The API
// checks everything again; these only spare the clerk a round trip and a developer's message.

/** Field (the API's name, e.g. `person.name`) → message, in the form's order. */
export type Problems = Record<string, string>;

/** What is wrong with a 公民身份号码 typed so far, or '' (an unfinished number is not yet wrong). */
export function idNumberProblem(id: string): string {
  if (id === '') return '';
  if (!/^\d{0,17}[\dXx]?$/.test(id)) return '只能包含数字和末位的 X';
  if (/^\d{15}$/.test(id)) return '请填写 18 位公民身份号码';
  if (id.length < 18) return '';
  const upper = id.toUpperCase();
  if (checkCharacter(upper.slice(0, 17)) !== upper[17]) return '校验位不正确，请核对号码';
  const birth = birthDateOf(upper);
  if (Number.isNaN(Date.parse(`${birth}T00:00:00Z`)) || new Date(`${birth}T00:00:00Z`).toISOString().slice(0, 10) !== birth) return '出生日期不正确';
  return '';
}

/** A text field that must be filled: `请填写姓名`. */
export function needText(problems: Problems, field: string, value: string | null | undefined, label: string): void {
  if ((value ?? '').trim() === '') problems[field] = `请填写${label}`;
}

/** A choice that must be made (a select, a place picker, a date): `请选择婚姻状况`. A cleared select holds undefined. */
export function needChoice(problems: Problems, field: string, value: string | null | undefined, label: string): void {
  if (value === '' || value === null || value === undefined) problems[field] = `请选择${label}`;
}

/** A 公民身份号码: required unless `optional`, complete, and with the right check character. */
export function needIdNumber(problems: Problems, field: string, value: string, label: string, optional = false): void {
  if (value === '') {
    if (!optional) problems[field] = `请填写${label}`;
    return;
  }
  const problem = idNumberProblem(value) || (value.length < 18 ? '请填写 18 位公民身份号码' : '');
  if (problem) problems[field] = problem;
}

/** The 6-digit address code an ID number starts with (its county when issued), or '' before 6 digits are typed. */
export function addressCodeOf(idNumber: string): string {
  return /^\d{6}/.test(idNumber) ? idNumber.slice(0, 6) : '';
}

/** The labels of the family fields (FamilyFields) by the API's names. */
export const FAMILY_LABELS: Record<string, string> = {
  maritalStatus: '婚姻状况',
  spouse: '配偶姓名',
  'spouse.name': '配偶姓名',
  'spouse.idNumber': '配偶公民身份号码',
  children: '子女',
  contraception: '避孕节育情况',
};

/** 婚姻状况 and 避孕节育情况 chosen, a spouse's number (when given) right, each child's 性别 and 出生日期 given. */
export function checkFamily(
  problems: Problems,
  family: {
    maritalStatus: string;
    spouseIdNumber: string;
    children: { sex: string; birthDate: string | null }[];
    contraception: string;
  },
): void {
  needChoice(problems, 'maritalStatus', family.maritalStatus, '婚姻状况');
  if (family.maritalStatus === 'first_married' || family.maritalStatus === 'remarried') {
    needIdNumber(problems, 'spouse.idNumber', family.spouseIdNumber, '配偶公民身份号码', true);
  }
  family.children.forEach((child, i) => {
    needChoice(problems, `children[${i}].sex`, child.sex, '性别');
    needChoice(problems, `children[${i}].birthDate`, child.birthDate, '出生日期');
  });
  needChoice(problems, 'contraception', family.contraception, '避孕节育情况');
}

/** The form's keys whose API field has another name (for clearing a field's message once it is edited). */
export const FORM_FIELDS: Record<string, string> = {
  idNumber: 'person.idNumber',
  name: 'person.name',
  phone: 'person.phone',
  spouseName: 'spouse.name',
  spouseIdNumber: 'spouse.idNumber',
};
