import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

// A hostile XLSX for the abuse tests (quality.md "Abuse"): a well-formed workbook whose shared strings unpack to
// hundreds of MB from well under 1 MB, written here byte by byte so the sizes its ZIP headers declare can lie.

interface Entry {
  name: string;
  crc: number;
  size: number;
  deflated: Buffer;
}

function entry(name: string, text: string): Entry {
  const data = Buffer.from(text);
  return { name, crc: crc32(data), size: data.length, deflated: deflateRawSync(data) };
}

/** `head`, then `unit` `times` over, then `tail`, deflated as a stream: the unpacked text is never held. */
async function repeated(name: string, head: string, unit: string, times: number, tail: string): Promise<Entry> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((r) => deflate.on('end', r));
  let crc = 0;
  let size = 0;
  const write = async (chunk: Buffer) => {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
  };
  await write(Buffer.from(head));
  // About 1 MB per write.
  const per = Math.max(1, Math.floor(1_048_576 / Buffer.byteLength(unit)));
  const block = Buffer.from(unit.repeat(per));
  for (let done = 0; done < times; done += per) await write(done + per <= times ? block : Buffer.from(unit.repeat(times - done)));
  await write(Buffer.from(tail));
  deflate.end();
  await ended;
  return { name, crc: crc >>> 0, size, deflated: Buffer.concat(out) };
}

/** A ZIP of the entries (deflated, no data descriptors); `declared` overrides the unpacked size its headers state. */
function zip(entries: Entry[], declared: (e: Entry) => number = (e) => e.size): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.deflated.length, 18);
    local.writeUInt32LE(declared(e), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.deflated.length, 20);
    central.writeUInt32LE(declared(e), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + e.deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * An XLSX whose `xl/sharedStrings.xml` holds `strings` strings of 1 000 characters (300 000 → 305 MB unpacked, about
 * 300 KB packed). `honest`: its headers declare the real sizes; otherwise they claim 1 KB for the strings.
 */
export async function sharedStringsBomb(
  strings: number,
  item = `<si><t>${'x'.repeat(1000)}</t></si>`,
): Promise<{ honest: Buffer; lying: Buffer; unpackedBytes: number }> {
  const parts = [
    entry(
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
        `</Types>`,
    ),
    entry(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${RELS}">` +
        `<Relationship Id="rId1" Type="${DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    entry(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${DOC_RELS}">` +
        `<sheets><sheet name="登记" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    entry(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${RELS}">` +
        `<Relationship Id="rId1" Type="${DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    await repeated(
      'xl/sharedStrings.xml',
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="${strings}" uniqueCount="${strings}">`,
      item,
      strings,
      '</sst>',
    ),
    entry(
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>` +
        `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>` +
        `</sheetData></worksheet>`,
    ),
  ];
  const bomb = parts.find((p) => p.name === 'xl/sharedStrings.xml') as Entry;
  return {
    honest: zip(parts),
    lying: zip(parts, (e) => (e === bomb ? 1024 : e.size)),
    unpackedBytes: parts.reduce((sum, p) => sum + p.size, 0),
  };
}
