/**
 * Reads RowBinary rows back (the inverse of store/row-binary.ts, for the
 * types it writes), so tests can assert on the values a writer sent.
 * `structure` is the `name Type, …` list the insert carried.
 */
export function decodeRowBinary(bytes: Buffer, structure: string): Record<string, unknown>[] {
  const columns = [...structure.matchAll(/(\w+) (DateTime64\(3, 'UTC'\)|[\w()]+)/g)].map((m) => ({ name: m[1]!, type: m[2]! }));
  const rows: Record<string, unknown>[] = [];
  let at = 0;
  const int64 = () => {
    const v = Number(bytes.readBigInt64LE(at));
    at += 8;
    return v;
  };
  const read = (type: string): unknown => {
    if (type.startsWith('Nullable(')) return bytes[at++] === 1 ? null : read(type.slice(9, -1));
    switch (type) {
      case 'String': {
        let size = 0;
        for (let shift = 0; ; shift += 7) {
          const b = bytes[at++]!;
          size |= (b & 0x7f) << shift;
          if (b < 128) break;
        }
        const s = bytes.toString('utf8', at, at + size);
        at += size;
        return s;
      }
      case 'UInt8':
        return bytes[at++];
      case 'Int32':
        return (at += 4), bytes.readInt32LE(at - 4);
      case 'Float64':
        return (at += 8), bytes.readDoubleLE(at - 8);
      case 'Int64':
      case "DateTime64(3, 'UTC')":
        return int64();
      case 'UInt64':
        return (at += 8), Number(bytes.readBigUInt64LE(at - 8));
      default:
        throw new Error(`decodeRowBinary: unsupported type ${type}`);
    }
  };
  while (at < bytes.length) {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c.name] = read(c.type);
    rows.push(row);
  }
  return rows;
}
