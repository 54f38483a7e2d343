import { readFileSync } from 'node:fs';
import { SnapshotFormatError, type HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { analyze, type SnapshotAnalysis } from '../core/snapshot/analyze.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import { UserError } from '../core/user-error.js';
import { GzipDataError, isGzipFile, snapshotChunks } from '../files/snapshot-chunks.js';
import { readSnapshotInTwo, type SplitRead } from '../files/split-snapshot-read.js';

/**
 * Step 1 of the pipeline (analyze.ts) for a file: streams a `.heapsnapshot` file through the parser in 1 MiB reads
 * — the file is never one string, whatever its size. A malformed file is a usage-class error (exit 2) naming the
 * file and the byte offset.
 */
export async function readSnapshotFile(path: string): Promise<HeapSnapshot> {
  return (await readFile(path, false)).snapshot;
}

/**
 * Steps 1-4 for a file (parse, fold, name, group: `analyze`), which a large file runs on two threads: the worker
 * folds while this thread names. Errors as `readSnapshotFile`.
 */
export async function analyzeSnapshotFile(path: string): Promise<SnapshotAnalysis> {
  const { snapshot, names } = await readFile(path, true);
  return analyze(snapshot, { names: names ?? undefined });
}

async function readFile(path: string, group: boolean): Promise<SplitRead> {
  const parser = new SnapshotParser();
  try {
    // Large files on two threads; null when not worth it or not possible, and always for a malformed file, whose
    // exact error the one-piece parse below reports.
    // A gzip file streams through gunzip into the same parser; the two-thread read cuts plain files only.
    const gzip = await isGzipFile(path);
    const split = gzip ? null : await readSnapshotInTwo(path, { group });
    if (split) return split;
    for await (const chunk of snapshotChunks(path, gzip)) parser.write(chunk);
    return { snapshot: parser.end(), names: null };
  } catch (error) {
    if (error instanceof GzipDataError) {
      throw new UserError(`'${path}' is a damaged or cut-short gzip file: ${error.message}`, { exitCode: 2, hint: 'Copy or compress it again (gzip -t checks it).', cause: error });
    }
    if (error instanceof SnapshotFormatError) {
      throw new UserError(`'${path}' is not a valid heap snapshot: ${error.message}`, { exitCode: 2, hint: 'Was it cut short (disk full, process killed)? Take a new snapshot.', cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`no such file: '${path}'`, { exitCode: 2, cause: error });
    if (code === 'EACCES') throw new UserError(`not allowed to read '${path}'`, { cause: error });
    if (code === 'EISDIR') throw new UserError(`'${path}' is a directory, not a heap snapshot`, { exitCode: 2, cause: error });
    throw error;
  }
}

/** The sidecar leaktop writes beside a snapshot (`FILE.heapsnapshot.json`); null for files from elsewhere. */
export function readSidecar(path: string): { sessionId?: string; pid?: number } | null {
  // `X.heapsnapshot.gz` keeps the sidecar of the file it was compressed from, `X.heapsnapshot.json`, unless it has its own.
  const names = path.endsWith('.gz') ? [`${path}.json`, `${path.slice(0, -3)}.json`] : [`${path}.json`];
  for (const name of names) {
    try {
      return JSON.parse(readFileSync(name, 'utf8')) as { sessionId?: string; pid?: number };
    } catch {
      // the next name, or none
    }
  }
  return null;
}
