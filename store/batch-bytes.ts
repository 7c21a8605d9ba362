/**
 * One table's pending rows as bytes in one growing native buffer, handed
 * over as one Buffer per batch (what both transports send as is). The
 * encodings (JSON lines in table-buffers.ts, RowBinary in row-binary.ts) build
 * on it.
 *
 * Kept out of the JS heap on purpose: tens of thousands of row strings held
 * until their batch is sent would each survive young-generation collections
 * and be copied into the old generation only to be dropped moments later;
 * here each row dies as soon as it is encoded.
 *
 * A batch's memory is used again once its insert has landed (`recycle`):
 * a fresh multi-megabyte buffer per batch was fresh memory from the system
 * each time (its pages faulted in as the rows were written, unmapped when V8
 * collected it), and one sized after a small batch (sent early under
 * backpressure, or the last) was outgrown and copied on the way back to a
 * full batch's size.
 */
export class BatchBytes {
  protected bytes = Buffer.allocUnsafe(MIN_BYTES);
  /** Over `bytes`, for the fixed-width numbers of RowBinary. */
  protected view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  protected length = 0;
  /** Rows encoded since the last `take()`. */
  rows = 0;
  /** The memory of a batch handed back by `recycle`, for the next `take()`. */
  #spare: Buffer | undefined;

  /**
   * The rows encoded so far, handed over to the caller (the transport passes
   * them on without another copy); the buffer starts over with other memory
   * (a recycled batch's, or fresh), since the batch may still be in flight.
   */
  take(): Buffer {
    const taken = this.bytes.subarray(0, this.length);
    this.use(this.spareFor(this.length + (this.length >> 3)));
    this.length = 0;
    this.rows = 0;
    return taken;
  }

  /**
   * `taken` (what `take()` returned) is read by no one any more — its insert
   * has settled and nothing holds it: its memory may take a later batch. The
   * larger of it and the spare already kept is kept.
   */
  recycle(taken: Buffer): void {
    // take() hands out a view from offset 0 of a buffer of its own (MIN_BYTES is beyond Node's shared pool).
    const whole = Buffer.from(taken.buffer, taken.byteOffset, taken.buffer.byteLength - taken.byteOffset);
    if (whole.buffer === this.bytes.buffer) return; // not handed over (never happens through take())
    if (this.#spare === undefined || whole.length > this.#spare.length) this.#spare = whole;
  }

  /** Memory for a batch of `size` bytes: the recycled batch's if it is large enough, else fresh. */
  protected spareFor(size: number): Buffer {
    const spare = this.#spare;
    this.#spare = undefined;
    return spare !== undefined && spare.length >= size ? spare : Buffer.allocUnsafe(Math.max(MIN_BYTES, size));
  }

  /** Makes room for `extra` more bytes. */
  protected reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    const old = this.bytes;
    this.use(Buffer.allocUnsafe(Math.max(need, old.length * 2)));
    old.copy(this.bytes, 0, 0, this.length);
  }

  private use(bytes: Buffer): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

/** A batch buffer's smallest size: more than Node's shared pool serves, so each one owns its memory (see `recycle`). */
const MIN_BYTES = 1 << 16;
