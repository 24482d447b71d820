import { ChildDto, SpouseDto } from '@/common/dto';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { maskIdNumber } from '@/common/identity';
import { valuesOf } from '@/common/labels';
import { todayInShanghai } from '@/common/time';

// A person's family facts as a registration (流入登记) and a certificate (婚育证明) both record them: marital status,
// spouse, children and contraception. The one home of their values and rules.

export const MARITAL_STATUSES = valuesOf('maritalStatus');
export type MaritalStatus = (typeof MARITAL_STATUSES)[number];
export const CONTRACEPTIONS = valuesOf('contraception');
export type Contraception = (typeof CONTRACEPTIONS)[number];

export interface Child {
  sex: 'male' | 'female';
  birthDate: string;
}

/** The stored columns of a spouse: the ID number encrypted and masked, never in clear. */
export interface SpouseColumns {
  spouseName: string | null;
  spouseIdCipher: string | null;
  spouseIdMasked: string | null;
}

export function isMarried(status: MaritalStatus): boolean {
  return status === 'first_married' || status === 'remarried';
}

/** Children as stored: sex and birth date only, eldest first. */
export function normaliseChildren(children: ChildDto[] | undefined): Child[] {
  return (children ?? []).map((c) => ({ sex: c.sex, birthDate: c.birthDate })).sort((a, b) => a.birthDate.localeCompare(b.birthDate));
}

/** A spouse only for the married, and never the person themself; `prefix` is where the fields sit in the request. */
export function checkSpouse(maritalStatus: MaritalStatus, spouse: SpouseDto | null | undefined, isSelf: (idNumber: string) => boolean, prefix: string): void {
  if (!spouse) return;
  if (!isMarried(maritalStatus)) throw Errors.validation([{ field: `${prefix}spouse`, message: '婚姻状况为未婚、离婚或丧偶时不应填写配偶' }]);
  if (isSelf(spouse.idNumber)) throw Errors.validation([{ field: `${prefix}spouse.idNumber`, message: '配偶不能是本人' }]);
}

/** Children born after their parent and not in the future. */
export function checkChildren(parentBirthDate: string, children: ChildDto[] | undefined, prefix: string): void {
  const today = todayInShanghai();
  (children ?? []).forEach((child, index) => {
    if (child.birthDate > today) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能晚于今天' }]);
    if (child.birthDate <= parentBirthDate) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能早于本人出生日期' }]);
  });
}

export function spouseColumns(spouse: SpouseDto | null | undefined, cipher: IdCipher): SpouseColumns {
  if (!spouse) return { spouseName: null, spouseIdCipher: null, spouseIdMasked: null };
  return { spouseName: spouse.name, spouseIdCipher: cipher.encrypt(spouse.idNumber), spouseIdMasked: maskIdNumber(spouse.idNumber) };
}
