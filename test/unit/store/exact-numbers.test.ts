import { describe, it, expect } from 'vitest';
import { parseJsonEachRow, quoteInexactNumbers } from '../../../store/exact-numbers.js';

describe('quoteInexactNumbers', () => {
  it('quotes only the literals a double would round, never inside strings', () => {
    expect(quoteInexactNumbers('{"a":9007199254740991,"b":9007199254740993,"c":"12345678901234567890","d":-18446744073709551615}')).toBe(
      '{"a":9007199254740991,"b":"9007199254740993","c":"12345678901234567890","d":"-18446744073709551615"}',
    );
    expect(quoteInexactNumbers('{"x":1.5,"y":1e300,"z":0.1234567890123456789,"w":1.2e400,"s":"a\\"1\\"b"}')).toBe(
      '{"x":1.5,"y":1e300,"z":"0.1234567890123456789","w":"1.2e400","s":"a\\"1\\"b"}',
    );
  });

  it('parses rows either way', () => {
    const text = '{"u":18446744073709551615,"n":3}\n\n{"u":1,"n":4}\n';
    expect(parseJsonEachRow(text, true)).toEqual([{ u: '18446744073709551615', n: 3 }, { u: 1, n: 4 }]);
    expect(parseJsonEachRow(text)).toEqual([{ u: 18446744073709551615, n: 3 }, { u: 1, n: 4 }]);
  });
});
