import { statSync } from 'node:fs';
import { UserError } from '../core/user-error.js';
import type { Unavailable } from '../proc/read-file.js';
import { readKernelThread } from '../proc/read-kernel-thread.js';

/**
 * Why /proc/PID/exe could not be read, in words that are true for whoever runs leaktop. The link is missing for a
 * kernel thread (it has no binary) and a zombie as well as for a PID that is gone; and reading it is a ptrace
 * access check (proc_pid_exe(5)), which can refuse even root (no CAP_SYS_PTRACE in a container, Yama, an LSM) —
 * so "another user's" is said only when it is one. In every case the process is not signalled.
 */
export function unreadableExeError(pid: number, exe: Unavailable, procRoot = '/proc'): UserError {
  const hint = 'leaktop only signals a process whose binary it has seen to be node.';
  if (exe.unavailable === 'gone') {
    const kind = readKernelThread(pid, procRoot);
    if (kind === 'kernel-thread') return new UserError(`process '${pid}' is a kernel thread, not a Node.js process`, { hint });
    if (kind === 'zombie') return new UserError(`process '${pid}' has exited (a zombie its parent has not reaped yet)`);
    return new UserError(`process '${pid}' does not exist (it may have exited)`);
  }
  const ownerUid = ownerOf(pid, procRoot);
  const uid = process.geteuid?.() ?? -1;
  if (uid !== 0 && ownerUid !== null && ownerUid !== uid) {
    return new UserError(`not allowed to inspect process '${pid}': it belongs to another user`, { hint: 'Run leaktop as that user or as root.' });
  }
  return new UserError(`cannot read ${procRoot}/${pid}/exe (permission denied${uid === 0 ? ', even to root' : ''}): process '${pid}' is not inspectable`, {
    hint: `The kernel hides its binary from leaktop (no CAP_SYS_PTRACE, as in many containers, or a security module such as Yama); ${hint}`,
  });
}

/** The uid that owns /proc/PID (the process's effective uid), or null when it is gone. */
function ownerOf(pid: number, procRoot: string): number | null {
  try {
    return statSync(`${procRoot}/${pid}`).uid;
  } catch {
    return null;
  }
}
