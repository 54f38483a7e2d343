import { shortenUrl } from './shorten-url.js';
import type { SiteFrame } from './allocation-sites.js';

/**
 * A frame as one line of text: `src/app.js:12 handler` (the file shortened, the function's first line, its
 * name; `(anonymous)` when it has none), or `node_modules/express (package)` for a grouped package.
 */
export function frameLabel(frame: SiteFrame, cwd?: string | null): string {
  const file = shortenUrl(frame.url, { cwd });
  if (frame.line === null) return `${file} (package)`;
  return `${file}:${frame.line} ${frame.functionName || '(anonymous)'}`;
}

/** A site grouped by stack as one line: the site, then its callers, innermost first. */
export function stackLabel(stack: readonly SiteFrame[], cwd?: string | null): string {
  return stack.map((frame) => frameLabel(frame, cwd)).join(' < ');
}
