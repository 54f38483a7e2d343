import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flag that lets V8's memory reducer run one full GC a round instead of up to three (Node 20) or two (Node
 * 22 to 26), on the Node major given; none on a Node whose V8 flags were not checked (an unknown flag is not an
 * error, but V8 prints `Error: unrecognized flag` on the terminal). Node 20 has `--memory-reducer-single-gc`; Node
 * 22 to 26 `--memory-reducer-gc-count` (default 2); Node 18 neither.
 */
export function memoryReducerFlags(nodeMajor: number): string[] {
  if (nodeMajor === 20) return ['--memory-reducer-single-gc'];
  if (nodeMajor >= 22 && nodeMajor <= 26) return ['--memory-reducer-gc-count=1'];
  return [];
}

/**
 * Makes V8's memory reducer stop after one full GC a round, for the rest of the process.
 *
 * Why: V8's memory reducer starts 8 s after a full GC that found the heap grown, when the allocation rate is low —
 * which the full-screen monitor's always is (~0.5 MB/s) — and then runs full, compacting GCs 0.5 s apart while the
 * last one looked worth it: two or three `Mark-Compact (reduce)` on its ~15 MB heap in its first minute, 20–70 ms of
 * CPU each with the concurrent marking, a large part of the first minute's CPU (issue 18). The heap they shrink is
 * small and its young generation capped (young-generation.ts); the first such GC does most of the shrinking
 * (15.2 → 14.5 MB, the next ones 14.5 → 14.5 MB in `--trace-gc`). V8 reads the count at each step of the reducer,
 * so it can be set after start (`--no-memory-reducer` cannot: V8 creates the reducer when the heap is set up).
 * Called only for the full screen, before ink loads.
 */
export function oneMemoryReducingGc(nodeMajor = Number(process.versions.node.split('.')[0])): void {
  for (const flag of memoryReducerFlags(nodeMajor)) setFlagsFromString(flag);
}
