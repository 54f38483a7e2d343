import type { ProfileNode, SamplingProfile } from '../../../src/core/alloc/sampling-profile.js';

/** A hand-made frame: `[functionName, url, 0-based line, selfSize, children]`. */
export type NodeSpec = [functionName: string, url: string, line: number, selfSize: number, children?: NodeSpec[]];

/** Builds a profile shaped like V8's: `(root)` without a URL on top, ids in walk order, one sample per node with bytes. */
export function buildProfile(children: NodeSpec[]): SamplingProfile {
  let nextId = 1;
  const samples: SamplingProfile['samples'] = [];
  const build = ([functionName, url, line, selfSize, kids = []]: NodeSpec): ProfileNode => {
    const id = nextId++;
    if (selfSize > 0) samples.push({ size: selfSize, nodeId: id, ordinal: samples.length + 1 });
    return { callFrame: { functionName, url, lineNumber: line, columnNumber: line < 0 ? -1 : 2, scriptId: url ? '42' : '0' }, selfSize, id, children: kids.map(build) };
  };
  return { head: build(['(root)', '', -1, 0, children]), samples };
}
