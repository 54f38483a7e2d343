import type { HeapSnapshot } from './heap-snapshot.js';
import type { SourceLocation } from './heap-snapshot.js';
import { sortByKey } from './sort-by-key.js';
import { groupNodes, groupNodesWithShapes, sharedNames, type Grouping } from './group-nodes.js';
import type { ShapeDefinition } from './object-shapes.js';

/** One constructor in a comparison of snapshot A (before) with B (after). */
export interface DiffRow {
  name: string;
  /** As in a summary row: present when several classes share the name. */
  location?: SourceLocation;
  countA: number;
  countB: number;
  countDelta: number;
  /** Self sizes, bytes. */
  sizeA: number;
  sizeB: number;
  sizeDelta: number;
  /** Objects in B whose id is not in A; null when ids are not comparable. */
  new: number | null;
  /** Objects in A whose id is not in B. */
  deleted: number | null;
  /** Self size of the new objects, bytes. */
  allocSize: number | null;
  /** Self size of the deleted objects, bytes. */
  freedSize: number | null;
}

/** The JSON of `leaktop diff`. */
export interface SnapshotDiff {
  /** Whether A and B came from one inspector session, so object ids match objects (see `diffSnapshots`). */
  idsComparable: boolean;
  rows: DiffRow[];
}

export type DiffSort = 'size' | 'count' | 'new';

/** The counted nodes of a snapshot in id order (`order`: node indices), with the snapshot's ids. */
export interface IdOrder {
  ids: Uint32Array;
  order: Uint32Array;
}

/**
 * One side of a comparison with the work a diff needs done ahead: its grouping and, for id matching, its nodes sorted
 * by id (`SnapshotAnalysis.diffInput`). `diff --pid` prepares the first snapshot while it waits, so only the second
 * is left once its last chunk is in.
 */
export interface DiffInput {
  snapshot: HeapSnapshot;
  grouping: Grouping;
  byId: IdOrder | null;
}

/** A diff input from a snapshot not grouped yet (tests, benches): groups it here. */
export function toDiffInput(snapshot: HeapSnapshot, withIds = true): DiffInput {
  const grouping = groupNodes(snapshot);
  return { snapshot, grouping, byId: withIds ? byId(snapshot, grouping) : null };
}

/**
 * `a` ready to be compared with `b` the way DevTools' Comparison compares them: A's plain objects named by B's
 * shapes (`HeapSnapshot.aggregatesForDiff`), so that a shape that became popular only in B (the usual sign of plain
 * objects piling up) counts A's few objects of that shape too, instead of leaving them under `Object`. `a` itself
 * when it already has B's shapes. Its objects keep their ids, so `byId` carries over.
 */
export function withShapesOf(a: DiffInput, b: DiffInput): DiffInput {
  if (sameShapes(a.grouping.shapes, b.grouping.shapes)) return a;
  return { snapshot: a.snapshot, grouping: groupNodesWithShapes(a.snapshot, a.grouping, b.grouping.shapes), byId: a.byId };
}

function sameShapes(x: readonly ShapeDefinition[], y: readonly ShapeDefinition[]): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  return x.every((shape, i) => shape.name === y[i]!.name && shape.properties.length === y[i]!.properties.length && shape.properties.every((p, k) => p === y[i]!.properties[k]));
}

function isDiffInput(value: HeapSnapshot | DiffInput): value is DiffInput {
  return 'grouping' in value;
}

interface Totals {
  count: Float64Array;
  size: Float64Array;
  fresh: Float64Array;
  freshSize: Float64Array;
}

/**
 * Compares two snapshots per constructor, like the Comparison view of DevTools' Memory panel (A's plain objects
 * named by B's shapes, see `withShapesOf`; callers that show A's retained sizes beside the rows take them for
 * `withShapesOf(a, b).grouping`). With
 * `idsComparable`, objects are matched by heap object id: V8 keeps ids stable only within one profiler session, so
 * across sessions the same id can name an unrelated object (24,949 of 25,000 "matched" in a test) — then only the
 * counts and sizes are compared, and `new`/`deleted` are null.
 */
export function diffSnapshots(
  a: HeapSnapshot | DiffInput,
  b: HeapSnapshot | DiffInput,
  options: { idsComparable: boolean; sort?: DiffSort },
): SnapshotDiff {
  const pb = isDiffInput(b) ? b : toDiffInput(b, options.idsComparable);
  const pa = withShapesOf(isDiffInput(a) ? a : toDiffInput(a, options.idsComparable), pb);
  const groupsA = pa.grouping;
  const groupsB = pb.grouping;
  // Groups are matched by key (name, and source location where there is one), as DevTools' Comparison does.
  const keys = [...new Set([...groupsA.keys, ...groupsB.keys])];
  const index = new Map(keys.map((key, i) => [key, i]));
  const names: string[] = new Array<string>(keys.length);
  const locations: Array<SourceLocation | null> = new Array<SourceLocation | null>(keys.length).fill(null);
  for (const groups of [groupsA, groupsB]) {
    groups.keys.forEach((key, g) => {
      const shared = index.get(key)!;
      names[shared] = groups.names[g]!;
      locations[shared] = groups.locations[g] ?? null;
    });
  }
  const totalsA = tally(pa.snapshot, groupsA, index, keys.length);
  const totalsB = tally(pb.snapshot, groupsB, index, keys.length);
  const ambiguous = sharedNames(names, (k) => totalsA.count[k]! > 0 || totalsB.count[k]! > 0);
  if (options.idsComparable) matchIds(pa, totalsA, pb, totalsB, index);
  const rows: DiffRow[] = [];
  for (let i = 0; i < keys.length; i++) {
    const countA = totalsA.count[i]!;
    const countB = totalsB.count[i]!;
    const sizeA = totalsA.size[i]!;
    const sizeB = totalsB.size[i]!;
    const location = locations[i];
    const row: DiffRow = {
      name: names[i]!,
      ...(location && ambiguous.has(names[i]!) ? { location } : {}),
      countA,
      countB,
      countDelta: countB - countA,
      sizeA,
      sizeB,
      sizeDelta: sizeB - sizeA,
      new: options.idsComparable ? totalsB.fresh[i]! : null,
      deleted: options.idsComparable ? totalsA.fresh[i]! : null,
      allocSize: options.idsComparable ? totalsB.freshSize[i]! : null,
      freedSize: options.idsComparable ? totalsA.freshSize[i]! : null,
    };
    if (row.countDelta !== 0 || row.sizeDelta !== 0 || row.new || row.deleted) rows.push(row);
  }
  sortDiffRows(rows, options.sort ?? 'size');
  return { idsComparable: options.idsComparable, rows };
}

export function sortDiffRows(rows: DiffRow[], sort: DiffSort): void {
  const key = (r: DiffRow) => (sort === 'count' ? r.countDelta : sort === 'new' ? (r.new ?? r.countDelta) : r.sizeDelta);
  rows.sort((x, y) => key(y) - key(x) || y.sizeDelta - x.sizeDelta || x.name.localeCompare(y.name));
}

function tally(snapshot: HeapSnapshot, grouping: Grouping, index: Map<string, number>, groups: number): Totals {
  const totals: Totals = { count: new Float64Array(groups), size: new Float64Array(groups), fresh: new Float64Array(groups), freshSize: new Float64Array(groups) };
  const toShared = grouping.keys.map((key) => index.get(key)!);
  for (let i = 0; i < snapshot.nodeCount; i++) {
    const group = grouping.groupOfNode[i]!;
    if (group < 0) continue;
    const shared = toShared[group]!;
    totals.count[shared]! += 1;
    totals.size[shared]! += grouping.selfSizes[i]!;
  }
  return totals;
}

/** The counted nodes in id order, for matching objects by id. */
export function byId(snapshot: HeapSnapshot, grouping: Grouping): IdOrder {
  const ids = snapshot.nodeId;
  let kept = 0;
  for (let i = 0; i < snapshot.nodeCount; i++) {
    if (grouping.groupOfNode[i]! >= 0) kept++;
  }
  const order = new Uint32Array(kept);
  for (let i = 0, k = 0; i < snapshot.nodeCount; i++) if (grouping.groupOfNode[i]! >= 0) order[k++] = i;
  return { ids, order: sortByKey(order, ids) };
}

/** Walks both id-sorted lists once: ids only in B are new (counted in B's group), only in A deleted (in A's). */
function matchIds(a: DiffInput, totalsA: Totals, b: DiffInput, totalsB: Totals, index: Map<string, number>): void {
  const groupsA = a.grouping;
  const groupsB = b.grouping;
  const sa = a.byId ?? byId(a.snapshot, groupsA);
  const sb = b.byId ?? byId(b.snapshot, groupsB);
  const sharedA = groupsA.keys.map((key) => index.get(key)!);
  const sharedB = groupsB.keys.map((key) => index.get(key)!);
  const onlyA = (node: number) => {
    const g = sharedA[groupsA.groupOfNode[node]!]!;
    totalsA.fresh[g]! += 1;
    totalsA.freshSize[g]! += groupsA.selfSizes[node]!;
  };
  const onlyB = (node: number) => {
    const g = sharedB[groupsB.groupOfNode[node]!]!;
    totalsB.fresh[g]! += 1;
    totalsB.freshSize[g]! += groupsB.selfSizes[node]!;
  };
  let i = 0;
  let j = 0;
  while (i < sa.order.length && j < sb.order.length) {
    const na = sa.order[i]!;
    const nb = sb.order[j]!;
    const ida = sa.ids[na]!;
    const idb = sb.ids[nb]!;
    if (ida === idb) {
      i++;
      j++;
    } else if (ida < idb) {
      onlyA(na);
      i++;
    } else {
      onlyB(nb);
      j++;
    }
  }
  for (; i < sa.order.length; i++) onlyA(sa.order[i]!);
  for (; j < sb.order.length; j++) onlyB(sb.order[j]!);
}
