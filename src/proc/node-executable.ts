import { basename } from 'node:path';

/** The kernel appends this to /proc/PID/exe when the binary was replaced on disk (e.g. a Node upgrade). */
const DELETED_SUFFIX = ' (deleted)';

const NODE_NAMES = new Set(['node', 'nodejs']);

/** Whether an executable path (from /proc/PID/exe, or argv[0] as a fallback) names a Node.js binary. */
export function isNodeExecutable(path: string): boolean {
  const trimmed = path.endsWith(DELETED_SUFFIX) ? path.slice(0, -DELETED_SUFFIX.length) : path;
  return NODE_NAMES.has(basename(trimmed));
}
