import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { isUnavailable } from '../../src/proc/read-file.js';

/** The loopback ports a process listens on (none when it is gone): an inspector leaktop left open shows here. */
export function ports(pid: number): number[] {
  const found = listeningPorts(pid);
  return isUnavailable(found) ? [] : found;
}
