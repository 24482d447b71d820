import { api } from '@/api/client';

// Full place names (湖北省随州市广水市杨寨镇杨榨村) for codes a record holds, fetched once per code per visit.
const cache = new Map<string, Promise<string>>();

/** A place's full name from its path, leaving out 全国 and the placeholder levels 市辖区 and 县. */
export function fullNameFromPath(path: { name: string; level: string }[]): string {
  return path
    .filter((p) => p.level !== 'country' && p.name !== '市辖区' && p.name !== '县')
    .map((p) => p.name)
    .join('');
}

export function fullNameOf(code: string): Promise<string> {
  let name = cache.get(code);
  if (!name) {
    name = api.GET('/api/jurisdictions/{code}', { params: { path: { code } } }).then(({ data }) => (data ? fullNameFromPath(data.path) : code));
    cache.set(code, name);
  }
  return name;
}
