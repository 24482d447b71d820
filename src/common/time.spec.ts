import { todayInShanghai } from './time';

describe('todayInShanghai', () => {
  it('turns the date at midnight Beijing time (16:00 UTC), whichever instant was asked for before', () => {
    expect(todayInShanghai(new Date('2026-12-01T15:59:59.999Z'))).toBe('2026-12-01');
    expect(todayInShanghai(new Date('2026-12-01T16:00:00.000Z'))).toBe('2026-12-02');
    expect(todayInShanghai(new Date('2026-12-02T15:59:59.999Z'))).toBe('2026-12-02');
    expect(todayInShanghai(new Date('2026-12-01T15:59:59.999Z'))).toBe('2026-12-01');
    expect(todayInShanghai(new Date('2026-12-02T16:00:00.000Z'))).toBe('2026-12-03');
    expect(todayInShanghai(new Date('2024-02-28T16:00:00.000Z'))).toBe('2024-02-29');
  });
});
