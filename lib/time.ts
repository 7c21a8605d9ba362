/** Event time is carried internally as epoch milliseconds (UTC). */

// RFC 3339 §5.6: "T" and "Z" may be lower case (Date.parse reads both).
// time-secfrac is "." 1*DIGIT: any number of digits (Date.parse reads them all, keeping ms).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp; returns NaN when it is not one.
 *
 * Runs once or twice per input event (validation, then the envelope's `at`),
 * so it has a fast path and remembers its last answer: the canonical form
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (what the producers write) is read digit by
 * digit, and anything else goes through the general regex + Date.parse. The
 * fast path takes only values where both agree (see `parseCanonical`).
 */
export function parseTimestamp(text: string): number {
  if (text === lastText) return lastValue;
  let value = parseCanonical(text);
  if (value === undefined) value = RFC3339.test(text) && isCalendarDateTime(text) ? parseGeneral(text) : Number.NaN;
  lastText = text;
  lastValue = value;
  return value;
}

let lastText: string | undefined;
let lastValue = Number.NaN;

/** An RFC 3339 text of a calendar day: Date.parse, but for a leap second, which it refuses. */
function parseGeneral(text: string): number {
  return text.charCodeAt(17) === 54 /* 6 */ && text.charCodeAt(18) === 48 /* 0 */ ? leapSecond(text) : Date.parse(text);
}

/**
 * A leap second, `23:59:60` UTC (`05:29:60+05:30` in local time), RFC 3339
 * §5.7: read as 23:59:59.999, the last millisecond before the next day, so it
 * keeps its place after every event of 23:59:59 (epoch time, like POSIX, has
 * no 61st second; its fraction is lost). A leap second is inserted only at
 * the end of a month's last day UTC (ITU-R TF.460); `:60` anywhere else is
 * not a time and stays NaN.
 */
function leapSecond(text: string): number {
  const zone = 19 + text.slice(19).search(/[Zz+-]/); // after the seconds and any fraction (RFC3339 matched)
  const second59 = Date.parse(`${text.slice(0, 17)}59${text.slice(zone)}`);
  if (Number.isNaN(second59)) return Number.NaN;
  const endOfDay = new Date(second59);
  const lastSecondOfMonth = endOfDay.getUTCHours() === 23 && endOfDay.getUTCMinutes() === 59 && new Date(second59 + SECOND).getUTCDate() === 1;
  return lastSecondOfMonth ? second59 + 999 : Number.NaN;
}

/** Two ASCII digits at i as a number, or -1. */
function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` as epoch ms, or undefined when `text` is not in
 * that exact form or lies outside the range where Date.parse is plain
 * calendar arithmetic (years 1970–9999, hours 00–23, seconds 00–59, a day
 * the month has). Everything else takes the general path, so results never differ.
 */
function parseCanonical(text: string): number | undefined {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46) return undefined;
  const century = digits2(text, 0);
  const yy = digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  const msHigh = digits2(text, 20);
  const msLow = text.charCodeAt(22) - 48;
  if (century < 0 || yy < 0 || msHigh < 0 || msLow < 0 || msLow > 9) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const year = century * 100 + yy;
  // YYYYMMDD: no two (month, day) pairs in -1..99 that give a valid day's number share it.
  const dayNumber = year * 10_000 + month * 100 + day;
  if (dayNumber !== lastDay) {
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    lastDayStart = daysFromCivil(year, month, 1) * DAY + (day - 1) * DAY;
    lastDay = dayNumber;
  }
  return lastDayStart + hour * HOUR + minute * MINUTE + second * SECOND + msHigh * 10 + msLow;
}

/**
 * The last day `parseCanonical` read (YYYYMMDD), a valid one, and its start
 * in epoch ms: the events of a stream mostly share their day, whose calendar
 * arithmetic (divisions, the month's length) is then done once.
 */
let lastDay = -1;
let lastDayStart = 0;

/**
 * Whether the `YYYY-MM-DD` an RFC 3339 text starts with is a day of the
 * calendar, and its hour one of the day's. Date.parse rolls a day past the
 * month's end over (Feb 30 → Mar 2) and reads `T24:00:00` as the next day's
 * midnight (ECMAScript's end of day), while RFC 3339 hours run 00–23: such a
 * timestamp is not RFC 3339's (§5.6, §5.7) and is rejected rather than
 * silently moved to another day. Minutes, seconds and offsets out of range
 * Date.parse refuses itself.
 */
function isCalendarDateTime(text: string): boolean {
  if (text.slice(11, 13) === '24') return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), for year ≥ 1970. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Formats epoch ms as RFC 3339 UTC with millisecond precision, like the input. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Start of the epoch-aligned tumbling window of `size` ms holding `at`. */
export function windowStart(at: number, size: number): number {
  return Math.floor(at / size) * size;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

/** Parses durations such as `500ms`, `30s`, `5m`, `1h`, `7d`; returns NaN otherwise. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * UNIT[m[2]!]!;
}

/** `ms` as the shortest exact duration text the configuration parser reads back (365d, 90s, 2147483647ms). */
export function durationText(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
