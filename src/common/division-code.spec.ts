import { ancestorCandidates, isInSubtree, levelOf, subtreeRange, townshipOf } from './division-code';

describe('division codes', () => {
  it('derives the level from trailing zero groups', () => {
    expect(levelOf('000000000000')).toBe('country');
    expect(levelOf('420000000000')).toBe('province');
    expect(levelOf('421300000000')).toBe('city');
    expect(levelOf('421381000000')).toBe('county');
    expect(levelOf('421381101000')).toBe('township');
    expect(levelOf('421381101201')).toBe('village');
    // 东莞 has no counties: its code is a city's.
    expect(levelOf('441900000000')).toBe('city');
    expect(levelOf('441900003000')).toBe('township');
  });

  it('tests subtree membership by prefix', () => {
    expect(isInSubtree('421381101201', '421381000000')).toBe(true);
    expect(isInSubtree('421381101201', '421381101000')).toBe(true);
    expect(isInSubtree('421381101201', '421381101201')).toBe(true);
    expect(isInSubtree('421382101201', '421381000000')).toBe(false);
    expect(isInSubtree('330802005001', '000000000000')).toBe(true);
    expect(isInSubtree('441900003001', '441900000000')).toBe(true);
    expect(subtreeRange('421381000000')).toEqual(['421381000000', '421381999999']);
    expect(subtreeRange('000000000000')).toEqual(['000000000000', '999999999999']);
  });

  it('lists ancestor candidates nearest first and resolves townships', () => {
    expect(ancestorCandidates('421381101201')).toEqual(['421381101000', '421381000000', '421300000000', '420000000000', '000000000000']);
    expect(ancestorCandidates('441900003000')).toEqual(['441900000000', '440000000000', '000000000000']);
    expect(ancestorCandidates('420000000000')).toEqual(['000000000000']);
    expect(townshipOf('421381101201')).toBe('421381101000');
    expect(townshipOf('421381101000')).toBe('421381101000');
  });
});
