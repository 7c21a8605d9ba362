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
 */
export class BatchBytes {
  protected bytes = Buffer.allocUnsafe(1 << 16);
  /** Over `bytes`, for the fixed-width numbers of RowBinary. */
  protected view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  protected length = 0;
  /** Rows encoded since the last `take()`. */
  rows = 0;

  /**
   * The rows encoded so far, handed over to the caller (the transport passes
   * them on without another copy); the buffer starts over with fresh memory,
   * since the batch may still be in flight.
   */
  take(): Buffer {
    const taken = this.bytes.subarray(0, this.length);
    this.allocate(Math.max(1 << 16, this.length + (this.length >> 3)));
    this.length = 0;
    this.rows = 0;
    return taken;
  }

  /** Makes room for `extra` more bytes. */
  protected reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    const old = this.bytes;
    this.allocate(Math.max(need, old.length * 2));
    old.copy(this.bytes, 0, 0, this.length);
  }

  private allocate(size: number): void {
    this.bytes = Buffer.allocUnsafe(size);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }
}
