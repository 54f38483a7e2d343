import { readProcBytes, type Unavailable } from './read-file.js';

/**
 * Parses /proc/PID/environ (proc(5)): `NAME=value` entries separated by NUL. It is the environment the process
 * started with; changes it made later (`process.env.X = …`) are not in it — which is what a flag Node reads at
 * startup, such as NODE_OPTIONS, needs.
 */
export function parseEnviron(bytes: Uint8Array): Map<string, string> {
  const variables = new Map<string, string>();
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  for (const entry of text.split('\0')) {
    const equals = entry.indexOf('=');
    // The first definition wins, as getenv(3) finds it.
    if (equals > 0 && !variables.has(entry.slice(0, equals))) variables.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return variables;
}

/** Reads /proc/PID/environ; it needs ptrace-level access, so another user's process is denied (not root). */
export function readEnviron(pid: number, procRoot = '/proc'): Map<string, string> | Unavailable {
  const bytes = readProcBytes(`${procRoot}/${pid}/environ`);
  return bytes instanceof Uint8Array ? parseEnviron(bytes) : bytes;
}

/** One variable of PID's initial environment; null when it is not set. */
export function readEnvironVariable(pid: number, name: string, procRoot = '/proc'): string | null | Unavailable {
  const variables = readEnviron(pid, procRoot);
  return variables instanceof Map ? (variables.get(name) ?? null) : variables;
}
