/**
 * The snapshot pipeline, in the order its steps run — as memlab's `_buildMetaData` runs its passes, each step a
 * named function that takes what the step before it made:
 *
 *   1. parse      bytes → `HeapSnapshot`            SnapshotParser (parse-snapshot.ts); streaming, so the caller
 *                                                   runs it: readSnapshotFile / analyzeSnapshotFile (src/cli), the
 *                                                   analysis worker's chunks (src/analysis)
 *   2. fold       → `NodeSizes`                     foldOwnedSizes (fold-owned-sizes.ts): backing stores into
 *                                                   their owners, in place
 *   3. name       → `NodeNames`                     nameNodes (group-nodes.ts): class, shape, `Detached …`, type
 *   4. group      sizes + names → `Grouping`        groupNodes (group-nodes.ts); then the locations are released
 *   5. dominate   grouping's sizes → `DominatorTree` computeDominators (dominators.ts)          } on first ask:
 *   6. retain     tree + grouping → `ClassRetainedSizes` (retained.ts)                         } `retained()`
 *
 * Steps 1-4 run in `analyze`; what only some callers need (5-6, the ids sorted for a comparison, the retainer
 * paths) runs when first asked for, and is kept on the `SnapshotAnalysis` the caller holds — not in a cache of this
 * module. A large file is read on two threads (src/files/split-snapshot-read.ts): the worker folds (2) while this
 * thread names (3), and `analyze` gets the names made there.
 *
 * Pure: no fs, no process, no timers.
 */
import { byId, type DiffInput, type IdOrder } from './diff-snapshots.js';
import { computeDominators, type DominatorTree } from './dominators.js';
import { foldOwnedSizes } from './fold-owned-sizes.js';
import { groupNodes, nameNodes, releaseLocations, type Grouping, type NodeNames } from './group-nodes.js';
import type { HeapSnapshot } from './heap-snapshot.js';
import { snapshotIds, type SnapshotIds } from './leak-candidates.js';
import { ClassRetainedSizes, type RetainedSizes } from './retained.js';
import { RetainerPaths } from './retainer-paths.js';

/** Steps 2-4 of a parsed snapshot: fold, name, group. `names` when another thread made them (see above). */
export function analyze(snapshot: HeapSnapshot, early: { names?: NodeNames } = {}): SnapshotAnalysis {
  const sizes = foldOwnedSizes(snapshot); // done already when the two-thread read folded on its worker
  const names = early.names ?? nameNodes(snapshot);
  const grouping = groupNodes(snapshot, sizes, names);
  releaseLocations(snapshot); // only the group step reads them
  return new SnapshotAnalysis(snapshot, grouping);
}

/** Steps 5-6: the dominator tree over the grouping's (folded) sizes, then each constructor's retained size. */
export function retainedSizes(snapshot: HeapSnapshot, grouping: Grouping): RetainedSizes {
  const tree = dominate(snapshot, grouping);
  return { tree, byClass: new ClassRetainedSizes(tree, grouping) };
}

/** Step 5. */
export function dominate(snapshot: HeapSnapshot, grouping: Grouping): DominatorTree {
  return computeDominators(snapshot, { selfSizes: grouping.selfSizes });
}

/**
 * A grouped snapshot and what was derived from it so far. The later steps run on first ask, once: the caller holds
 * this object as long as it needs them (the analysis worker, one per snapshot id).
 */
export class SnapshotAnalysis {
  #retained: RetainedSizes | undefined;
  #byId: IdOrder | undefined;
  #ids: SnapshotIds | undefined;
  #paths: RetainerPaths | undefined;

  constructor(
    readonly snapshot: HeapSnapshot,
    readonly grouping: Grouping,
  ) {}

  /** Steps 5-6 (seconds on a 1 GB snapshot). */
  retained(): RetainedSizes {
    return (this.#retained ??= retainedSizes(this.snapshot, this.grouping));
  }

  /** The retained sizes if `retained()` ran already, else undefined. */
  get retainedIfDone(): RetainedSizes | undefined {
    return this.#retained;
  }

  /** The counted nodes in id order: what a comparison by id walks. */
  byId(): IdOrder {
    return (this.#byId ??= byId(this.snapshot, this.grouping));
  }

  /** What a comparison needs of this side: its grouping and, when ids are compared, its nodes in id order. */
  diffInput(withIds: boolean): DiffInput {
    return { snapshot: this.snapshot, grouping: this.grouping, byId: withIds ? this.byId() : null };
  }

  /** All object ids, sorted: what a leak check needs of its baseline and target. */
  ids(): SnapshotIds {
    return (this.#ids ??= snapshotIds(this.snapshot));
  }

  /** The retainer graph for paths, built on the first ask (the TUI's Enter on one row after another). */
  paths(): RetainerPaths {
    return (this.#paths ??= new RetainerPaths(this.snapshot, this.grouping));
  }
}
