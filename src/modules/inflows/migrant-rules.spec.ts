import { needsCertificate } from '@/modules/certificates/certificate-rules';
import { isAdultOn, notAMigrantReason } from './migrant-rules';

describe('who is a migrant', () => {
  it('refuses moves inside one county', () => {
    expect(notAMigrantReason('421381101201', '421381001003')).toMatch(/同一县/);
  });

  it('refuses moves between urban districts of one city', () => {
    // 衢州 柯城区 (330802) → 衢江区 (330803)
    expect(notAMigrantReason('330802005001', '330803001001')).toMatch(/市辖区/);
  });

  it('accepts a move from an urban district to a county of the same city, and across cities', () => {
    expect(notAMigrantReason('330802005001', '330822100001')).toBeNull(); // 柯城区 → 常山县
    expect(notAMigrantReason('421381101201', '330802005001')).toBeNull();
  });

  it('counts adults from the 18th birthday and certificates for women 18–49', () => {
    expect(isAdultOn('2008-11-23', '2026-11-22')).toBe(false);
    expect(isAdultOn('2008-11-23', '2026-11-23')).toBe(true);
    expect(needsCertificate('female', '1990-03-07', '2026-11-02')).toBe(true);
    expect(needsCertificate('female', '1976-11-01', '2026-11-02')).toBe(false); // 50
    expect(needsCertificate('male', '1990-03-07', '2026-11-02')).toBe(false);
  });
});
