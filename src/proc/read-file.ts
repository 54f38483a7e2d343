import { openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Why a /proc read found nothing: the process is gone (it exited between listing and reading — common and
 * silent), or the kernel refused (another user's process when we are not root).
 */
export type Unavailable = { readonly unavailable: 'gone' | 'denied' };

export const GONE: Unavailable = Object.freeze({ unavailable: 'gone' });
export const DENIED: Unavailable = Object.freeze({ unavailable: 'denied' });

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && 'unavailable' in value;
}

function classify(error: unknown): Unavailable {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return DENIED;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return GONE;
  throw error;
}

/** Reads a /proc file as text; a vanished process or a refusal comes back as a value, anything else throws. */
export function readProcText(path: string): string | Unavailable {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    return classify(error);
  }
}

/** Opens a /proc file for reading in parts (the caller closes the fd); a vanished process or a refusal as a value. */
export function openProcFile(path: string): number | Unavailable {
  try {
    return openSync(path, 'r');
  } catch (error) {
    return classify(error);
  }
}

/** Reads a /proc file as bytes (cmdline holds NUL separators and arbitrary encodings). */
export function readProcBytes(path: string): Buffer | Unavailable {
  try {
    return readFileSync(path);
  } catch (error) {
    return classify(error);
  }
}

/** Resolves a /proc symlink such as `exe`. */
export function readProcLink(path: string): string | Unavailable {
  try {
    return readlinkSync(path);
  } catch (error) {
    return classify(error);
  }
}

/** Lists a /proc directory such as `fd`. */
export function readProcDir(path: string): string[] | Unavailable {
  try {
    return readdirSync(path);
  } catch (error) {
    return classify(error);
  }
}
