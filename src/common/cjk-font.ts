import { readFileSync } from 'node:fs';

// Noto Sans SC ships in an npm package, so printing needs no system font. Read once, on the first print: processes
// that never print do not carry it.
let font: Buffer | undefined;

/** The CJK font every PDF the service prints is set in (certificates, registration forms, monthly reports). */
export function cjkFont(): Buffer {
  font ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'));
  return font;
}
