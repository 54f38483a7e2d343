import { readProcText, isUnavailable, type Unavailable } from './read-file.js';

/** The host's memory figures leaktop weighs a snapshot against, bytes. */
export interface MemInfo {
  memTotalBytes: number;
  /** What the kernel estimates it can hand out without swapping (MemAvailable, Linux ≥ 3.14). */
  memAvailableBytes: number;
}

/** Parses /proc/meminfo (proc_meminfo(5)): `Key:   value kB` lines, kB meaning KiB. Null without the two fields. */
export function parseMeminfo(text: string): MemInfo | null {
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const memTotalBytes = kib('MemTotal');
  const memAvailableBytes = kib('MemAvailable');
  return memTotalBytes === null || memAvailableBytes === null ? null : { memTotalBytes, memAvailableBytes };
}

/**
 * The host's MemTotal and MemAvailable, read directly: one small file, cheap enough to read right before each
 * snapshot (the monitor's host sampler goes through systeminformation at a slow cadence instead).
 */
export function readMeminfo(procRoot = '/proc'): MemInfo | Unavailable {
  const text = readProcText(`${procRoot}/meminfo`);
  if (isUnavailable(text)) return text;
  return parseMeminfo(text) ?? { unavailable: 'gone' };
}
