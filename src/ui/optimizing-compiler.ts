import { setFlagsFromString } from 'node:v8';

/** How many times more a function must run than V8's default before V8 optimizes it. */
export const TIER_UP_DELAY = 4;

/**
 * The V8 flags that make a function run `TIER_UP_DELAY` times as much as V8's default before it is optimized, on
 * the Node major given; none on a Node whose V8 flags were not checked (an unknown flag is not an error, but V8
 * prints `Error: unrecognized flag` on the terminal). The defaults are V8's own (`node --v8-options`): Node 18 and
 * 20 count executed bytecode (`--interrupt-budget`, 132 KB and 66 KB), Node 22 to 26 count calls
 * (`--invocation-count-for-maglev` 400, `--invocation-count-for-turbofan` 3000; Maglev is on from Node 24).
 */
export function tierUpDelayFlags(nodeMajor: number): string[] {
  if (nodeMajor === 18) return [`--interrupt-budget=${135_168 * TIER_UP_DELAY}`];
  if (nodeMajor === 20) return [`--interrupt-budget=${67_584 * TIER_UP_DELAY}`];
  if (nodeMajor >= 22 && nodeMajor <= 26) return [`--invocation-count-for-maglev=${400 * TIER_UP_DELAY}`, `--invocation-count-for-turbofan=${3_000 * TIER_UP_DELAY}`];
  return [];
}

/**
 * Makes V8 optimize a function only after it ran `TIER_UP_DELAY` times as much as by default, for the rest of the
 * process.
 *
 * Why: in the full-screen monitor's first minute about half its CPU ran on V8's threads, most of it optimizing
 * compiles (~95 functions in 30 s, at 50 idle processes and a 1 s interval): the code of each tick (the /proc
 * sampler, the store's ingest, React's render, the table's cells) runs once a second and crosses V8's default
 * threshold within the first minute, one function after another. Its main thread is idle most of the time, so
 * running that code longer before it is optimized costs it little, and the compiles of the first minute spread over
 * the next minutes or are never needed (docs/performance.md has the figures). V8 reads these thresholds each time a
 * function's budget runs out, so they can be set after start; called only for the full screen, before ink loads.
 */
export function delayOptimizingCompiler(nodeMajor = Number(process.versions.node.split('.')[0])): void {
  for (const flag of tierUpDelayFlags(nodeMajor)) setFlagsFromString(flag);
}
