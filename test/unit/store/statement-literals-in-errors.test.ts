/**
 * A server's error message may echo the failed statement (ClickHouse's syntax
 * errors quote it from the failure position, up to 160 characters), and with
 * it a password from `IDENTIFIED BY '…'`: maskLiteralsIn masks every string
 * literal of the statement in the message, and one the server cut off. The
 * messages are real: ClickHouse 18.16.1 (the shared test server) and chDB.
 */
import { describe, expect, it } from 'vitest';
import { maskLiteralsIn } from '../../../store/statement-label.js';

describe('maskLiteralsIn', () => {
  it('masks a literal the server echoes in its syntax error (18.16)', () => {
    const sql = "CREATE USER bob IDENTIFIED BY 'hunter2-secret-pw'";
    const message =
      "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 8: USER bob IDENTIFIED BY 'hunter2-secret-pw'. Expected one of: VIEW, MATERIALIZED, DATABASE, TEMPORARY, TABLE, e.what() = DB::Exception";
    expect(maskLiteralsIn(message, sql)).toBe(
      "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 8: USER bob IDENTIFIED BY '…'. Expected one of: VIEW, MATERIALIZED, DATABASE, TEMPORARY, TABLE, e.what() = DB::Exception",
    );
  });

  it('masks a literal with escaped quotes as the statement writes it (18.16)', () => {
    const sql = "ALTER USER bob IDENTIFIED BY 'it''s-a-\\'secret\\''";
    const message = "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 7: USER bob IDENTIFIED BY 'it''s-a-\\'secret\\''. Expected TABLE, e.what() = DB::Exception";
    expect(maskLiteralsIn(message, sql)).toBe("Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 7: USER bob IDENTIFIED BY '…'. Expected TABLE, e.what() = DB::Exception");
  });

  it('masks what is left of a literal the server cut off at 160 characters (18.16)', () => {
    const password = 'correct-horse-battery-staple-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const sql = `CREATE USER alice IDENTIFIED WITH plaintext_password BY '${password}'`;
    const message =
      "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 8: USER alice IDENTIFIED WITH plaintext_password BY 'correct-horse-battery-staple-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-abcde. Expected one of: VIEW, MATERIALIZED, DATABASE, TEMPORARY, TABLE, e.what() = DB::Exception";
    const masked = maskLiteralsIn(message, sql);
    expect(masked).toBe(
      "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 8: USER alice IDENTIFIED WITH plaintext_password BY '…. Expected one of: VIEW, MATERIALIZED, DATABASE, TEMPORARY, TABLE, e.what() = DB::Exception",
    );
  });

  it('masks every literal of the statement wherever the message quotes it (chDB)', () => {
    const sql = "SELECT toUInt8('TopS3cretPw')";
    const message =
      "Code: 6. DB::Exception: Cannot parse string 'TopS3cretPw' as UInt8: syntax error at begin of string. Note: there are toUInt8OrZero and toUInt8OrNull functions, which returns zero/NULL instead of throwing exception: In scope SELECT toUInt8('TopS3cretPw'). (CANNOT_PARSE_TEXT)";
    expect(maskLiteralsIn(message, sql)).not.toContain('TopS3cretPw');
  });

  it('leaves a message alone that only happens to begin a quote like a short literal', () => {
    const sql = "SELECT * FROM driftwatch.incidents WHERE env = 'prod'";
    const message = "Code: 47, e.displayText() = DB::Exception: Unknown identifier: 'pr_x', e.what() = DB::Exception";
    expect(maskLiteralsIn(message, sql)).toBe(message);
    // Identifiers and comments are no secrets: a table named in the message stays named.
    expect(maskLiteralsIn('Table driftwatch.nosuch does not exist', 'SELECT 1 FROM driftwatch.nosuch -- a comment')).toBe('Table driftwatch.nosuch does not exist');
  });
});
