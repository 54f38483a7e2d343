/** The port Node's inspector takes unless a flag names another (Node's `--inspect-port` default). */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** `--inspect`, `--inspect-brk`, `--inspect-wait`, `--inspect-port`, `--debug-port`, each alone or with `=VALUE`. */
const INSPECT_FLAG = /^--(?:inspect(?:-brk|-wait|-port)?|debug-port)(?:=(.*))?$/;

/** What Node's inspector flags in a command line say about where an inspector would listen. */
export interface InspectorFlags {
  /** The port they name (9229 when none is given); null when they ask for a random one (`:0`) or it does not parse. */
  port: number | null;
}

/** The port of a flag value: `9339`, `127.0.0.1:9339`, `[::1]:9339`, `0.0.0.0:9339`; a bare host keeps the default. */
function portOf(value: string | undefined): number | null {
  if (value === undefined || value === '') return DEFAULT_INSPECTOR_PORT;
  const match = /(?:^|:)(\d+)$/.exec(value);
  if (!match) return /^(?:\[[^\]]*\]|[^:]*)$/.test(value) ? DEFAULT_INSPECTOR_PORT : null;
  const port = Number(match[1]);
  return port > 0 && port <= 65535 ? port : null;
}

/**
 * Splits NODE_OPTIONS the way Node does for the common cases: on spaces, with double quotes grouping (Node's
 * ParseNodeOptionsEnvVar also honours backslash escapes inside quotes; a flag never needs them).
 */
export function splitNodeOptions(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * Inspector flags in a process's argv or its NODE_OPTIONS; null when there are none. Every token is looked at,
 * also those after the script name (which belong to the app): counting one too many only costs one probe of a
 * socket, while missing one would hide an open inspector. When several flags name ports, the last one wins, as in
 * Node.
 */
export function inspectorFlags(argv: readonly string[], nodeOptions: string | null): InspectorFlags | null {
  let found: InspectorFlags | null = null;
  for (const token of [...splitNodeOptions(nodeOptions ?? ''), ...argv.slice(1)]) {
    const match = INSPECT_FLAG.exec(token);
    if (!match) continue;
    const port = portOf(match[1]);
    // A plain `--inspect` after `--inspect-port=9339` keeps that port.
    if (found === null || match[1] !== undefined) found = { port };
  }
  return found;
}
