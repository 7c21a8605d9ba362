import { join } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../../lib/errors.js';
import { loadRuntime } from '../runtime.js';

export const replayCommand: Command = {
  path: ['replay'],
  args: '<events.ndjson | ->',
  summary: 'offline event-time run over an NDJSON file of input events',
  description:
    'Writes <out>/alerts.ndjson, <out>/incidents.ndjson (final state of every incident), <out>/dlq.ndjson\n' +
    '(line number + reason for every rejected line) and the embedded store <out>/store. Events may be in any\n' +
    'order (within the allowed lateness) and of mixed types. A line that is not valid UTF-8, or longer than 1 MiB\n' +
    '(then only its start goes to dlq.ndjson), is rejected. `-` reads the events from standard input.\n' +
    'An --out whose store holds an earlier run\'s rows is refused (they would mix with this input\'s): use a fresh one,\n' +
    'or --force to replace it. Exit 0 when the input was read, even with rejected lines.',
  options: {
    out: { type: 'string', short: 'o', doc: 'output directory (required)', valueName: '<dir>' },
    alerts: { type: 'string', doc: 'alerts.yaml to use (default: DRIFTWATCH_ALERTS_FILE, else built-in rules)', valueName: '<file>' },
    'no-store': { type: 'boolean', doc: 'skip writing the embedded store', default: false },
    sort: {
      type: 'boolean',
      doc: 'order the file by event time first (for files not in arrival order; holds the file in memory)',
      default: false,
    },
    force: {
      type: 'boolean',
      doc: 'replace what an earlier replay left in --out (its store and .ndjson files); without it such an --out is refused',
      default: false,
    },
  },
  async run(args, ctx) {
    const [input, ...extra] = args.positionals;
    if (!input) throw new UsageError('missing <events.ndjson>: driftwatch replay <events.ndjson> --out <dir>');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const out = args.values.out as string | undefined;
    if (!out) throw new UsageError('--out <dir> is required: where alerts.ndjson, incidents.ndjson, dlq.ndjson and the store go');
    const rt = loadRuntime(ctx, { alertsFile: args.values.alerts as string | undefined });
    // Loaded here, not with the CLI: the engine is most of what a process loads, and other commands do not need it.
    const replay = await import('../../engine/replay.js');
    // Ctrl-C / SIGTERM: by default the process would end without a word, its unfinished outputs left behind.
    const noStore = Boolean(args.values['no-store']);
    const onSignal = (signal: NodeJS.Signals) => {
      replay.removePartialOutputs(out);
      // join, not `${out}/…` (the README's `--out out/`); without a store there is none to speak of, nor to --force away.
      const left = noStore
        ? `; replay again to redo the run from the start`
        : `, while ${join(out, 'store')} keeps the rows stored so far: replay again with --force to redo the run from the start`;
      ctx.stderr.write(
        `driftwatch replay: interrupted (${signal}); nothing written to ${join(out, '*.ndjson')} (they are written when a replay completes)${left}\n`,
      );
      // Ended by the signal itself (exit status 128 + its number), as without a handler: process.exit would wait for
      // a thread blocked reading the input (a FIFO, or stdin with its writer still open), which can be for ever.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.kill(process.pid, signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const summary = await replay.replayFile({
      input,
      stdin: ctx.stdin,
      outDir: out,
      processing: rt.config.processing,
      alerts: rt.alerts,
      logger: rt.logger,
      store: !noStore,
      sort: Boolean(args.values.sort),
      replace: Boolean(args.values.force),
      storeBatchRows: Math.max(rt.config.store.batchRows, 20_000),
    }).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    // join, not `${out}/…`: the README's `--out out/` would read `out//alerts.ndjson`.
    const written = ['alerts.ndjson', 'incidents.ndjson', 'dlq.ndjson', ...(noStore ? [] : ['store'])];
    const sev = Object.entries(summary.alertsBySeverity).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    // Which kinds of rejection, not only how many: a file of events all dated ahead of the clock reads "500 rejected
    // (future_time 500)" rather than a bare count.
    const byCategory = Object.entries(summary.deadLettersByCategory).map(([k, v]) => `${k} ${v}`).join(', ');
    ctx.stdout.write(
      `replayed ${count(summary.records, 'record')} from ${input === replay.STDIN ? 'standard input' : input}: ${count(summary.events, 'event')}, ${count(summary.duplicates, 'duplicate')}, ` +
        `${summary.late} late, ${summary.deadLetters} rejected${byCategory ? ` (${byCategory})` : ''}\n` +
        `incidents: ${summary.incidents} (${summary.openIncidents} still open); alerts: ${summary.alerts} (${sev})\n` +
        `wrote ${written.map((name) => join(out, name)).join(', ')}\n`,
    );
    if (summary.late > 0 && !args.values.sort) {
      ctx.stderr.write(
        `note: ${summary.late} ${summary.late === 1 ? 'event came' : 'events came'} later than the allowed lateness (DRIFTWATCH_ALLOWED_LATENESS): stored as late, and judged only from the ` +
          `moment ${summary.late === 1 ? 'it arrived, never in the past it describes' : 'they arrived, never in the past they describe'} (a closed window stays closed); ` +
          'if the file is not in arrival order, replay it with --sort\n',
      );
    }
    const future = summary.deadLettersByCategory.future_time ?? 0;
    if (future > 0) {
      ctx.stderr.write(
        `note: ${future} ${future === 1 ? 'event was' : 'events were'} dated further ahead of this machine's clock than DRIFTWATCH_MAX_FUTURE_SKEW allows ` +
          `and ${future === 1 ? 'was' : 'were'} rejected ` +
          `(future_time, in ${join(out, 'dlq.ndjson')}); for data dated ahead on purpose (synthetic test data), replay with DRIFTWATCH_MAX_FUTURE_SKEW=off\n`,
      );
    }
    // A closed or empty standard input (`replay - <&-`), or an empty file, is more likely a mistake than a run.
    if (summary.lines === 0) ctx.stderr.write(`note: ${input === replay.STDIN ? 'standard input' : input} held no lines: nothing was replayed\n`);
    return 0;
  },
};

/** `1 record`, `0 records`: the closing summary counts one in the singular, as its notes do. */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
