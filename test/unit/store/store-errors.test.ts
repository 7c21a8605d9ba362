import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../lib/errors.js';
import { clickhouseCodeInText, clickhouseCodeOf, isStatementError, isTransientStoreFailure } from '../../../store/store-errors.js';
import { responseError } from '../../../store/server-errors.js';

/** The same failure as ClickHouse 18.16 (Debian) and a current server print it. */
const OLD = 'Code: 516, e.displayText() = DB::Exception: driftwatch: Authentication failed, e.what() = DB::Exception';
const NEW = 'Code: 516. DB::Exception: driftwatch: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED) (version 24.8.4.13)';
const OLD_READONLY = 'Code: 164, e.displayText() = DB::Exception: Cannot insert into table in readonly mode, e.what() = DB::Exception';

describe('ClickHouse error codes in exception texts', () => {
  it('reads "Code: N," (18.16) and "Code: N." (current servers)', () => {
    expect(clickhouseCodeInText(OLD)).toBe(516);
    expect(clickhouseCodeInText(NEW)).toBe(516);
    expect(clickhouseCodeInText(`insert into driftwatch.alerts failed (HTTP 500): ${OLD_READONLY}`)).toBe(164);
  });

  it('takes no other number for a code', () => {
    expect(clickhouseCodeInText('<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(clickhouseCodeInText('Promo Code: 42x')).toBeUndefined();
    expect(clickhouseCodeInText('Code: none')).toBeUndefined();
  });

  it('clickhouseCodeOf finds the code in the message of an error in either format, or in its properties', () => {
    expect(clickhouseCodeOf(new Error(OLD))).toBe(516);
    expect(clickhouseCodeOf(new Error(NEW))).toBe(516);
    // What the server transport throws: a StoreError whose own code is driftwatch's, the server's text in its message.
    const err = responseError(500, OLD_READONLY, { url: 'http://ch:8123', user: 'u', what: 'query' });
    expect(err).toBeInstanceOf(StoreError);
    expect(clickhouseCodeOf(err)).toBe(164);
    expect(clickhouseCodeOf(Object.assign(new Error('no code in here'), { code: '241' }))).toBe(241);
    expect(clickhouseCodeOf(new Error('nothing'))).toBeUndefined();
    expect(clickhouseCodeOf('Code: 1.')).toBeUndefined(); // not an error object
  });

  it('an 18.16 error of a passing condition is retryable, as a current one is', () => {
    expect(isTransientStoreFailure(new Error('Code: 241, e.displayText() = DB::Exception: Memory limit exceeded, e.what() = DB::Exception'))).toBe(true);
    expect(isTransientStoreFailure(new Error('Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)'))).toBe(true);
    expect(isTransientStoreFailure(new Error('Code: 62, e.displayText() = DB::Exception: Syntax error, e.what() = DB::Exception'))).toBe(false);
  });
});

describe('a statement the store refuses as wrong in itself (query exits 2 for it)', () => {
  it('is told by its ClickHouse code, in either server format; a store failure or an uncoded error is not', () => {
    expect(isStatementError(new StoreError('embedded store: SELEC 1: Code: 62. DB::Exception: Syntax error (SYNTAX_ERROR)'))).toBe(true);
    expect(isStatementError(new Error('Code: 60, e.displayText() = DB::Exception: Table driftwatch.x doesn\'t exist., e.what() = DB::Exception'))).toBe(true);
    expect(isStatementError(new Error('Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)'))).toBe(false);
    expect(isStatementError(new Error(NEW))).toBe(false); // a refused login
    expect(isStatementError(new Error('socket hang up'))).toBe(false);
  });
});
