/**
 * Which allocation site made a leak's objects: the constructors of the snapshots' leak check (step 3 of `leaktop
 * why`) matched to the growing sites of the allocation sampler (step 2). The two tools see different things — a
 * snapshot knows the class and who holds it, the sampler the function that allocated — and meet in V8's script
 * ids and function positions, which both report for the same isolate.
 *
 * A match, best first: a growing call stack that runs through the class's constructor (same script and position,
 * or the name when no position is known): the allocating function is the caller of the constructor; else the
 * growing stack whose innermost frame of the program's own code (not `node:` internals) is in the constructor's
 * script. None of these: no site (the report says so rather than guess).
 *
 * Pure: profiles and locations in, sites out.
 */
import { allocationSites, compareSites, type SiteFrame, type SiteGrowth } from '../alloc/allocation-sites.js';
import type { ProfileNode, SamplingProfile } from '../alloc/sampling-profile.js';
import type { SourceLocation } from '../snapshot/heap-snapshot.js';

/** How a site was matched to a constructor. */
export type SiteMatch = 'constructor' | 'script';

/** The allocating function of a culprit: as alloc's JSON names a site (1-based line), and how it was found. */
export interface CulpritSite {
  functionName: string;
  url: string;
  line: number | null;
  matchedBy: SiteMatch | 'sampling';
  /** Live sampled bytes the site gained between the two profiles. */
  grownBytes: number;
}

/** A constructor of the leak check: its name and, when V8 knows it, where it is defined (0-based, as snapshots say). */
export interface CulpritRef {
  name: string;
  location: SourceLocation | null;
}

/** Node's own code: `node:internal/…`, `node:buffer`. Its frames are not where a program allocates. */
function isInternal(frame: SiteFrame): boolean {
  return frame.url.startsWith('node:') || frame.url.startsWith('internal/');
}

/** The call stacks whose live bytes grew from `before` to `after`, biggest growth first (frames innermost first). */
export function growingStacks(before: SamplingProfile, after: SamplingProfile): SiteGrowth[] {
  const comparison = compareSites(allocationSites(before, { by: 'stack' }), allocationSites(after, { by: 'stack' }));
  return comparison.sites.filter((site) => site.delta > 0);
}

/** Script URLs by V8 script id, as a profile names them. */
function scriptUrls(profile: SamplingProfile): Map<string, string> {
  const urls = new Map<string, string>();
  const work: ProfileNode[] = [profile.head];
  while (work.length > 0) {
    const node = work.pop()!;
    if (node.callFrame.url !== '') urls.set(node.callFrame.scriptId, node.callFrame.url);
    for (const child of node.children) work.push(child);
  }
  return urls;
}

const siteOf = (frame: SiteFrame, matchedBy: CulpritSite['matchedBy'], grownBytes: number): CulpritSite => ({
  functionName: frame.functionName,
  url: frame.url,
  line: frame.line,
  matchedBy,
  grownBytes,
});

/** Per culprit (same order), the site that allocated it, or null when none can be matched. */
export function matchCulpritSites(culprits: readonly CulpritRef[], before: SamplingProfile, after: SamplingProfile): Array<CulpritSite | null> {
  const stacks = growingStacks(before, after);
  const urls = scriptUrls(after);
  return culprits.map((culprit) => {
    const url = culprit.location ? urls.get(String(culprit.location.scriptId)) : undefined;
    const isConstructor = (frame: SiteFrame) =>
      culprit.location && url !== undefined
        ? frame.url === url && frame.line === culprit.location.line + 1 && frame.column === culprit.location.column + 1
        : frame.functionName === culprit.name;
    for (const stack of stacks) {
      const frames = stack.stack ?? [];
      const at = frames.findIndex(isConstructor);
      if (at < 0) continue;
      const caller = frames.slice(at + 1).find((frame) => !isInternal(frame) && !isConstructor(frame));
      if (caller) return siteOf(caller, 'constructor', stack.delta);
    }
    if (url === undefined) return null;
    for (const stack of stacks) {
      const own = (stack.stack ?? []).find((frame) => !isInternal(frame));
      if (own?.url === url) return siteOf(own, 'script', stack.delta);
    }
    return null;
  });
}

/**
 * The growing sites of the program's own code — each growing stack counted at its innermost frame outside Node's
 * internals (a Buffer made by `Buffer.alloc` is the caller's) — biggest growth first, those with at least `minShare`
 * of all growth: the culprits when there are no snapshots to name classes.
 */
export function growingOwnSites(before: SamplingProfile, after: SamplingProfile, options: { limit?: number; minShare?: number } = {}): CulpritSite[] {
  const stacks = growingStacks(before, after);
  const total = stacks.reduce((sum, stack) => sum + stack.delta, 0);
  const byFrame = new Map<string, CulpritSite>();
  for (const stack of stacks) {
    const own = (stack.stack ?? []).find((frame) => !isInternal(frame));
    if (!own) continue;
    const key = `${own.url}:${own.line}:${own.column}:${own.functionName}`;
    const known = byFrame.get(key);
    if (known) known.grownBytes += stack.delta;
    else byFrame.set(key, siteOf(own, 'sampling', stack.delta));
  }
  const minBytes = total * (options.minShare ?? 0.1);
  return [...byFrame.values()]
    .filter((site) => site.grownBytes > 0 && site.grownBytes >= minBytes)
    .sort((a, b) => b.grownBytes - a.grownBytes)
    .slice(0, options.limit ?? 3);
}
