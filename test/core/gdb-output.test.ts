import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatorFrame, attachFailure, backtraceFunctions, callResult, isBlockedInFutex, saysDetached } from '../../src/core/gdb-output.js';

// gdb 13.1, `set width 0`, a Node 20 main thread idle in its event loop (as printed on this machine).
const idle = `#0  0x00007f7000c46cae in __GI_epoll_pwait (epfd=epfd@entry=14, events=events@entry=0x7ffdf1bd4ca0, maxevents=maxevents@entry=1024, timeout=timeout@entry=10, set=set@entry=0x0) at ../sysdeps/unix/sysv/linux/epoll_pwait.c:40
#1  0x00000000018c0366 in uv__io_poll (loop=loop@entry=0x566fa00 <default_loop_struct>, timeout=10) at ../deps/uv/src/unix/linux.c:1368
#2  0x00000000018ac8a7 in uv_run (loop=0x566fa00 <default_loop_struct>, mode=UV_RUN_DEFAULT) at ../deps/uv/src/unix/core.c:447
#3  0x0000000000bbbbe6 in node::SpinEventLoopInternal(node::Environment*) ()
#4  0x00007f6ff4a1c2e0 in ?? ()
#5  main ()`;

// Stopped while freeing, waiting for an arena lock.
const inFree = `#0  futex_wait (private=0, expected=2, futex_word=0x7f7000d9ac80 <main_arena>) at ../sysdeps/nptl/futex-internal.h:146
#1  __GI___lll_lock_wait_private (futex=futex@entry=0x7f7000d9ac80 <main_arena>) at ./nptl/lowlevellock.c:34
#2  0x00007f7000bd1e6b in _int_free (av=0x7f7000d9ac80 <main_arena>, p=0x5a1f2c0, have_lock=<optimized out>) at ./malloc/malloc.c:4621
#3  0x00007f7000bd4453 in __GI___libc_free (mem=<optimized out>) at ./malloc/malloc.c:3391
#4  0x0000000000d2b1c1 in node::ArrayBufferAllocator::Free(void*, unsigned long) ()`;

test('backtraceFunctions: names innermost first, with and without an address, ?? for unknown code', () => {
  assert.deepEqual(backtraceFunctions(idle), ['__GI_epoll_pwait', 'uv__io_poll', 'uv_run', 'node::SpinEventLoopInternal', '??', 'main']);
  assert.deepEqual(backtraceFunctions('No stack.\n'), []);
});

test('allocatorFrame: none in the event loop; the allocator frame when stopped in malloc, free or fork', () => {
  assert.equal(allocatorFrame(backtraceFunctions(idle)), undefined);
  assert.equal(allocatorFrame(backtraceFunctions(inFree)), '_int_free');
  for (const name of ['__GI___libc_malloc', 'malloc', '_int_malloc', '__libc_calloc', '_int_realloc', 'malloc_consolidate', '__malloc_trim', 'arena_get2', '_mid_memalign', '__libc_fork', '_Fork', 'tcache_init']) {
    assert.equal(allocatorFrame(['futex_wait', name, 'x']), name, name);
  }
  for (const name of ['mallocate', 'free_list_of_mine', 'node::ArrayBufferAllocator::Free', 'uv_fs_free']) assert.equal(allocatorFrame([name]), undefined, name);
});

test('callResult: the value of the call, undefined when the call did not complete', () => {
  assert.equal(callResult('\n$1 = 1\n\n'), 1);
  assert.equal(callResult('$12 = 0\n'), 0);
  assert.equal(callResult('The program being debugged was signaled while in a function called from GDB.\n'), undefined);
});

test('saysDetached: only for the PID asked for', () => {
  assert.ok(saysDetached('Detaching from program: /proc/4242/exe, process 4242\n[Inferior 1 (process 4242) detached]\n', 4242));
  assert.ok(!saysDetached('[Inferior 1 (process 42420) detached]\n', 4242));
});

test('isBlockedInFutex: futex(2) by architecture; running, no syscall or unknown arch is not', () => {
  assert.ok(isBlockedInFutex('202 0x7f7000d9ac80 0x80 0x2 0x0 0x0 0x0 0x7ffd 0x7f70\n', 'x64'));
  assert.ok(isBlockedInFutex('98 0x1 0x80 0x2 0x0 0x0 0x0 0x7ffd 0x7f70\n', 'arm64'));
  assert.ok(!isBlockedInFutex('28 0x7f6000000000 0x1000000 0x4 0x0 0x0 0x0 0x7ffd 0x7f70\n', 'x64'), 'madvise: trimming');
  assert.ok(!isBlockedInFutex('running\n', 'x64'));
  assert.ok(!isBlockedInFutex('-1 0x7ffd 0x7f70\n', 'x64'));
  assert.ok(!isBlockedInFutex('202 0x1\n', 'mips'));
});

test('attachFailure: ptrace refused, a vanished process, no malloc_trim; nothing for a normal attach', () => {
  assert.match(attachFailure('ptrace: Operation not permitted.\n', 9)!.hint!, /ptrace_scope/);
  assert.match(attachFailure('ptrace: No such process.\n', 9)!.message, /exited/);
  assert.match(attachFailure('No symbol "malloc_trim" in current context.\n', 9)!.message, /no malloc_trim/);
  assert.equal(attachFailure('Attaching to program: /proc/9/exe, process 9\n[New LWP 10]\n', 9), undefined);
});
