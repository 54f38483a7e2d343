/**
 * Files that hold heap contents: snapshots, their sidecars, diffs, allocation profiles. A heap holds whatever the
 * process holds (tokens, passwords, customers' data), so these files are readable by their owner only, and they
 * are never written through a symbolic link: leaktop often runs as root in a directory another user can write to
 * (the app's own directory, /tmp), where a link planted at a predictable name would make root overwrite or create
 * a file of that user's choice.
 *
 * The recipe: a new file is created 0600 with O_CREAT|O_EXCL|O_NOFOLLOW (open(2): with O_EXCL the call fails when
 * the name exists at all, a symbolic link included, even a dangling one) and chmod-ed through its descriptor, since
 * the umask can only remove bits from the mode given to open and a umask like 0277 would leave 0400. It is written
 * under a `.partial` name and published under its final name by link(2) (which fails when the final name exists,
 * atomically, also for a link) or, when the caller may replace what is there, by rename(2), which replaces the
 * directory entry itself and never follows a link at the destination.
 */
import { constants, mkdtempSync, chmodSync, type WriteStream } from 'node:fs';
import { chmod, link, lstat, mkdtemp, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/user-error.js';
import { isOpenByAnyProcess } from '../proc/find-open-file.js';

/** rw for the owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** rwx for the owner only. */
export const PRIVATE_DIR_MODE = 0o700;

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The suffix of a file being written; a file with it that no process holds open is left from an interrupted run. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Creates `path` as a new private file (0600 whatever the umask), never through a link. A name that exists — a
 * stale `.partial` from a killed run, another user's file, a planted link — is refused with a UserError and left
 * as it is: it may belong to someone else.
 */
export async function createPrivateFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, CREATE_FLAGS, PRIVATE_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') throw await existsError(path, error);
    throw error;
  }
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
  return handle;
}

/** A write stream on a new private file (see createPrivateFile); the stream closes the file. */
export async function createPrivateWriteStream(path: string): Promise<WriteStream> {
  const handle = await createPrivateFile(path);
  return handle.createWriteStream();
}

/** Options of publishing a file under its final name. */
export interface PublishOptions {
  /**
   * Replace a file already under the final name (only for a name the user gave explicitly, `-o FILE`). Without
   * it an existing name — a file, a directory or a link — is refused. @default false
   */
  replace?: boolean;
}

/**
 * Gives the complete file at `partialPath` its final name `path` (same directory). Without `replace`, a name that
 * exists is refused (a UserError) and the partial file is deleted; with it, the name's directory entry is replaced
 * (a link there is replaced, its target untouched).
 */
export async function publishPrivateFile(partialPath: string, path: string, options: PublishOptions = {}): Promise<void> {
  if (options.replace) {
    await rename(partialPath, path);
    return;
  }
  try {
    await link(partialPath, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await rm(partialPath, { force: true });
      throw new UserError(`'${path}' already exists (written meanwhile by someone else?); it was not replaced`, {
        hint: 'Choose another name, or delete that file first.',
        cause: error,
      });
    }
    // A file system without hard links (some FUSE and network ones): rename, after checking the name is free.
    // This leaves a short race that link closes, but rename still never writes through a link.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (await pathTaken(path)) {
      await rm(partialPath, { force: true });
      throw new UserError(`'${path}' already exists; it was not replaced`, { hint: 'Choose another name, or delete that file first.', cause: error });
    }
    await rename(partialPath, path);
    return;
  }
  await rm(partialPath, { force: true });
}

/**
 * Writes `data` to a new private file `path`: to `PATH.partial` first, published when complete, so that a file
 * under the final name is always whole. On failure nothing of it stays behind (a `.partial` someone else had there
 * is refused and left alone).
 */
export async function writePrivateFile(path: string, data: string | Uint8Array, options: PublishOptions = {}): Promise<void> {
  const partialPath = `${path}${PARTIAL_SUFFIX}`;
  const handle = await createPrivateFile(partialPath);
  try {
    await handle.writeFile(data);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partialPath, { force: true });
    throw error;
  }
  try {
    await publishPrivateFile(partialPath, path, options);
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  }
}

/** A new private temporary directory (0700) under the system's temp directory, for files deleted afterwards. */
export async function makePrivateTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, PRIVATE_DIR_MODE); // mkdtemp(3) asks for 0700 already; this makes it exact whatever happens
  return dir;
}

/** The same, synchronously. */
export function makePrivateTempDirSync(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/**
 * Fails with the error createPrivateFile would give when `path` exists (a stale `.partial`, a planted link), so a
 * caller can refuse before it asks anything of a process.
 */
export async function assertNameFree(path: string): Promise<void> {
  if (await pathTaken(path)) throw await existsError(path, undefined);
}

/** Whether a directory entry exists at `path`, not following a link (a dangling link counts). */
export async function pathTaken(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The names of leaktop's files being written: snapshots, their sidecars, allocation profiles, the TUI's diffs. */
const PARTIAL_NAME = /\.(heapsnapshot|heapsnapshot\.json|heapprofile)\.partial$|^leaktop-diff-.*\.(txt|json)\.partial$/;

/**
 * The `.partial` files in `dir` that no process holds open: left by a run that was killed (SIGKILL, the OOM
 * killer, a power cut) before it could delete them. Reported, never deleted: in a shared directory one may be
 * another user's, or a link someone planted. Empty when `dir` cannot be read.
 */
export async function findStalePartials(dir: string, procRoot = '/proc'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const candidates = names.filter((name) => PARTIAL_NAME.test(name)).map((name) => join(dir, name));
  if (candidates.length === 0) return [];
  return candidates.filter((path) => !isOpenByAnyProcess(path, procRoot));
}

/**
 * The one line that reports stale partial files, naming them by their file name, and their directory unless
 * `withDir` is false (the TUI's status line, whose snapshot directory the question named).
 */
export function stalePartialsMessage(paths: readonly string[], options: { withDir?: boolean } = {}): string {
  const names = paths.map((p) => basename(p));
  const shown = names.length > 3 ? [...names.slice(0, 3), `and ${names.length - 3} more`] : names;
  const where = options.withDir === false ? '' : ` (in ${dirname(paths[0]!)})`;
  return `found stale ${shown.join(', ')} from an interrupted snapshot; delete ${paths.length === 1 ? 'it' : 'them'}${where}`;
}

async function existsError(path: string, cause: unknown): Promise<UserError> {
  let isLink = false;
  try {
    isLink = (await lstat(path)).isSymbolicLink();
  } catch {
    // gone meanwhile: still refused, the caller may retry
  }
  if (isLink) {
    return new UserError(`'${path}' is a symbolic link; leaktop never writes heap contents through one`, {
      hint: 'Delete the link (someone may have planted it there), or write to another directory.',
      cause,
    });
  }
  const name = basename(path);
  const message = name.endsWith(PARTIAL_SUFFIX) ? `found stale ${name} from an interrupted snapshot; delete it` : `'${path}' already exists`;
  return new UserError(message, {
    hint: `It is in ${dirname(path)}. leaktop does not delete it itself: it may be another user's, or a snapshot still being written.`,
    cause,
  });
}
