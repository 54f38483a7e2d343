/**
 * Retained sizes where the summary and the diff show them, and the objects of one constructor with their retainer
 * paths (`leaktop retainers`, `diff --paths`, the TUI's Enter on a diff row).
 *
 * The added fields are additive: a summary row keeps `name, count, selfSize` and gains `retainedSize`; a diff row
 * keeps its fields and gains `retainedA, retainedB, retainedDelta`. They are null when retained sizes were not
 * computed (`--no-retained`). A constructor's retained size is DevTools' (`groupRetainedSizes`): the retained sizes
 * of its objects not dominated by another object of the same constructor.
 *
 * Pure: no fs, no process, no timers.
 */
import { sortedIncludes } from './sort-by-key.js';
import { groupRetainedSizes, type DominatorTree } from './dominators.js';
import type { DiffRow, SnapshotDiff } from './diff-snapshots.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import type { SnapshotIds } from './leak-candidates.js';
import type { SourceLocation } from './heap-snapshot.js';
import { pathGroupJson, type PathGroup, type PathJson, type RetainerPaths } from './retainer-paths.js';
import type { Grouping } from './group-nodes.js';
import type { Summary, SummaryRow } from './summarize.js';

export interface RetainedSummaryRow extends SummaryRow {
  /** Bytes the constructor's objects keep alive; null when not computed. */
  retainedSize: number | null;
}

/** The JSON of `leaktop summary`: the summary with a retained size per row. */
export interface RetainedSummary extends Omit<Summary, 'rows'> {
  rows: RetainedSummaryRow[];
}

export interface RetainedDiffRow extends DiffRow {
  /** Retained sizes of the constructor in A and in B, bytes; null when not computed. */
  retainedA: number | null;
  retainedB: number | null;
  retainedDelta: number | null;
}

/** The JSON of `leaktop diff`, with retained sizes (and, with `--paths`, paths on the top growing rows). */
export interface RetainedDiff extends Omit<SnapshotDiff, 'rows'> {
  rows: Array<RetainedDiffRow & { paths?: PathJson[] }>;
}

/**
 * A constructor as a summary or diff row names it: its name, and its source location when several classes share the
 * name (then each is a row of its own).
 */
export interface ClassRef {
  name: string;
  location?: SourceLocation;
}

const locatedKey = (name: string, location: SourceLocation) => `${location.scriptId}:${location.line}:${location.column}:${name}`;

/** Whether group `g` of the grouping is (part of) the constructor `ref`: same name, and same location if it has one. */
export function groupIsClass(grouping: Grouping, g: number, ref: ClassRef): boolean {
  if (grouping.names[g] !== ref.name) return false;
  if (!ref.location) return true;
  const location = grouping.locations?.[g];
  return location !== null && location !== undefined && location.scriptId === ref.location.scriptId && location.line === ref.location.line && location.column === ref.location.column;
}

/** Retained sizes per constructor: by name (all groups of a name together) and by name and location. */
export class ClassRetainedSizes {
  readonly #byName = new Map<string, number>();
  readonly #byLocation = new Map<string, number>();

  constructor(
    tree: DominatorTree,
    /** The grouping the constructors are of. */
    readonly grouping: Grouping,
  ) {
    // Per display name, one pseudo-group, so that same-named classes that one row shows together are not counted
    // twice when one's object dominates another's; per located group, its own figure.
    const perGroup = groupRetainedSizes(tree, grouping.groupOfNode, grouping.names.length);
    const nameIds = new Map<string, number>();
    const nameOfGroup = Int32Array.from(grouping.names, (name) => {
      let id = nameIds.get(name);
      if (id === undefined) nameIds.set(name, (id = nameIds.size));
      return id;
    });
    let merged: Float64Array | null = null;
    if (nameIds.size < grouping.names.length) {
      const byNameGroup = new Int32Array(grouping.groupOfNode.length);
      for (let n = 0; n < byNameGroup.length; n++) {
        const g = grouping.groupOfNode[n]!;
        byNameGroup[n] = g < 0 ? -1 : nameOfGroup[g]!;
      }
      merged = groupRetainedSizes(tree, byNameGroup, nameIds.size);
    }
    grouping.names.forEach((name, g) => {
      const location = grouping.locations?.[g];
      if (location) this.#byLocation.set(locatedKey(name, location), perGroup[g]!);
      this.#byName.set(name, merged ? merged[nameOfGroup[g]!]! : perGroup[g]!);
    });
  }

  /** The retained size of a row's constructor; 0 when the snapshot has none. */
  get(ref: ClassRef): number {
    if (ref.location) return this.#byLocation.get(locatedKey(ref.name, ref.location)) ?? 0;
    return this.#byName.get(ref.name) ?? 0;
  }
}

/** A snapshot's dominator tree and its constructors' retained sizes: steps 5-6 of analyze.ts (`retainedSizes`). */
export interface RetainedSizes {
  tree: DominatorTree;
  byClass: ClassRetainedSizes;
}

/**
 * The same snapshot's retained sizes for the constructors of another grouping of it (its objects named by another
 * snapshot's shapes, for a comparison: `withShapesOf` in diff-snapshots.ts). The dominator tree stays.
 */
export function retainedSizesFor(sizes: RetainedSizes, grouping: Grouping): RetainedSizes {
  return sizes.byClass.grouping === grouping ? sizes : { tree: sizes.tree, byClass: new ClassRetainedSizes(sizes.tree, grouping) };
}

/** The summary with `retainedSize` on each row (null for all when `sizes` is null). */
export function withRetainedSizes(summary: Summary, sizes: ClassRetainedSizes | null): RetainedSummary {
  return { ...summary, rows: summary.rows.map((row) => ({ ...row, retainedSize: sizes ? sizes.get(row) : null })) };
}

/** The diff with `retainedA`, `retainedB`, `retainedDelta` on each row (null when either side is missing). */
export function withRetainedDiff(diff: SnapshotDiff, a: ClassRetainedSizes | null, b: ClassRetainedSizes | null): RetainedDiff {
  return {
    ...diff,
    rows: diff.rows.map((row) => {
      if (!a || !b) return { ...row, retainedA: null, retainedB: null, retainedDelta: null };
      const retainedA = a.get(row);
      const retainedB = b.get(row);
      return { ...row, retainedA, retainedB, retainedDelta: retainedB - retainedA };
    }),
  };
}

/** One object of a constructor, as `retainers` and the TUI list it. */
export interface ObjectRow {
  /** Node index in the snapshot. */
  node: number;
  /** V8's heap object id (`@id` in DevTools). */
  id: number;
  /** Bytes, folded as in the summary (DevTools' shallow size). */
  selfSize: number;
  /** Bytes it keeps alive; null without a dominator tree. */
  retainedSize: number | null;
  /** Not in the earlier snapshot (only when ids are comparable); null when unknown. */
  isNew: boolean | null;
}

/** The objects of one constructor and why they are alive. */
export interface ClassObjects {
  name: string;
  count: number;
  selfSize: number;
  /** The constructor's retained size; null without a dominator tree. */
  retainedSize: number | null;
  /** Objects not in the earlier snapshot; null when ids are not comparable (or no earlier snapshot). */
  newCount: number | null;
  /** The first `limit` objects: new ones first (when known), then biggest retained (or self) size first. */
  objects: ObjectRow[];
  /** Whether `paths` are over the new objects only (else over all of them). */
  pathsOfNew: boolean;
  /** Retainer paths grouped by shape, biggest group first. */
  paths: PathGroup[];
  /** The objects whose paths were grouped (the first in the order above): all of them unless `maxPathObjects` capped it. */
  pathObjects?: number;
  /** Of how many: the new objects when `pathsOfNew`, else all. */
  pathCandidates?: number;
}

export interface ClassObjectsOptions {
  /** The dominator tree of the snapshot, for retained sizes and the order. */
  tree?: DominatorTree | null;
  /** The earlier snapshot's ids, when ids are comparable: its objects are old, the rest new. */
  earlier?: SnapshotIds | null;
  /** Objects listed (default 10). */
  limit?: number;
  /** Path groups (default 5). */
  pathLimit?: number;
  /**
   * Objects whose paths are grouped, first in the order above (default: all; grouping costs about the distinct nodes
   * on their paths). When it caps them, `pathObjects` says how many of `pathCandidates` were looked at.
   */
  maxPathObjects?: number;
}


/**
 * The objects of the constructor `ref` (the summary's name — plain objects by shape — and location when a row has
 * one; by name alone, every class of that name), new ones first when an earlier snapshot's ids are given, and their
 * grouped retainer paths: over the new objects when there are any, else over all. Null when the snapshot has none.
 */
export function classObjects(snapshot: HeapSnapshot, grouping: Grouping, paths: RetainerPaths, ref: ClassRef | string, options: ClassObjectsOptions = {}): ClassObjects | null {
  const cls = typeof ref === 'string' ? { name: ref } : ref;
  const name = cls.name;
  const inClass = Uint8Array.from(grouping.names, (_, g) => (groupIsClass(grouping, g, cls) ? 1 : 0));
  if (!inClass.includes(1)) return null;
  const tree = options.tree ?? null;
  const earlier = options.earlier?.sortedIds ?? null;
  const members: number[] = [];
  let selfSize = 0;
  for (let n = 0; n < snapshot.nodeCount; n++) {
    const g = grouping.groupOfNode[n]!;
    if (g < 0 || inClass[g] === 0) continue;
    members.push(n);
    selfSize += grouping.selfSizes[n]!;
  }
  if (members.length === 0) return null;
  const fresh = earlier ? new Uint8Array(snapshot.nodeCount) : null;
  let newCount = 0;
  if (fresh && earlier) {
    for (const n of members) {
      if (sortedIncludes(earlier, snapshot.nodeId[n]!)) continue;
      fresh[n] = 1;
      newCount++;
    }
  }
  const size = (n: number) => (tree ? tree.retainedSize[n]! : grouping.selfSizes[n]!);
  members.sort((a, b) => (fresh ? fresh[b]! - fresh[a]! : 0) || size(b) - size(a) || a - b);
  const limit = options.limit ?? 10;
  const objects: ObjectRow[] = members.slice(0, limit).map((n) => ({
    node: n,
    id: snapshot.nodeId[n]!,
    selfSize: grouping.selfSizes[n]!,
    retainedSize: tree ? tree.retainedSize[n]! : null,
    isNew: fresh ? fresh[n] === 1 : null,
  }));
  const pathsOfNew = newCount > 0;
  const pathNodes = pathsOfNew ? members.slice(0, newCount) : members;
  const looked = Math.min(pathNodes.length, options.maxPathObjects ?? Infinity);
  const grouped = paths.group(looked < pathNodes.length ? pathNodes.slice(0, looked) : pathNodes, { limit: options.pathLimit ?? 5 });
  let retainedSize: number | null = null;
  if (tree) {
    const only = new Int32Array(snapshot.nodeCount).fill(-1);
    for (const n of members) only[n] = 0;
    retainedSize = groupRetainedSizes(tree, only, 1)[0]!;
  }
  return { name, count: members.length, selfSize, retainedSize, newCount: earlier ? newCount : null, objects, pathsOfNew, paths: grouped, pathObjects: looked, pathCandidates: pathNodes.length };
}

/** The JSON of `leaktop retainers`. */
export function classObjectsJson(found: ClassObjects): object {
  return {
    name: found.name,
    count: found.count,
    selfSize: found.selfSize,
    retainedSize: found.retainedSize,
    objects: found.objects.map((o) => ({ id: o.id, selfSize: o.selfSize, retainedSize: o.retainedSize })),
    paths: found.paths.map(pathGroupJson),
    // Only when a cap left objects out: the path counts are over this many of them.
    ...(found.pathObjects !== undefined && found.pathCandidates !== undefined && found.pathObjects < found.pathCandidates ? { pathObjects: found.pathObjects } : {}),
  };
}
