import { IdCipher } from './id-cipher';

/**
 * 姓名或身份证号 (console.md), the same on every list: a full ID number is found by its keyed hash (numbers are never
 * stored in clear), anything else as the start of a name. A name is looked up people first — `PEOPLE_NAMED`, a range
 * scan of person_name_pattern_idx — and the list's own rows reached from them, so a search costs the same whether the
 * place holds a hundred registrations or a hundred thousand (quality.md B7). `match` writes the list's condition from
 * the two: `hash` the condition on the ID hash, `named` the SQL of the ids of the people so named.
 */
export const PEOPLE_NAMED = `SELECT id FROM person WHERE name LIKE :searchName`;

export function personSearch(
  q: string,
  cipher: IdCipher,
  match: { hash: string; named: (peopleNamed: string) => string },
): { where: string; params: Record<string, string> } {
  const text = q.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(text)) return { where: `${match.hash} = :searchHash`, params: { searchHash: cipher.hash(text) } };
  return { where: match.named(PEOPLE_NAMED), params: { searchName: `${q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` } };
}
