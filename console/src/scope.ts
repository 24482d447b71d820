// Whether a division code lies in a jurisdiction's subtree: the same rule as the server's scope (a code's meaningful
// digits are 2 for a province, 4 a city, 6 a county, 9 a township, 12 a village).
const SEGMENTS = [2, 4, 6, 9, 12];

export function subtreePrefix(code: string): string {
  if (/^0+$/.test(code)) return '';
  for (const length of SEGMENTS) if (/^0*$/.test(code.slice(length))) return code.slice(0, length);
  return code;
}

export function inSubtree(root: string, code: string): boolean {
  return code.startsWith(subtreePrefix(root));
}
