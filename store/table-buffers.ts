/**
 * The store writer's table routing: each fact becomes the rows it stores,
 * each row encoded once into its table's buffer (native memory, see
 * batch-bytes.ts). Raw-history rows (one per event, most of the volume) are
 * RowBinary (event-rows.ts, row-binary.ts), sent with their column list;
 * other rows (RowMapper) are JSON.stringify-ed JSONEachRow objects, UTF-8
 * encoded. When to send a buffer is the writer's decision: it hears of every
 * row added.
 */
import type { DeadLetter, Fact } from '../processors/facts.js';
import { jsonWithoutLoneSurrogates } from '../lib/unicode.js';
import { BatchBytes } from './batch-bytes.js';
import { eventTable, writeEventRow } from './event-rows.js';
import { RowBinaryBuffer } from './row-binary.js';
import { deadLetterRow, metricRow, RowMapper, type Row, type StoreRow } from './row-mappers.js';
import type { StoreTable } from './tables.js';

export type TableBuffer = RowBuffer | RowBinaryBuffer;

/** Told of each row just added to `buffer`. */
export type RowAdded = (table: StoreTable, buffer: TableBuffer) => void;

export class TableBuffers {
  readonly #buffers = new Map<StoreTable, TableBuffer>();
  readonly #mapper: RowMapper;
  readonly #added: RowAdded;

  constructor(instanceId: string | undefined, added: RowAdded) {
    this.#mapper = new RowMapper({ instanceId });
    this.#added = added;
  }

  /** Every table's buffer, in the order of their first rows. */
  get byTable(): ReadonlyMap<StoreTable, TableBuffer> {
    return this.#buffers;
  }

  /**
   * Buffers the rows `fact` stores (kinds that are not stored are ignored).
   * `instanceId`: the engine instance whose share env-level rows are, when
   * not the writer's own.
   */
  write(fact: Fact, instanceId?: string): void {
    // Raw history, one row per event: straight to a RowBinary row (see event-rows.ts).
    if (fact.kind === 'event' || fact.kind === 'late') {
      const table = eventTable(fact.envelope);
      let buffer = this.#buffers.get(table);
      if (buffer === undefined) this.#buffers.set(table, (buffer = new RowBinaryBuffer()));
      writeEventRow(table, fact.envelope, fact.kind === 'late', buffer as RowBinaryBuffer);
      this.#added(table, buffer);
      return;
    }
    this.#mapper.map(fact, this.#push, instanceId); // undefined: the mapper's own instance id (a default parameter)
  }

  /** A row mapped before (RowMapper), as it was: the same line it gave then. */
  writeRow({ table, row }: StoreRow): void {
    this.#push(table, row);
  }

  writeDeadLetter(deadLetter: DeadLetter): void {
    this.#push('dead_letters', deadLetterRow(deadLetter));
  }

  /** One point of the engine's own metrics (`at` in epoch ms). */
  writeMetric(name: string, value: number, labels: Record<string, string>, at: number): void {
    this.#push('engine_metrics', metricRow(name, value, labels, at));
  }

  // An arrow function so the mapper can call it without a bind per fact.
  // Without lone surrogates: one would make ClickHouse refuse the whole batch (lib/unicode.ts).
  #push = (table: StoreTable, row: Row): void => {
    this.#pushLine(table, jsonWithoutLoneSurrogates(JSON.stringify(row)));
  };

  #pushLine(table: StoreTable, line: string): void {
    let buffer = this.#buffers.get(table);
    if (buffer === undefined) this.#buffers.set(table, (buffer = new RowBuffer()));
    (buffer as RowBuffer).push(line);
    this.#added(table, buffer);
  }
}

/** One table's pending JSONEachRow lines (BatchBytes), UTF-8 encoded, joined by newlines. */
class RowBuffer extends BatchBytes {
  push(line: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; plus the newline.
    this.reserve(line.length * 3 + 1);
    if (this.rows > 0) this.bytes[this.length++] = 10; // '\n' between lines, none after the last
    this.length += this.bytes.write(line, this.length, 'utf8');
    this.rows++;
  }
}
