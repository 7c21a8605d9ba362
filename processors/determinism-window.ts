/**
 * One determinism rule's open tumbling window (determinism.ts): the distinct
 * outputs each input produced in it, whether two outputs of one input
 * conflicted, and its plain JSON form for the per-key changelog.
 */

export interface RuleWindow {
  start: number;
  /**
   * [inputDigest, distinct outputDigests] of the hydrations in this window, in
   * first-seen order (an input whose runs all failed has no outputs). A rule sees a few inputs per window, so a scan comparing
   * digests is cheaper than hashing each event's fresh digest strings; past
   * a few inputs `byInput` indexes them, so a scan never grows long.
   */
  outputs: Array<[inputDigest: string, outputDigests: string[]]>;
  byInput?: Map<string, string[]>;
  conflicted: boolean;
}

/** Plain JSON form of a RuleWindow (DeterminismRuleSnapshot.window). */
export interface RuleWindowSnapshot {
  start: number;
  outputs: Array<[inputDigest: string, outputDigests: string[]]>;
  conflicted: boolean;
}

export function snapshotWindow(w: RuleWindow): RuleWindowSnapshot {
  return { start: w.start, outputs: copyOutputs(w.outputs), conflicted: w.conflicted };
}

/** A window as snapshotted (its input index is rebuilt as inputs come). */
export function restoreWindow(w: RuleWindowSnapshot): RuleWindow {
  return { start: w.start, outputs: copyOutputs(w.outputs), conflicted: w.conflicted };
}

function copyOutputs(outputs: RuleWindow['outputs']): RuleWindow['outputs'] {
  return outputs.map(([input, digests]): [string, string[]] => [input, [...digests]]);
}

/** Whether every input the rule ran on in the window produced an output (SPEC §4.5: "every input produced one output"). */
export function everyInputHasAnOutput(win: RuleWindow): boolean {
  for (const [, outputs] of win.outputs) if (outputs.length === 0) return false;
  return true;
}

/** The distinct outputs seen for `input` in the window (created empty on first sight). */
export function outputsOf(win: RuleWindow, input: string): string[] {
  const indexed = win.byInput?.get(input);
  if (indexed) return indexed;
  if (!win.byInput) for (const [seen, outputs] of win.outputs) if (seen === input) return outputs;
  const outputs: string[] = [];
  win.outputs.push([input, outputs]);
  if (win.byInput) win.byInput.set(input, outputs);
  else if (win.outputs.length > 8) win.byInput = new Map(win.outputs);
  return outputs;
}
