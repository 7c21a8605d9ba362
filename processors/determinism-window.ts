/**
 * One hydration rule's open determinism window (determinism.ts): the inputs
 * it ran on and the distinct outputs of each, enough to see a conflict (two
 * outputs of one input) and, at its end, whether every input produced an
 * output.
 *
 * Bounded by MAX_INPUTS_PER_WINDOW inputs and MAX_OUTPUTS_PER_INPUT outputs of
 * one input, so one producer's flood of inputs, or a rule writing a new output
 * on every run, does not grow memory with events. Past the first bound the
 * input first seen the longest ago is forgotten: a conflict between one of its
 * runs and a later run is not seen (runs of one input conflict within seconds
 * in practice: replicas hydrating it together); if it had no output (every run
 * failed), the window remembers that it cannot resolve anything. Past the
 * second, an input's further outputs are not compared (it is already a
 * conflict) nor added to its incident's divergent digests.
 */

/** Distinct inputs one rule's window keeps. */
export const MAX_INPUTS_PER_WINDOW = 4096;
/** Distinct outputs one input keeps in a window (two already make a conflict). */
export const MAX_OUTPUTS_PER_INPUT = 16;
/** Past this many inputs a window indexes them (a scan comparing a few digests is cheaper than hashing each event's fresh strings). */
const SCAN_MAX = 8;

export interface RuleWindow {
  start: number;
  /** [inputDigest, distinct outputDigests] in first-seen order while the window has at most SCAN_MAX inputs (an input whose runs all failed has no outputs); empty once `byInput` holds them. */
  outputs: Array<[inputDigest: string, outputDigests: string[]]>;
  /** The inputs past SCAN_MAX, in first-seen order (Map order). */
  byInput?: Map<string, string[]>;
  conflicted: boolean;
  /** An input forgotten past MAX_INPUTS_PER_WINDOW had no output: the window proves nothing consistent. */
  outputlessForgotten?: boolean;
}

/** Plain JSON form (the per-key changelog); `outputlessForgotten` is written only when true (records of the previous release lack it). */
export interface RuleWindowSnapshot {
  start: number;
  outputs: Array<[inputDigest: string, outputDigests: string[]]>;
  conflicted: boolean;
  outputlessForgotten?: boolean;
}

export function newWindow(start: number): RuleWindow {
  return { start, outputs: [], conflicted: false };
}

/** The inputs of the window with their outputs, in first-seen order. */
function inputsOf(win: RuleWindow): Iterable<[string, string[]]> {
  return win.byInput ?? win.outputs;
}

/** Whether every input the rule ran on in the window produced an output (SPEC §4.5: "every input produced one output"). */
export function everyInputHasAnOutput(win: RuleWindow): boolean {
  if (win.outputlessForgotten) return false;
  for (const [, outputs] of inputsOf(win)) if (outputs.length === 0) return false;
  return true;
}

/** The distinct outputs seen for `input` in the window (created empty on first sight, forgetting the oldest input past the bound). */
export function outputsOf(win: RuleWindow, input: string): string[] {
  const byInput = win.byInput;
  if (byInput !== undefined) {
    const indexed = byInput.get(input);
    if (indexed) return indexed;
    const outputs: string[] = [];
    byInput.set(input, outputs);
    if (byInput.size > MAX_INPUTS_PER_WINDOW) forgetOldest(win, byInput);
    return outputs;
  }
  for (const [seen, outputs] of win.outputs) if (seen === input) return outputs;
  const outputs: string[] = [];
  win.outputs.push([input, outputs]);
  if (win.outputs.length > SCAN_MAX) index(win);
  return outputs;
}

/** Adds a distinct output of an input, unless it already has MAX_OUTPUTS_PER_INPUT; whether it was added. */
export function addOutput(outputs: string[], output: string): boolean {
  if (outputs.length >= MAX_OUTPUTS_PER_INPUT) return false;
  outputs.push(output);
  return true;
}

export function windowSnapshot(win: RuleWindow): RuleWindowSnapshot {
  const outputs = [...inputsOf(win)].map(([input, outs]): [string, string[]] => [input, [...outs]]);
  return win.outputlessForgotten ? { start: win.start, outputs, conflicted: win.conflicted, outputlessForgotten: true } : { start: win.start, outputs, conflicted: win.conflicted };
}

/** A window from its record; one of the previous release may hold more inputs than the bound: the oldest go as they would have. */
export function windowFromSnapshot(state: RuleWindowSnapshot): RuleWindow {
  const win: RuleWindow = { start: state.start, outputs: state.outputs.map(([input, outs]): [string, string[]] => [input, [...outs]]), conflicted: state.conflicted };
  if (state.outputlessForgotten) win.outputlessForgotten = true;
  if (win.outputs.length > SCAN_MAX) index(win);
  const byInput = win.byInput;
  while (byInput !== undefined && byInput.size > MAX_INPUTS_PER_WINDOW) forgetOldest(win, byInput);
  return win;
}

function index(win: RuleWindow): void {
  win.byInput = new Map(win.outputs);
  win.outputs = [];
}

function forgetOldest(win: RuleWindow, byInput: Map<string, string[]>): void {
  for (const [input, outputs] of byInput) {
    if (outputs.length === 0) win.outputlessForgotten = true;
    byInput.delete(input);
    return;
  }
}
