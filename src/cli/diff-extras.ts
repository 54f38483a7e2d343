import type { DiffInput, SnapshotDiff } from '../core/snapshot/diff-snapshots.js';
import type { DominatorTree } from '../core/snapshot/dominators.js';
import { snapshotIds } from '../core/snapshot/leak-candidates.js';
import { classObjects, withRetainedDiff, type RetainedDiff, type RetainedSizes } from '../core/snapshot/retained.js';
import { pathGroupJson, RetainerPaths } from '../core/snapshot/retainer-paths.js';

/** Growing constructors that `diff --paths` explains. */
export const PATH_ROWS = 5;
/** Path groups per constructor. */
export const PATHS_PER_ROW = 3;

/**
 * The diff's JSON with retained sizes (null when not computed) and, with `paths`, the top retainer paths of the top
 * growing constructors among the first `top` rows: of their new objects when ids are comparable, else of all of
 * them, in B.
 */
export function diffWithExtras(
  diff: SnapshotDiff,
  options: { top: number; a: DiffInput; b: DiffInput; retainedA: RetainedSizes | null; retainedB: RetainedSizes | null; paths: boolean },
): RetainedDiff {
  const result = withRetainedDiff(diff, options.retainedA?.byClass ?? null, options.retainedB?.byClass ?? null);
  result.rows = result.rows.slice(0, options.top);
  if (!options.paths) return result;
  const { b } = options;
  const tree: DominatorTree | null = options.retainedB?.tree ?? null;
  const paths = new RetainerPaths(b.snapshot, b.grouping);
  const earlier = diff.idsComparable ? snapshotIds(options.a.snapshot) : null;
  let explained = 0;
  for (const row of result.rows) {
    if (explained >= PATH_ROWS) break;
    if (!(row.countDelta > 0 || (row.new ?? 0) > 0)) continue;
    const found = classObjects(b.snapshot, b.grouping, paths, row, { tree, earlier, limit: 0, pathLimit: PATHS_PER_ROW });
    if (!found) continue;
    row.paths = found.paths.map(pathGroupJson);
    explained++;
  }
  return result;
}
