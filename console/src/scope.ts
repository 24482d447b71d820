import { isInSubtree, subtreePrefix } from '@server/division-code';

// Whether a division code lies in a jurisdiction's subtree: the server's own rule (src/common/division-code.ts), so
// the console offers exactly what the API will accept.
export { subtreePrefix };

export function inSubtree(root: string, code: string): boolean {
  return isInSubtree(code, root);
}
