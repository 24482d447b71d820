import { runSetup } from '@/cli/setup';
import { testConfig } from './support/env';

describe('npm run setup', () => {
  it('is idempotent: a second run on a set-up database changes nothing', async () => {
    const config = testConfig();
    const result = await runSetup(config);
    expect(result.migrations).toEqual([]);
    expect(result.adminCreated).toBe(false);
    expect(result.jurisdictions).toMatchObject({ inserted: 0, updated: 0 });
    expect(result.jurisdictions.total).toBeGreaterThan(660000);
  });
});
