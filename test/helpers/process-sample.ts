import type { ProcessSample } from '../../src/proc/index.js';

/** A made-up ProcessSample for tests that feed the store by hand; `startTimeTicks` defaults to the PID. */
export function fakeSample(pid: number, rssBytes: number, overrides: Partial<ProcessSample> = {}): ProcessSample {
  const command = overrides.command ?? `/usr/bin/node /srv/app-${pid}/server.js`;
  return {
    pid,
    ppid: 1,
    uid: 0,
    user: 'root',
    state: 'S',
    startTimeTicks: pid,
    startTimeMs: 0,
    argv: command.split(' '),
    command,
    exePath: '/usr/bin/node',
    inspectable: true,
    cpuPercent: 1,
    rssBytes,
    threads: 7,
    container: null,
    unit: null,
    nsPid: null,
    pm2: null,
    ...overrides,
  };
}
