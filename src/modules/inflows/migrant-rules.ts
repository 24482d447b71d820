import { ageOn } from '@/common/identity';

// Art. 2 of 流动人口计划生育工作条例: who counts as a migrant.

/** Urban districts (市辖区) have county digits 01–20. */
function isUrbanDistrict(code: string): boolean {
  const county = Number(code.slice(4, 6));
  return county >= 1 && county <= 20;
}

/** Why a move is not a migration, or null when it is one. */
export function notAMigrantReason(householdCode: string, destinationCode: string): string | null {
  if (householdCode.slice(0, 6) === destinationCode.slice(0, 6)) return '户籍地与现居住地在同一县（市、区）内，不属于流动人口';
  if (householdCode.slice(0, 4) === destinationCode.slice(0, 4) && isUrbanDistrict(householdCode) && isUrbanDistrict(destinationCode)) {
    return '在同一城市的市辖区之间流动，不属于流动人口';
  }
  return null;
}

export const ADULT_AGE = 18;

export function isAdultOn(birthDate: string, date: string): boolean {
  return ageOn(birthDate, date) >= ADULT_AGE;
}
