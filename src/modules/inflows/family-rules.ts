import { ChildDto, SpouseDto } from '@/common/dto';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { maskIdNumber } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { Inflow } from './inflow.entity';

// The family rules of a registration (spouse, children), shared by registration, PATCH and a reply's corrections.

export function normaliseChildren(children: ChildDto[] | undefined): Inflow['children'] {
  return (children ?? []).map((c) => ({ sex: c.sex, birthDate: c.birthDate })).sort((a, b) => a.birthDate.localeCompare(b.birthDate));
}

export function isMarried(status: Inflow['maritalStatus']): boolean {
  return status === 'first_married' || status === 'remarried';
}

export function checkSpouse(maritalStatus: Inflow['maritalStatus'], spouse: SpouseDto | null | undefined, isSelf: (idNumber: string) => boolean, prefix: string): void {
  if (!spouse) return;
  if (!isMarried(maritalStatus)) throw Errors.validation([{ field: `${prefix}spouse`, message: '婚姻状况为未婚、离婚或丧偶时不应填写配偶' }]);
  if (isSelf(spouse.idNumber)) throw Errors.validation([{ field: `${prefix}spouse.idNumber`, message: '配偶不能是本人' }]);
}

export function checkChildren(parentBirthDate: string, children: ChildDto[] | undefined, prefix: string): void {
  const today = todayInShanghai();
  (children ?? []).forEach((child, index) => {
    if (child.birthDate > today) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能晚于今天' }]);
    if (child.birthDate <= parentBirthDate) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能早于本人出生日期' }]);
  });
}


/** The stored columns of a spouse: the ID number encrypted and masked, never in clear. */
export function spouseColumns(spouse: SpouseDto | null | undefined, cipher: IdCipher): Pick<Inflow, 'spouseName' | 'spouseIdCipher' | 'spouseIdMasked'> {
  if (!spouse) return { spouseName: null, spouseIdCipher: null, spouseIdMasked: null };
  return { spouseName: spouse.name, spouseIdCipher: cipher.encrypt(spouse.idNumber), spouseIdMasked: maskIdNumber(spouse.idNumber) };
}
