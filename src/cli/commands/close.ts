import { findInspectorPort } from '../../inspector/find-inspector-port.js';
import { heldByRunningLeaktop, openedRegistry } from '../../inspector/opened-registry.js';
import { closeInspector } from '../../inspector/close-inspector.js';
import { isUnavailable } from '../../proc/read-file.js';
import { readStat } from '../../proc/read-stat.js';
import { writeOut } from '../output.js';
import { UserError } from '../user-error.js';

export interface CloseOptions {
  pid: number;
  /** Also close an inspector leaktop did not open. */
  force: boolean;
}

/**
 * `leaktop close PID`: closes the inspector of PID that a leaktop opened and could not close (it was killed), as
 * leaktop's registry records it; with --force, whatever loopback inspector PID has. Closing is
 * `inspector.close()` evaluated in the process, then checked through /proc: the port must be gone.
 */
export async function runClose(options: CloseOptions): Promise<void> {
  const { pid, force } = options;
  const stat = readStat(pid);
  if (isUnavailable(stat)) {
    if (stat.unavailable === 'denied') throw new UserError(`not allowed to look at process '${pid}': it belongs to another user`, { hint: 'Run leaktop as that user or as root.' });
    throw new UserError(`process '${pid}' does not exist (it may have exited)`);
  }
  const endpoint = await findInspectorPort(pid);
  if (!endpoint) throw new UserError(`process '${pid}' has no open inspector on loopback`, { hint: "'leaktop list' shows every open inspector." });
  const where = `127.0.0.1:${endpoint.port}`;
  const record = openedRegistry().find(pid, endpoint.port, stat.startTimeTicks);
  if (!force && !record) {
    throw new UserError(`the inspector of process '${pid}' on ${where} was not opened by leaktop`, {
      hint: `It is the process's own (--inspect) or another tool's; 'leaktop close ${pid} --force' closes it anyway.`,
    });
  }
  if (!force && record && record.leaktopPid !== process.pid && heldByRunningLeaktop(record)) {
    throw new UserError(`the inspector of process '${pid}' on ${where} belongs to leaktop ${record.leaktopPid}, which still runs`, {
      hint: `That leaktop closes it when it detaches (x, or when it exits); --force closes it now.`,
    });
  }
  await closeInspector(pid, endpoint);
  openedRegistry().forget(pid, endpoint.port, stat.startTimeTicks);
  await writeOut(`Closed the inspector of process ${pid} on ${where}\n`);
}
