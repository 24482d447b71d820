// The place table kept on the phone (/collect-places.json, cached by the service worker): every province, city and
// county, so 户籍地 can be chosen down to county with no network (field-collection.md).

type Row = [string, string, Row[]?];

export interface County {
  code: string;
  fullName: string;
}

let loaded: Promise<County[]> | undefined;

/** The counties by their full names (安徽省阜阳市太和县), with 12-digit codes; 市辖区 and 县 placeholders left out of names. */
export function counties(): Promise<County[]> {
  loaded ??= fetch('/collect-places.json')
    .then((res) => res.json() as Promise<Row[]>)
    .then((rows) => {
      const out: County[] = [];
      const name = (n: string) => (n === '市辖区' || n === '县' ? '' : n);
      for (const [, province, cities = []] of rows) {
        for (const [, city, areas = []] of cities) {
          for (const [code, area] of areas) out.push({ code: code.padEnd(12, '0'), fullName: `${province}${name(city)}${area}` });
        }
      }
      return out;
    })
    .catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
  return loaded;
}

/** Up to 50 counties matching a name or code, those under `near` (an ID number's first 6 digits) first. */
export function matching(all: County[], text: string, near: string): County[] {
  const q = text.trim();
  if (!q) return near ? all.filter((c) => c.code.startsWith(near)).slice(0, 50) : [];
  const found = all.filter((c) => c.fullName.includes(q) || c.code.startsWith(q));
  return [...found.filter((c) => near && c.code.startsWith(near)), ...found.filter((c) => !near || !c.code.startsWith(near))].slice(0, 50);
}
