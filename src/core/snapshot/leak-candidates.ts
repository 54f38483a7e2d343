/**
 * Three-snapshot leak detection (memlab's and the Gmail team's technique): from one session, a baseline A, a target
 * B taken after the suspect activity, and a final C taken after more of it. Objects allocated between A and B — their
 * ids are in B and not in A — that are still alive in C are the leak candidates: what the activity created and
 * nothing released since. V8 keeps object ids stable only within one inspector session (or one process's
 * `v8.writeHeapSnapshot` calls), so the three snapshots must come from one; the caller checks that.
 *
 * Candidates are grouped by constructor, with the summary's names (`groupNodes` of C: plain objects by shape), and
 * measured in C: count, self size (folded, as the summary), retained size (DevTools' class semantics restricted to
 * the candidates: the retained sizes of candidates not dominated by another candidate of the same constructor), and
 * their retainer paths grouped by shape, biggest group first (retainer-paths.ts: the objects along a chain, such as
 * an EventTarget's listeners, are one group). Sorted by retained size.
 *
 * Not candidates: objects the summary does not count (self size 0 after folding: backing stores folded into their
 * owner, which is a candidate itself when new), and V8's own bookkeeping — `(system)`, `(compiled code)` and other
 * hidden, code and object-shape nodes, plus `(synthetic)` embedder nodes — which any running program grows (feedback
 * and code for functions first run, hidden classes) and which a user cannot free; likewise objects that compiled
 * code owns — those with a `code` node among their dominators, such as the boilerplate object of an allocation site
 * that V8 makes once a function has run often enough to get a feedback vector (seen in live runs: the monitor's own
 * heap reads made a few). `includeInternal` keeps them all.
 *
 * Pure: no fs, no process, no timers.
 */
import { sortedIncludes } from './sort-by-key.js';
import { computeDominators, groupRetainedSizes, type DominatorTree } from './dominators.js';
import type { HeapSnapshot, SourceLocation } from './heap-snapshot.js';
import { pathGroupJson, RetainerPaths, type PathGroup, type PathJson } from './retainer-paths.js';
import { groupNodes, type Grouping } from './group-nodes.js';

/** One constructor among the leak candidates: the JSON of `leaktop leaks`. */
export interface LeakCandidate {
  name: string;
  count: number;
  /** Bytes, folded as in the summary. */
  selfSize: number;
  /** Bytes these objects keep alive in the final snapshot (not double-counting candidates of this constructor). */
  retainedSize: number;
  /** Retainer paths grouped by shape, biggest group first. */
  paths: PathJson[];
  /**
   * Present only when `maxPathObjects` capped the objects whose paths were grouped: how many (the biggest retained
   * first) the path counts are over, of `count`.
   */
  pathObjects?: number;
}

export interface LeakReport {
  /** Biggest retained size first. */
  candidates: LeakCandidate[];
}

export interface LeakOptions {
  /** Path groups per candidate (default 3). */
  pathsPerCandidate?: number;
  /** At most this many candidates, biggest first (default: all). */
  maxCandidates?: number;
  /**
   * Objects per candidate whose paths are grouped, biggest retained size first (default: all of them; grouping
   * costs about the distinct nodes on their paths, see retainer-paths.ts): the counts of the path groups are over
   * these, and a candidate says so (`pathObjects`) when they are fewer than its objects.
   */
  maxPathObjects?: number;
  /** Keep V8's own objects (hidden, code, object shape, synthetic) as candidates too. Default false. */
  includeInternal?: boolean;
  /** Work already done on the final snapshot, to reuse. */
  final?: { grouping?: Grouping; tree?: DominatorTree; paths?: RetainerPaths };
}

/** What `leakCandidates` found, with the node indices, for callers (TUI) that show more than the JSON. */
export interface LeakAnalysis {
  report: LeakReport;
  /** Per candidate (same order as `report.candidates`): its objects in the final snapshot, biggest retained first. */
  nodes: Uint32Array[];
  /** Per candidate: its path groups with representatives. */
  pathGroups: PathGroup[][];
  /** Per candidate: where its constructor is defined, when V8 knows (`leaktop why` matches it to allocation sites). */
  locations: Array<SourceLocation | null>;
}

/** Sorted copy of a snapshot's object ids, for membership tests. */
function sortedIds(snapshot: HeapSnapshot): Uint32Array {
  return Uint32Array.from(snapshot.nodeId).sort();
}

/**
 * The object ids of a snapshot, sorted: all that the baseline and the target are needed for. A live run sorts them
 * as soon as each snapshot is in and drops the snapshot, so that only the final one is held at the end.
 */
export interface SnapshotIds {
  sortedIds: Uint32Array;
}

export function snapshotIds(snapshot: HeapSnapshot): SnapshotIds {
  return { sortedIds: sortedIds(snapshot) };
}

const idsOf = (source: HeapSnapshot | SnapshotIds): Uint32Array => ('sortedIds' in source ? source.sortedIds : sortedIds(source));


/**
 * Per node of `final`: 1 when its id is in `target` and not in `baseline`. Only nodes the final grouping counts can
 * be 1 (see the top of this file for what else is left out).
 */
export function newSurvivors(baseline: HeapSnapshot | SnapshotIds, target: HeapSnapshot | SnapshotIds, final: HeapSnapshot, grouping: Grouping, includeInternal = false): Uint8Array {
  const inA = idsOf(baseline);
  const inB = idsOf(target);
  const internal = new Uint8Array(final.nodeTypeNames.length);
  if (!includeInternal) for (const name of ['hidden', 'code', 'object shape', 'synthetic']) if (final.nodeTypeNames.includes(name)) internal[final.nodeTypeNames.indexOf(name)] = 1;
  const result = new Uint8Array(final.nodeCount);
  for (let n = 0; n < final.nodeCount; n++) {
    if (grouping.groupOfNode[n]! < 0 || internal[final.nodeType[n]!]) continue;
    const id = final.nodeId[n]!;
    if (sortedIncludes(inB, id) && !sortedIncludes(inA, id)) result[n] = 1;
  }
  return result;
}

/** The leak candidates of three snapshots from one session, as `leaktop leaks` reports them. */
export function findLeakCandidates(baseline: HeapSnapshot | SnapshotIds, target: HeapSnapshot | SnapshotIds, final: HeapSnapshot, options: LeakOptions = {}): LeakReport {
  return analyzeLeaks(baseline, target, final, options).report;
}

/**
 * Per node: 1 when a `code` node (compiled code, feedback, allocation sites) is among its dominators, else 2.
 * Memoized up the dominator chain with an explicit stack, so linear in the node count overall.
 */
export function ownedByCode(snapshot: HeapSnapshot, tree: DominatorTree): Uint8Array {
  const code = snapshot.nodeTypeNames.indexOf('code');
  const state = new Uint8Array(snapshot.nodeCount);
  if (snapshot.nodeCount === 0) return state;
  state[0] = 2;
  const stack: number[] = [];
  for (let n = 0; n < snapshot.nodeCount; n++) {
    let x = n;
    while (state[x] === 0) {
      stack.push(x);
      x = tree.dominator[x]!;
    }
    // x is known; unwind: a node is code-owned when its dominator is code or code-owned.
    let owned = state[x]!;
    let parent = x;
    while (stack.length > 0) {
      const y = stack.pop()!;
      owned = owned === 1 || snapshot.nodeType[parent] === code ? 1 : 2;
      state[y] = owned;
      parent = y;
    }
  }
  return state;
}

/** `findLeakCandidates` with the node indices and path groups kept. */
export function analyzeLeaks(baseline: HeapSnapshot | SnapshotIds, target: HeapSnapshot | SnapshotIds, final: HeapSnapshot, options: LeakOptions = {}): LeakAnalysis {
  const grouping = options.final?.grouping ?? groupNodes(final);
  const survivors = newSurvivors(baseline, target, final, grouping, options.includeInternal ?? false);
  const groupCount = grouping.names.length;
  const count = new Float64Array(groupCount);
  const selfSize = new Float64Array(groupCount);
  const candidateGroup = new Int32Array(final.nodeCount).fill(-1);
  let any = false;
  for (let n = 0; n < final.nodeCount && !any; n++) any = survivors[n] === 1;
  if (!any) return { report: { candidates: [] }, nodes: [], pathGroups: [], locations: [] };
  const tree = options.final?.tree ?? computeDominators(final, { selfSizes: grouping.selfSizes });
  const codeOwned = options.includeInternal ? null : ownedByCode(final, tree);
  let total = 0;
  for (let n = 0; n < final.nodeCount; n++) {
    if (!survivors[n] || codeOwned?.[n] === 1) continue;
    const group = grouping.groupOfNode[n]!;
    candidateGroup[n] = group;
    count[group]! += 1;
    selfSize[group]! += grouping.selfSizes[n]!;
    total++;
  }
  if (total === 0) return { report: { candidates: [] }, nodes: [], pathGroups: [], locations: [] };

  const retained = groupRetainedSizes(tree, candidateGroup, groupCount);
  const groups: number[] = [];
  for (let g = 0; g < groupCount; g++) if (count[g]! > 0) groups.push(g);
  groups.sort((a, b) => retained[b]! - retained[a]! || count[b]! - count[a]! || (grouping.names[a]! < grouping.names[b]! ? -1 : 1));
  const kept = groups.slice(0, options.maxCandidates ?? groups.length);

  // Members per kept candidate, biggest retained size first.
  const members = new Map<number, number[]>(kept.map((g) => [g, []]));
  for (let n = 0; n < final.nodeCount; n++) {
    const g = candidateGroup[n]!;
    if (g >= 0) members.get(g)?.push(n);
  }
  const paths = options.final?.paths ?? new RetainerPaths(final, grouping);
  const pathsPerCandidate = options.pathsPerCandidate ?? 3;
  const maxPathObjects = options.maxPathObjects ?? Infinity;
  const candidates: LeakCandidate[] = [];
  const nodes: Uint32Array[] = [];
  const pathGroups: PathGroup[][] = [];
  for (const g of kept) {
    const list = Uint32Array.from(members.get(g)!);
    const order = [...list].sort((a, b) => tree.retainedSize[b]! - tree.retainedSize[a]! || a - b);
    const sorted = Uint32Array.from(order);
    const grouped = paths.group(sorted.subarray(0, maxPathObjects), { limit: pathsPerCandidate });
    const candidate: LeakCandidate = { name: grouping.names[g]!, count: count[g]!, selfSize: selfSize[g]!, retainedSize: retained[g]!, paths: grouped.map(pathGroupJson) };
    if (sorted.length > maxPathObjects) candidate.pathObjects = maxPathObjects;
    candidates.push(candidate);
    nodes.push(sorted);
    pathGroups.push(grouped);
  }
  return { report: { candidates }, nodes, pathGroups, locations: kept.map((g) => grouping.locations[g] ?? null) };
}
