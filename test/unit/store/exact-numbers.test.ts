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

  it('leaves a Float64 as a number whatever its digits: every row of a column the same JSON type', () => {
    // ClickHouse prints a Float64 with the fewest digits that read back as it: 16 or 17 of them for a ratio such as 10/13.
    expect(quoteInexactNumbers('{"a":0.7692307692307693,"b":0.85,"c":-7.692307692307692e-8,"d":0.1,"e":1.50,"f":-0.0}')).toBe(
      '{"a":0.7692307692307693,"b":0.85,"c":-7.692307692307692e-8,"d":0.1,"e":1.50,"f":-0.0}',
    );
    // A Decimal a double cannot hold: the nearest double reads back as another value.
    expect(quoteInexactNumbers('{"x":0.10000000000000001,"y":123456789.123456789}')).toBe('{"x":"0.10000000000000001","y":"123456789.123456789"}');
  });

  it('parses rows either way', () => {
    const text = '{"u":18446744073709551615,"n":3}\n\n{"u":1,"n":4}\n';
    expect(parseJsonEachRow(text, true)).toEqual([{ u: '18446744073709551615', n: 3 }, { u: 1, n: 4 }]);
    expect(parseJsonEachRow(text)).toEqual([{ u: 18446744073709551615, n: 3 }, { u: 1, n: 4 }]);
  });
});
