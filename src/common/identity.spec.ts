import { ageOn, birthDateOf, checkCharacter, makeIdNumber, maskIdNumber, sexOf } from './identity';

describe('identity numbers', () => {
  it('derives sex and birth date', () => {
    expect(sexOf('421381199003070026')).toBe('female');
    expect(sexOf('421381198801010015')).toBe('male');
    expect(birthDateOf('421381199003070026')).toBe('1990-03-07');
  });

  it('masks to the first six and last four characters', () => {
    expect(maskIdNumber('421381199003070026')).toBe('421381********0026');
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('computes the ISO 7064 MOD 11-2 check character', () => {
    expect(checkCharacter('42138119900307002')).toBe('6');
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(makeIdNumber('421381', '1990-03-07', 2)).toBe('421381199003070026');
  });

  it('counts whole years of age', () => {
    expect(ageOn('2008-11-23', '2026-11-22')).toBe(17);
    expect(ageOn('2008-11-23', '2026-11-23')).toBe(18);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
});
