import { api } from '@/api/client';
import { reactive } from 'vue';

// Full place names (湖北省随州市广水市杨寨镇杨榨村) for codes a record holds, fetched once per code per visit.
const cache = new Map<string, Promise<string>>();

/** A place's full name from its path, leaving out 全国 and the placeholder levels 市辖区 and 县. */
export function fullNameFromPath(path: { name: string; level: string }[]): string {
  const name = path
    .filter((p) => p.level !== 'country' && p.name !== '市辖区' && p.name !== '县')
    .map((p) => p.name)
    .join('');
  return name || '全国';
}

export function fullNameOf(code: string): Promise<string> {
  if (/^0{12}$/.test(code)) return Promise.resolve('全国');
  let name = cache.get(code);
  if (!name) {
    name = api.GET('/api/jurisdictions/{code}', { params: { path: { code } } }).then(({ data }) => (data ? fullNameFromPath(data.path) : code));
    cache.set(code, name);
  }
  return name;
}

/**
 * Full names for the places of a list or a record: `placeName(code, shortName)` shows the short name until the full
 * one has arrived, then the full one (湖北省随州市广水市杨寨镇, not 杨寨镇, of which there are several).
 */
export function usePlaceNames(): (code: string, shortName?: string) => string {
  const names = reactive(new Map<string, string>());
  return (code, shortName = code) => {
    if (!code) return shortName;
    if (!names.has(code)) {
      names.set(code, shortName);
      void fullNameOf(code).then((name) => names.set(code, name));
    }
    return names.get(code) as string;
  };
}
