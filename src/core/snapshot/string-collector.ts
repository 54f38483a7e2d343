/**
 * The `strings` array as the parser reads it: each literal's bytes back to back, an offset per string, and which
 * strings need full decoding (escapes, non-ASCII) — kept raw and decoded only when read (string-table.ts). The
 * parser's loops find the literals; this keeps them. Grown by half again when full.
 */
import { grownTo } from './grow-array.js';
import { StringTable } from './string-table.js';
import type { SnapshotScanner } from './wasm/snapshot-scanner.js';

/** Strings up to this many bytes are copied in by a loop rather than `Uint8Array#set` (see `append`). */
const SHORT_STRING_BYTES = 64;

export class StringCollector {
  bytes: Uint8Array = new Uint8Array(1 << 20);
  byteCount = 0;
  /** Room for one more than the strings: the end offset. */
  offsets: Uint32Array = new Uint32Array(1 << 16);
  complex: Uint8Array = new Uint8Array(1 << 16);
  count = 0;

  /** Keeps the strings `fast.scanStrings` read (plain ones: their `complex` entries stay 0). */
  appendScanned(fast: SnapshotScanner): void {
    const count = fast.count;
    const length = fast.textLength;
    if (this.byteCount + length > this.bytes.length) this.bytes = grownTo(this.bytes, halfAgain(this.bytes, this.byteCount + length));
    if (this.count + count + 1 >= this.offsets.length) {
      this.offsets = grownTo(this.offsets, halfAgain(this.offsets, this.count + count + 2));
      this.complex = grownTo(this.complex, halfAgain(this.complex, this.count + count + 1));
    }
    this.bytes.set(fast.text.subarray(0, length), this.byteCount);
    this.offsets.set(fast.stringStarts.subarray(0, count), this.count);
    this.count += count;
    this.byteCount += length;
  }

  /** Keeps the bytes from..to of `buf` (a literal's body) as the next string; `complex` as in StringTable. */
  append(buf: Uint8Array, from: number, to: number, complex: number): void {
    const length = to - from;
    if (this.byteCount + length > this.bytes.length) this.bytes = grownTo(this.bytes, halfAgain(this.bytes, this.byteCount + length));
    const bytes = this.bytes;
    // Most strings are short (ids, property names; millions of them on large heaps): a loop is cheaper for those
    // than the view that `set` needs.
    if (length <= SHORT_STRING_BYTES) {
      for (let k = 0, at = this.byteCount; k < length; k++) bytes[at + k] = buf[from + k]!;
    } else bytes.set(buf.subarray(from, to), this.byteCount);
    // offsets has room for one more than the strings (the end offset).
    if (this.count + 1 >= this.offsets.length) {
      this.offsets = grownTo(this.offsets, halfAgain(this.offsets, this.count + 2));
      this.complex = grownTo(this.complex, halfAgain(this.complex, this.count + 1));
    }
    this.offsets[this.count] = this.byteCount;
    this.complex[this.count] = complex;
    this.count++;
    this.byteCount += length;
  }

  /** The strings kept, as a table (views of these arrays, not copies). */
  table(): StringTable {
    const count = this.count;
    this.offsets[count] = this.byteCount;
    return new StringTable(this.bytes.subarray(0, this.byteCount), this.offsets.subarray(0, count + 1), this.complex.subarray(0, count));
  }
}

/** A new length for a growing array: half again its length, or `needed` if that is more. */
function halfAgain(array: { length: number }, needed: number): number {
  return Math.max(needed, Math.floor(array.length * 1.5));
}
