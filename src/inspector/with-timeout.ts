/**
 * `promise`, or `undefined` once `ms` have passed, whichever comes first. The timer is cleared either way, so a
 * finished race never holds the process open (a bare setTimeout in Promise.race would, for its whole length).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `promise`, or a rejection with `makeError()` once `ms` have passed: an upper bound for an await that must not
 * hang (issue 14). The promise keeps running; a late rejection of it is ignored.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(makeError()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
