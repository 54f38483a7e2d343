import { readProcBytes, type Unavailable } from './read-file.js';

/**
 * Parses /proc/PID/cmdline: arguments separated (and usually ended) by NUL. A process that rewrote its argv
 * area — Node does for `process.title` — may leave one space-separated string instead; it comes back as one
 * argument. Empty for kernel threads and zombies.
 */
export function parseCmdline(bytes: Uint8Array): string[] {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // Trailing NULs (the normal terminator, or padding left by a shorter process.title) are not arguments.
  text = text.replace(/\0+$/, '');
  return text === '' ? [] : text.split('\0');
}

export function readCmdline(pid: number, procRoot = '/proc'): string[] | Unavailable {
  const bytes = readProcBytes(`${procRoot}/${pid}/cmdline`);
  return bytes instanceof Uint8Array ? parseCmdline(bytes) : bytes;
}
