import { loggablePath, maskPersonalNumbers } from './logging';

describe('what a log keeps of a path', () => {
  it('masks ID numbers (18 characters with X, or the old 15 digits), longer digit runs and mobile numbers', () => {
    expect(loggablePath('/api/persons/42138119900307002X')).toBe('/api/persons/[REDACTED]');
    expect(loggablePath('/api/persons/421381199003070026/x')).toBe('/api/persons/[REDACTED]/x');
    expect(loggablePath('/api/persons/421381900307002')).toBe('/api/persons/[REDACTED]');
    expect(loggablePath('/api/persons/4213811990030700261234')).toBe('/api/persons/[REDACTED]');
    expect(loggablePath('/api/users/13912345678')).toBe('/api/users/[REDACTED]');
    expect(loggablePath('/api/inflows?idNumber=421381199003070026')).toBe('/api/inflows');
  });

  it('keeps place codes, UUIDs and short numbers readable', () => {
    for (const path of [
      '/api/jurisdictions/421381101000',
      '/api/inflows/0c6a3d1e-1234-4abc-9def-421381199003',
      '/api/rates/targets/330802005001',
      '/api/x/12345',
    ]) {
      expect(loggablePath(path)).toBe(path);
    }
    expect(maskPersonalNumbers('yangzhai01')).toBe('yangzhai01');
  });
});
