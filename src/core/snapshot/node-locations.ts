import type { HeapSnapshot } from './heap-snapshot.js';
import { sortByKey } from './sort-by-key.js';

/** Where an object's constructor is defined: V8's script id, 0-based line and column. */
export interface SourceLocation {
  scriptId: number;
  line: number;
  column: number;
}

/**
 * Reads `locations` in node order: `locationOf(node)` for increasing nodes (as a loop over all nodes asks) sets
 * `scriptId`/`line`/`column` and returns true when V8 recorded a location for that node. The records are put in
 * node order once first, unless they already are.
 */
export class NodeLocations {
  scriptId = 0;
  line = 0;
  column = 0;
  /** Record numbers in node order; null when the records already are (V8's own output). */
  private readonly order: Uint32Array | null;
  private readonly objectNode: Uint32Array;
  private next = 0;
  private readonly fields: { script: number; line: number; column: number; stride: number };

  constructor(private readonly snapshot: HeapSnapshot) {
    const f = snapshot.locationFields;
    const object = f.indexOf('object_index');
    const stride = f.length;
    this.fields = { script: f.indexOf('script_id'), line: f.indexOf('line'), column: f.indexOf('column'), stride };
    const usable = object >= 0 && this.fields.script >= 0 && this.fields.line >= 0 && this.fields.column >= 0;
    const count = usable ? snapshot.locations.length / stride : 0;
    const nodeStride = snapshot.meta.nodeFields.length;
    this.objectNode = new Uint32Array(count);
    let sorted = true;
    for (let r = 0; r < count; r++) {
      this.objectNode[r] = snapshot.locations[r * stride + object]! / nodeStride;
      if (r > 0 && this.objectNode[r]! < this.objectNode[r - 1]!) sorted = false;
    }
    // V8 writes them roughly but not strictly in node order (seen on Node 20).
    let order: Uint32Array | null = null;
    if (!sorted) {
      order = new Uint32Array(count);
      for (let r = 0; r < count; r++) order[r] = r;
      order = sortByKey(order, this.objectNode);
    }
    this.order = order;
  }

  /** How many objects have a location. */
  get size(): number {
    return this.objectNode.length;
  }

  locationOf(node: number): boolean {
    const { order, objectNode } = this;
    const count = objectNode.length;
    const recordAt = (k: number) => (order ? order[k]! : k);
    while (this.next < count && objectNode[recordAt(this.next)]! < node) this.next++;
    if (this.next >= count) return false;
    const record = recordAt(this.next);
    if (objectNode[record] !== node) return false;
    const base = record * this.fields.stride;
    const locations = this.snapshot.locations;
    this.scriptId = locations[base + this.fields.script]!;
    this.line = locations[base + this.fields.line]!;
    this.column = locations[base + this.fields.column]!;
    return true;
  }
}
