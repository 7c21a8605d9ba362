/**
 * Arguments that start with "-" but cannot be an option: an option's name
 * holds no whitespace, so one with whitespace before any "=" is text — SQL
 * that opens with a `-- comment` (every file of sql/queries/ does), a file
 * named "- draft.ndjson". node's parseArgs (strict) would call it an unknown
 * option, so it is swapped for a placeholder before parsing and put back
 * after. `--data-dir=/my dir` stays an option: its space comes after the "=".
 * So is a negative number (below).
 */
const looksLikeText = (arg: string): boolean => arg.startsWith('-') && (/\s/.test(arg.split('=', 1)[0]!) || isNegativeNumber(arg));

/**
 * No option is a digit, so `-1` is a value: `demo --seed -1` gets the option's own range error, not node's
 * "argument is ambiguous … Did you forget to specify the option argument?" followed by the whole help.
 */
const isNegativeNumber = (arg: string): boolean => /^-\d/.test(arg);

/** A NUL cannot be in a command-line argument, so no real argument is ever taken for a placeholder. */
const placeholder = (i: number): string => `\u0000dw-argument-${i}`;

export function shieldDashedText(args: readonly string[]): { args: string[]; restore: (value: string) => string } {
  const originals = new Map<string, string>();
  const shielded = args.map((arg, i) => {
    if (!looksLikeText(arg)) return arg;
    originals.set(placeholder(i), arg);
    return placeholder(i);
  });
  return { args: shielded, restore: (value) => originals.get(value) ?? value };
}
