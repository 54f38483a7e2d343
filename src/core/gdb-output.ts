import { UserError } from './user-error.js';

/**
 * Reading what gdb (CLI interpreter, `set width 0`, so no wrapped lines) prints while `leaktop trim` drives it.
 * gdb's text is meant for people, so every reader here is strict about what it accepts and says "unknown"
 * otherwise; the caller treats unknown as "do not call".
 */

/**
 * The function names of a `backtrace`, innermost first. Frames look like `#0  0x00007f… in epoll_pwait (…) at …`
 * or `#1  uv_run (…)`; a frame gdb has no symbol for is `#2  0x… in ?? ()` and gives `??`.
 */
export function backtraceFunctions(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const frame = /^#\d+\s+(?:0x[0-9a-f]+ in )?([^\s(]+)\s*\(/.exec(line.trim());
    if (frame) names.push(frame[1]!);
  }
  return names;
}

/**
 * glibc's allocator entry points and internals (malloc/malloc.c, arena.c of glibc 2.2x–2.4x), without the
 * `__GI_`, `__libc_`, `_int_` and `__` prefixes glibc's internal aliases carry. fork() takes every arena lock too.
 */
const ALLOCATOR_FUNCTIONS = new Set([
  'malloc', 'free', 'realloc', 'calloc', 'memalign', '_mid_memalign', 'posix_memalign', 'aligned_alloc', 'valloc', 'pvalloc',
  'malloc_consolidate', 'sysmalloc', 'systrim', 'mtrim', 'malloc_trim', 'heap_trim', 'shrink_heap', 'new_heap', 'alloc_new_heap',
  'arena_get2', 'arena_get_retry', 'new_arena', 'reused_arena', 'get_free_list', 'tcache_init', 'tcache_thread_shutdown',
  'unlink_chunk', 'munmap_chunk', 'mremap_chunk', 'malloc_info', 'malloc_stats', 'mallinfo', 'mallinfo2', 'malloc_printerr',
  'malloc_fork_lock_parent', 'malloc_fork_unlock_parent', 'malloc_fork_unlock_child', 'malloc_arena_thread_freeres',
  'fork', '_Fork', 'libc_fork',
]);

/**
 * The first frame of a backtrace that is inside glibc's allocator, or undefined. A thread stopped there may hold an
 * arena lock, and malloc_trim called on that same thread would wait for it forever (the locks are not recursive).
 */
export function allocatorFrame(functions: readonly string[]): string | undefined {
  return functions.find((name) => ALLOCATOR_FUNCTIONS.has(name.replace(/^(?:__GI_)?(?:__libc_|_int_|__)?/, '')));
}

/** The value of `call (int) malloc_trim(0)`: `$1 = 1` (memory was released) or `$1 = 0`; undefined if absent. */
export function callResult(text: string): number | undefined {
  const match = /^\$\d+ = (-?\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Whether gdb printed that it detached from the process (`[Inferior 1 (process N) detached]`). */
export function saysDetached(text: string, pid: number): boolean {
  return text.includes(`(process ${pid}) detached]`);
}

/** Linux system call numbers of futex(2), per architecture (what `process.arch` calls it). */
const FUTEX_SYSCALL: Readonly<Record<string, number>> = { x64: 202, arm64: 98, ia32: 240, arm: 240, riscv64: 98, ppc64: 221, s390x: 238 };

/**
 * Whether a thread is blocked in futex(2), from /proc/PID/task/TID/syscall (proc_pid_syscall(5): the syscall
 * number first, `running` when on a CPU, `-1 …` when in no syscall). malloc_trim waits in futex only to take an
 * arena lock, and holds none while it waits, so stopping it there costs nothing; anywhere else it may be
 * trimming with a lock held. Unknown architecture or format: false (keep waiting).
 */
export function isBlockedInFutex(syscallText: string, arch: string): boolean {
  const futex = FUTEX_SYSCALL[arch];
  const number = Number(syscallText.trim().split(/\s+/)[0]);
  return futex !== undefined && Number.isInteger(number) && number === futex;
}

/**
 * A failure gdb reported while attaching, as one line for the user, or undefined when the text shows none of the
 * known ones (the caller then reports gdb's own last line).
 */
export function attachFailure(text: string, pid: number): UserError | undefined {
  if (/ptrace: Operation not permitted/.test(text)) {
    return new UserError(`the kernel did not let gdb attach to process '${pid}' (ptrace: Operation not permitted)`, {
      hint: 'Run as root, or allow ptrace of non-child processes (sysctl kernel.yama.ptrace_scope=0); a container needs CAP_SYS_PTRACE.',
    });
  }
  if (/ptrace: No such process/.test(text)) return new UserError(`process '${pid}' exited`);
  if (/No symbol "malloc_trim" in current context/.test(text)) {
    return new UserError(`gdb found no malloc_trim in process '${pid}'`, { hint: 'The process does not use a glibc that gdb can read symbols of.' });
  }
  return undefined;
}
