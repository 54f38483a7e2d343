/**
 * Allocation sites of live memory from a sampling heap profile — tracemalloc's `statistics('lineno')` and
 * `statistics('traceback')` — and the growth per site between two profiles (`compare_to`).
 *
 * What a site is, honestly: V8 records one position per stack frame, the start of the frame's function, not the
 * allocating statement. So "by line" groups by function, shown at the function's first line. A function the
 * optimizer inlined into its caller is not a frame of its own: its allocations show under the caller.
 *
 * Frames without a script URL — `(root)`, `(V8 API)`, `(program)`, builtins such as `Array.prototype.push` —
 * are not sites: their bytes go to the nearest ancestor frame that has a URL, the JavaScript function that
 * called into them. Bytes with no such ancestor at all are counted apart (`unattributedBytes`), never as a site.
 */
import { packageOf } from './shorten-url.js';
import type { ProfileCallFrame, ProfileNode, SamplingProfile } from './sampling-profile.js';

/** How sites are grouped: by function (shown at its first line), or by the whole call stack down to it. */
export type SiteGrouping = 'line' | 'stack';

/** One frame of a site, with 1-based positions (CDP's are 0-based). */
export interface SiteFrame {
  /** As V8 names it; empty for an anonymous function. With `groupPackages`, the package name for a package frame. */
  functionName: string;
  /** The script URL as V8 reports it (a path for CommonJS, `file://` for ES modules, `node:…` for Node's own). With `groupPackages`, the package's directory. */
  url: string;
  /** 1-based line of the function's start; null for a package frame (`groupPackages`). */
  line: number | null;
  /** 1-based column of the function's start; null for a package frame. */
  column: number | null;
}

/** Live sampled bytes allocated at one site. */
export interface AllocationSite extends SiteFrame {
  /** Identifies the site across profiles (the same function, or the same stack). */
  key: string;
  /** Bytes of sampled objects still alive. */
  bytes: number;
  /** `bytes` over all live sampled bytes of the profile (attributed or not), 0..1. */
  share: number;
  /** With grouping 'stack': the frames from this site (first) out to the outermost caller with a URL. */
  stack?: SiteFrame[];
}

/** All sites of one profile, biggest first. */
export interface SiteTable {
  /** All live sampled bytes in the profile. */
  totalBytes: number;
  /** Bytes in frames with no ancestor that has a script URL (native code with no JavaScript caller). */
  unattributedBytes: number;
  sites: AllocationSite[];
}

/** Options of `allocationSites`. */
export interface SiteOptions {
  /** @default 'line' */
  by?: SiteGrouping;
  /** Frames in node_modules become one frame per package (its name, no line). @default false */
  groupPackages?: boolean;
}

/** The frame a site is named after, or null for a frame without a script URL. */
function siteFrame(callFrame: ProfileCallFrame, groupPackages: boolean): SiteFrame | null {
  if (callFrame.url === '') return null;
  if (groupPackages) {
    const pkg = packageOf(callFrame.url);
    if (pkg) return { functionName: pkg.name, url: pkg.url, line: null, column: null };
  }
  const oneBased = (n: number) => (n >= 0 ? n + 1 : null);
  return { functionName: callFrame.functionName, url: callFrame.url, line: oneBased(callFrame.lineNumber), column: oneBased(callFrame.columnNumber) };
}

function frameKey(frame: SiteFrame): string {
  return `${frame.url}:${frame.line ?? ''}:${frame.column ?? ''}:${frame.functionName}`;
}

function sameFrame(a: SiteFrame, b: SiteFrame): boolean {
  return a.url === b.url && a.line === b.line && a.column === b.column && a.functionName === b.functionName;
}

/**
 * Groups the live bytes of a profile into sites. The walk is a loop over an explicit stack, not recursion: V8
 * keeps up to 128 frames per sample, and a deep tree must not overflow ours.
 */
export function allocationSites(profile: SamplingProfile, options: SiteOptions = {}): SiteTable {
  const by = options.by ?? 'line';
  const groupPackages = options.groupPackages ?? false;
  const sites = new Map<string, AllocationSite>();
  let totalBytes = 0;
  let unattributedBytes = 0;

  // Each entry: a node and the frames with a URL on the way to it, innermost last (shared prefixes, never mutated).
  const work: Array<{ node: ProfileNode; frames: readonly SiteFrame[] }> = [{ node: profile.head, frames: [] }];
  while (work.length > 0) {
    const { node, frames: above } = work.pop()!;
    const own = siteFrame(node.callFrame, groupPackages);
    let frames = above;
    // A package frame that calls on inside the same package is one frame, so a package counts once per stack.
    if (own && !(above.length > 0 && sameFrame(above[above.length - 1]!, own))) frames = [...above, own];
    const bytes = node.selfSize;
    if (bytes > 0) {
      totalBytes += bytes;
      const site = frames[frames.length - 1];
      if (!site) {
        unattributedBytes += bytes;
      } else {
        const stack = by === 'stack' ? [...frames].reverse() : undefined;
        const key = stack ? stack.map(frameKey).join(' < ') : frameKey(site);
        const existing = sites.get(key);
        if (existing) existing.bytes += bytes;
        else sites.set(key, { ...site, key, bytes, share: 0, ...(stack ? { stack } : {}) });
      }
    }
    for (const child of node.children) work.push({ node: child, frames });
  }

  const list = [...sites.values()];
  for (const site of list) site.share = totalBytes > 0 ? site.bytes / totalBytes : 0;
  list.sort(byBytes);
  return { totalBytes, unattributedBytes, sites: list };
}

/** Biggest first; ties by key, so the order never depends on the walk. */
function byBytes(a: AllocationSite, b: AllocationSite): number {
  return b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** A site with its live bytes at two points. */
export interface SiteGrowth extends AllocationSite {
  /** Live sampled bytes of the site in the earlier profile (0 when it had none). */
  bytesBefore: number;
  /** `bytes - bytesBefore`: what the site gained (negative: freed) between the two profiles. */
  delta: number;
}

/** The growth per site from one profile to a later one of the same run of the sampler. */
export interface SiteComparison {
  totalBytes: number;
  totalBytesBefore: number;
  unattributedBytes: number;
  unattributedBytesBefore: number;
  /** Every site of either profile, biggest growth first (freed sites last). */
  sites: SiteGrowth[];
}

/**
 * Compares two site tables made with the same options (tracemalloc's `compare_to`). Both profiles must come from
 * one run of the sampler: a run keeps every sampled object until it dies, so the later profile holds what the
 * earlier one held minus what was freed, plus what was allocated since. Sites only in the earlier table are
 * kept with `bytes` 0, so memory that was freed shows too.
 */
export function compareSites(before: SiteTable, after: SiteTable): SiteComparison {
  const earlier = new Map(before.sites.map((s) => [s.key, s]));
  const sites: SiteGrowth[] = after.sites.map((site) => {
    const bytesBefore = earlier.get(site.key)?.bytes ?? 0;
    return { ...site, bytesBefore, delta: site.bytes - bytesBefore };
  });
  const later = new Set(after.sites.map((s) => s.key));
  for (const site of before.sites) {
    if (!later.has(site.key)) sites.push({ ...site, bytes: 0, share: 0, bytesBefore: site.bytes, delta: -site.bytes });
  }
  sites.sort((a, b) => b.delta - a.delta || byBytes(a, b));
  return {
    totalBytes: after.totalBytes,
    totalBytesBefore: before.totalBytes,
    unattributedBytes: after.unattributedBytes,
    unattributedBytesBefore: before.unattributedBytes,
    sites,
  };
}
