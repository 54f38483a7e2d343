/**
 * A pprof profile as a `.pb.gz` file: gzipped protobuf, as `go tool pprof` and the continuous profilers read it.
 * Written private (0600) and never through a link, like every file leaktop writes about a process's heap, under
 * `FILE.partial` first so that a file under the final name is whole (private-file.ts); on failure nothing stays.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Profile } from 'pprof-format';
import { encodePprof } from '../core/alloc/to-pprof.js';
import { writePrivateFile } from './private-file.js';

const gzip = promisify(gzipCallback);

/** The names that ask for pprof rather than Chrome DevTools' `.heapprofile`. */
export function isPprofPath(path: string): boolean {
  return /\.(pb\.gz|pprof)$/i.test(path);
}

/** The gzipped protobuf of a profile (off the main thread's hot path: zlib runs in its thread pool). */
export async function gzipPprof(profile: Profile): Promise<Uint8Array> {
  return gzip(encodePprof(profile));
}

/** Writes the gzipped profile to `path`, replacing a file there (`-o` named it explicitly). */
export async function writePprofFile(path: string, gzipped: Uint8Array): Promise<void> {
  await writePrivateFile(path, gzipped, { replace: true });
}
