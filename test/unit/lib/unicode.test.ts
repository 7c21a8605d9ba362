import { describe, expect, it } from 'vitest';
import { isWellFormed, jsonWithoutLoneSurrogates, toWellFormed } from '../../../lib/unicode.js';

describe('lone surrogates', () => {
  it('tells well-formed text from text with a lone surrogate, either half', () => {
    expect(isWellFormed('svc-😀')).toBe(true);
    expect(isWellFormed('svc-\ud800')).toBe(false);
    expect(isWellFormed('\udc00svc')).toBe(false);
    expect(toWellFormed('a\ud800b😀')).toBe('a\ufffdb😀');
  });

  it("replaces JSON.stringify's escapes of lone surrogates, and nothing else", () => {
    const row = { artifact: 'svc-\ud800', instance: '\udfff', pair: '😀', text: 'reads \\ud800 literally', quote: '"\\' };
    const json = jsonWithoutLoneSurrogates(JSON.stringify(row));
    expect(JSON.parse(json)).toEqual({ artifact: 'svc-\ufffd', instance: '\ufffd', pair: '😀', text: 'reads \\ud800 literally', quote: '"\\' });
    expect(isWellFormed(JSON.parse(json).artifact)).toBe(true);
  });

  it('returns text without any escape as it is', () => {
    const json = JSON.stringify({ a: 'plain', b: '\\u0041' });
    expect(jsonWithoutLoneSurrogates(json)).toBe(json);
  });
});
