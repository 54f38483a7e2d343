import { tighterRoom, type Room } from '../core/snapshot/snapshot-room.js';
import { isUnavailable } from './read-file.js';
import { readMemoryCgroup, type ReadMemoryCgroupOptions } from './read-memory-cgroup.js';
import { readMeminfo } from './read-meminfo.js';

/**
 * The memory `pid` may still grow into: its memory cgroup's room (the tightest limit up its hierarchy) or the
 * host's MemAvailable, whichever is smaller. Null when neither can be read. Two or three small files per level of
 * the hierarchy: cheap enough to read right before each snapshot.
 */
export function readRoom(pid: number, options: ReadMemoryCgroupOptions = {}): Room | null {
  const cgroup = readMemoryCgroup(pid, options);
  const host = readMeminfo(options.procRoot);
  return tighterRoom(cgroup === null || isUnavailable(cgroup) ? null : cgroup.tightest, isUnavailable(host) ? null : host);
}
