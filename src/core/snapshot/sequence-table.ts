import { grownTo } from './grow-array.js';

/**
 * Interns sequences of uint32s: equal sequences get one id, ids count up from 0 in the order first seen. A hash
 * table with open addressing over typed arrays, the sequences stored back to back in one pool — so interning
 * millions of short sequences (the property lists of plain objects) allocates nothing per call.
 */
export class SequenceTable {
  /** Slot → id + 1 (0 = empty). */
  private slots: Uint32Array = new Uint32Array(1024);
  private hashes: Uint32Array = new Uint32Array(256);
  private starts: Uint32Array = new Uint32Array(256);
  private lengths: Uint32Array = new Uint32Array(256);
  private pool: Uint32Array = new Uint32Array(4096);
  private poolLength = 0;
  size = 0;

  /** The id of `values[0..length)`, adding the sequence when it is new. */
  intern(values: Uint32Array, length: number): number {
    let hash = 0x811c9dc5 ^ length;
    for (let k = 0; k < length; k++) hash = Math.imul(hash ^ values[k]!, 0x01000193);
    hash >>>= 0;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return this.add(slot, hash, values, length);
      const id = entry - 1;
      if (this.hashes[id] === hash && this.lengths[id] === length && this.equals(id, values, length)) return id;
    }
  }

  /** The sequence with id `id`. */
  get(id: number): number[] {
    const start = this.starts[id]!;
    return Array.from(this.pool.subarray(start, start + this.lengths[id]!));
  }

  private equals(id: number, values: Uint32Array, length: number): boolean {
    const start = this.starts[id]!;
    for (let k = 0; k < length; k++) if (this.pool[start + k] !== values[k]) return false;
    return true;
  }

  private add(slot: number, hash: number, values: Uint32Array, length: number): number {
    const id = this.size++;
    if (id === this.hashes.length) {
      this.hashes = grownTo(this.hashes, id * 2);
      this.starts = grownTo(this.starts, id * 2);
      this.lengths = grownTo(this.lengths, id * 2);
    }
    if (this.poolLength + length > this.pool.length) this.pool = grownTo(this.pool, Math.max(this.pool.length * 2, this.poolLength + length));
    this.pool.set(values.subarray(0, length), this.poolLength);
    this.hashes[id] = hash;
    this.starts[id] = this.poolLength;
    this.lengths[id] = length;
    this.poolLength += length;
    this.slots[slot] = id + 1;
    // Kept at most half full, so probes stay short.
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}
