import { closeSync, fsyncSync, openSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

/**
 * The benches' snapshot corpus, written by a child process into its own heap: `units` object graphs (an `Order`
 * with a string id, an items array, a nested plain object and a closure; ~690 bytes of snapshot each on top of the
 * ~4.3 MB of an empty Node 20 heap), then a snapshot to `files[0]`; for each further file, `growth` more units (as
 * a fraction of `units`) and a snapshot to it.
 */
export function writeSnapshotCorpus(units: number, files: readonly string[], growth = 0): void {
  class Order {
    id: string;
    items: number[];
    total: number;
    meta: { source: string; ref: string };
    onDone: () => string;
    constructor(i: number) {
      this.id = `order-${i}`;
      this.items = [i, i + 1];
      this.total = i * 1.5;
      this.meta = { source: 'web', ref: `r${i % 1000}` };
      this.onDone = () => this.id;
    }
  }
  const keep: Order[] = [];
  (globalThis as { keep?: unknown }).keep = keep;
  let made = 0;
  for (const [k, file] of files.entries()) {
    const target = Math.round(units * (1 + k * growth));
    for (; made < target; made++) keep.push(new Order(made));
    writeHeapSnapshot(file);
  }
}

/**
 * Writes `file` back to disk now. The kernel does so some 30 s after a write: on 2 cores that writeback would land
 * in the middle of a bench's measurements and compete with them.
 */
export function flushToDisk(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
