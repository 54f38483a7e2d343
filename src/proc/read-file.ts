import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

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

/**
 * One buffer for every read here. Not readFileSync: /proc files report size 0, so it reads them in fresh 64 KiB
 * buffers (two per file, then a concat), outside the V8 heap; 300 new processes cost ~200 MB of such garbage and
 * left `leaktop serve`'s malloc heap 23 MB larger for good (fragmented, never returned), measured.
 */
const SHARED_BYTES = 64 * 1024;
/** A buffer grown past this for one big file (maps of a large process) is not kept for the next reads. */
const MAX_KEPT_BYTES = 1024 * 1024;
let shared = Buffer.allocUnsafeSlow(SHARED_BYTES);

/** Reads the whole file; its bytes are `[0, length)` of the returned buffer, valid until the next read here. */
function readWhole(path: string): { buffer: Buffer; length: number } {
  let buffer = shared;
  let length = 0;
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
  } finally {
    closeSync(fd);
  }
  if (buffer.length <= MAX_KEPT_BYTES) shared = buffer;
  return { buffer, length };
}

/** Reads a /proc file as text; a vanished process or a refusal comes back as a value, anything else throws. */
export function readProcText(path: string): string | Unavailable {
  try {
    const { buffer, length } = readWhole(path);
    return buffer.toString('latin1', 0, length);
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

/** Reads a /proc file as bytes (cmdline holds NUL separators and arbitrary encodings); a copy the caller may keep. */
export function readProcBytes(path: string): Buffer | Unavailable {
  try {
    const { buffer, length } = readWhole(path);
    return Buffer.from(buffer.subarray(0, length));
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
