import { placeOfCgroup, type CgroupPlace } from '../core/container-of-cgroup.js';
import { readProcText } from './read-file.js';

/**
 * Which container, pod or systemd unit PID lives in, from /proc/PID/cgroup (readable for every process, any user).
 * Unreadable (gone, or a procfs that hides it) reads as the host: the table then shows no place, nothing fails.
 */
export function readCgroupPlace(pid: number, procRoot = '/proc'): CgroupPlace {
  const text = readProcText(`${procRoot}/${pid}/cgroup`);
  return placeOfCgroup(typeof text === 'string' ? text : '');
}
