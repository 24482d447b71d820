import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from './support/app';

// The console's API client is typed from the service's own OpenAPI document (console.md). This fails when the
// committed types no longer match what the service describes; `npm run api-types` writes them anew.

const TYPES = join(__dirname, '..', 'console', 'src', 'api', 'schema.d.ts');

describe('the console API types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('are current with /api/docs-json', async () => {
    const doc = await t.http().get('/api/docs-json').expect(200);
    const dir = mkdtempSync(join(tmpdir(), 'liudong-openapi-'));
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc.body));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cli = (require('../scripts/common.js') as { binOf(pkg: string, file: string): string }).binOf('openapi-typescript', 'bin/cli.js');
    execFileSync(process.execPath, [cli, join(dir, 'openapi.json'), '-o', join(dir, 'schema.d.ts')], { stdio: 'pipe' });
    const header = '// Generated from /api/docs-json by openapi-typescript (npm run api-types). Do not edit.\n';
    const generated = header + readFileSync(join(dir, 'schema.d.ts'), 'utf8');
    if (process.env.UPDATE_API_TYPES === '1') writeFileSync(TYPES, generated);
    expect(readFileSync(TYPES, 'utf8')).toBe(generated);
    // The client relies on these paths.
    expect(generated).toContain('"/api/auth/login"');
    expect(generated).toContain('"/api/public/certificates/verify/{code}"');
  });
});
