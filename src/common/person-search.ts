import { IdCipher } from './id-cipher';

/**
 * 姓名或身份证号 (console.md), the same on every list: a full ID number is found by its keyed hash (numbers are never
 * stored in clear), anything else as the start of a name. `columns` are the SQL expressions of the list's query.
 */
export function personSearch(q: string, cipher: IdCipher, columns: { name: string; hash: string }): { where: string; params: Record<string, string> } {
  const text = q.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(text)) return { where: `${columns.hash} = :searchHash`, params: { searchHash: cipher.hash(text) } };
  return { where: `${columns.name} LIKE :searchName`, params: { searchName: `${q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` } };
}
