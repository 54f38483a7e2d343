/**
 * A pprof profile as a `.pb.gz` file: gzipped protobuf, as `go tool pprof` and the continuous profilers read it.
 * The caller writes it like every file about a process's heap: private, under `FILE.partial` first
 * (private-file.ts, writePrivateFile).
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Profile } from 'pprof-format';
import { encodePprof } from '../core/alloc/to-pprof.js';

const gzip = promisify(gzipCallback);

/** The names that ask for pprof rather than Chrome DevTools' `.heapprofile`. */
export function isPprofPath(path: string): boolean {
  return /\.(pb\.gz|pprof)$/i.test(path);
}

/** The gzipped protobuf of a profile (off the main thread's hot path: zlib runs in its thread pool). */
export async function gzipPprof(profile: Profile): Promise<Uint8Array> {
  return gzip(encodePprof(profile));
}
