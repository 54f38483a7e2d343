/**
 * Node's inspector flags in a process's command line and NODE_OPTIONS, read before anything is asked of the process:
 * where an inspector would listen (the port `list` probes, see scan-inspectors.ts) and whether it would listen on a
 * non-loopback host (refused before SIGUSR1: an inspector on 0.0.0.0 lets anyone who reaches the host run code in
 * the process, issue 14). Pure: the caller passes the arguments.
 */

/** The port Node's inspector takes unless a flag names another (Node's `--inspect-port` default). */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** A flag that sets the inspector's host to something other than loopback. */
export interface ExposedInspectorFlag {
  /** The flag as written, e.g. `--inspect-port=0.0.0.0:9339`. */
  flag: string;
  /** The host it sets, brackets removed, e.g. `0.0.0.0`, `::`. */
  host: string;
  /** Where the flag was found. */
  source: 'command line' | 'NODE_OPTIONS';
}

/**
 * Node's flags that take `[host:]port` (src/node_options.cc): `--inspect`, `--inspect-brk`, `--inspect-wait` with
 * `=`, and `--inspect-port` (`--debug-port` is its alias) with `=` or as the next argument.
 */
const WITH_OPTIONAL_VALUE = new Set(['--inspect', '--inspect-brk', '--inspect-wait', '--inspect-brk-node']);
const WITH_VALUE = new Set(['--inspect-port', '--debug-port']);

/**
 * The host of a `[host:]port` value, as Node's SplitHostPort reads it: `[v6]` alone is a host; without a colon,
 * all digits is a port and anything else a host; otherwise host and port split at the last colon. An empty host
 * (`=9229`, `=:9229`) leaves the host as it was: null.
 */
export function hostOfHostPort(value: string): string | null {
  const unbracket = (text: string) => (text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  if (value.startsWith('[') && value.endsWith(']')) return unbracket(value) || null;
  const colon = value.lastIndexOf(':');
  if (colon < 0) return /^\d*$/.test(value) ? null : value;
  return unbracket(value.slice(0, colon)) || null;
}

/**
 * Whether a host Node would bind is loopback: 127.0.0.0/8, ::1, v4-mapped 127.x, or `localhost` (which resolves to
 * one of those). Everything else — 0.0.0.0, ::, an interface's address, any other name — is not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^0*:(?:0*:){0,6}0*1$/.test(h);
}

/** One inspector flag that carries a `[host:]port` value. */
interface InspectorFlagValue {
  /** The flag as written, e.g. `--inspect-port=0.0.0.0:9339` or `--inspect-port 9339`. */
  flag: string;
  /** The value: `9339`, `0.0.0.0:9339`, `[::1]:9229`, or '' for a bare `--inspect`. */
  value: string;
}

/**
 * The inspector flags in `args` with their values. The whole list is read, also after the script name: an argument
 * meant for the app is rarely spelt like this, and stopping at the script would need Node's full list of flags that
 * take a value, where one unknown flag would hide the rest. Counting one too many costs a refusal or a probe;
 * missing one would hide an open inspector.
 */
function* inspectorFlagValues(args: readonly string[]): Generator<InspectorFlagValue> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    const equals = arg.indexOf('=');
    // Node accepts underscores for dashes in flag names (`--inspect_port`).
    const name = (equals < 0 ? arg : arg.slice(0, equals)).replace(/_/g, '-');
    if (equals >= 0 && (WITH_OPTIONAL_VALUE.has(name) || WITH_VALUE.has(name))) yield { flag: arg, value: arg.slice(equals + 1) };
    else if (equals < 0 && WITH_VALUE.has(name) && i + 1 < args.length) {
      yield { flag: `${arg} ${args[i + 1]!}`, value: args[i + 1]! };
      i++;
    } else if (equals < 0 && WITH_OPTIONAL_VALUE.has(name)) yield { flag: arg, value: '' };
  }
}

/**
 * Every flag in `args` that sets a non-loopback inspector host. Any such flag counts, even if a later one sets
 * loopback again: refusing then is the cheap mistake.
 */
export function exposedInspectorFlags(args: readonly string[], source: ExposedInspectorFlag['source']): ExposedInspectorFlag[] {
  const found: ExposedInspectorFlag[] = [];
  for (const { flag, value } of inspectorFlagValues(args)) {
    const host = hostOfHostPort(value);
    if (host !== null && !isLoopbackHost(host)) found.push({ flag, host, source });
  }
  return found;
}

/** What Node's inspector flags in a command line say about where an inspector would listen. */
export interface InspectorFlags {
  /** The port they name (9229 when none is given); null when they ask for a random one (`:0`) or it does not parse. */
  port: number | null;
}

/** The port of a flag value: `9339`, `127.0.0.1:9339`, `[::1]:9339`, `0.0.0.0:9339`; a bare host keeps the default. */
function portOf(value: string): number | null {
  if (value === '') return DEFAULT_INSPECTOR_PORT;
  const match = /(?:^|:)(\d+)$/.exec(value);
  if (!match) return /^(?:\[[^\]]*\]|[^:]*)$/.test(value) ? DEFAULT_INSPECTOR_PORT : null;
  const port = Number(match[1]);
  return port > 0 && port <= 65535 ? port : null;
}

/**
 * Inspector flags in a process's argv or its NODE_OPTIONS; null when there are none. When several flags name ports,
 * the last one wins, as in Node; a plain `--inspect` after `--inspect-port=9339` keeps that port.
 */
export function inspectorFlags(argv: readonly string[], nodeOptions: string | null): InspectorFlags | null {
  let found: InspectorFlags | null = null;
  for (const { value } of inspectorFlagValues([...splitNodeOptions(nodeOptions ?? ''), ...argv.slice(1)])) {
    if (found === null || value !== '') found = { port: portOf(value) };
  }
  return found;
}

/**
 * Splits NODE_OPTIONS into arguments the way Node does (ParseNodeOptionsEnvVar in src/node.cc): at spaces; a double
 * quote toggles quoting (spaces inside do not split), and inside quotes a backslash takes the next character as is.
 */
export function splitNodeOptions(text: string): string[] {
  const args: string[] = [];
  let quoted = false;
  let startNew = true;
  for (let i = 0; i < text.length; i++) {
    let c = text[i]!;
    if (c === '\\' && quoted && i + 1 < text.length) c = text[++i]!;
    else if (c === ' ' && !quoted) {
      startNew = true;
      continue;
    } else if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (startNew) args.push(c);
    else args[args.length - 1] += c;
    startNew = false;
  }
  return args;
}
