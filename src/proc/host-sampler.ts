import { cpus, hostname, loadavg } from 'node:os';
import si from 'systeminformation';

/** Host-wide figures for the header. */
export interface HostSample {
  sampledAtMs: number;
  hostname: string;
  cpuCount: number;
  memTotalBytes: number;
  /** Memory in use the way htop counts it: total minus what the kernel could hand out (MemAvailable). */
  memUsedBytes: number;
  memAvailableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number];
}

/**
 * Samples the host through systeminformation. It changes slowly and costs more than a /proc read, so the monitor
 * calls it at a slow cadence, apart from the per-tick process sampler.
 */
export async function sampleHost(): Promise<HostSample> {
  const mem = await si.mem();
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    sampledAtMs: Date.now(),
    hostname: hostname(),
    cpuCount: cpus().length,
    memTotalBytes: mem.total,
    memUsedBytes: mem.total - mem.available,
    memAvailableBytes: mem.available,
    swapTotalBytes: mem.swaptotal,
    swapUsedBytes: mem.swapused,
    load: [l1, l5, l15],
  };
}
