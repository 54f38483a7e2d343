import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The file node_exporter's textfile collector reads (it reads every `*.prom` of its directory). */
export const TEXTFILE_NAME = 'leaktop.prom';

/**
 * Writes the exposition text for node_exporter's textfile collector. Atomically: into a temporary name in the same
 * directory (not ending in `.prom`, so the collector never reads it half written), then rename(2) over the file,
 * which a reader sees either whole before or whole after. 0644: node_exporter often runs as another user, and the
 * text holds what /metrics shows anyway (use --no-command to keep command lines out).
 */
export class TextfileWriter {
  readonly path: string;
  readonly #temporary: string;

  constructor(readonly dir: string) {
    this.path = join(dir, TEXTFILE_NAME);
    this.#temporary = join(dir, `.${TEXTFILE_NAME}.${process.pid}.tmp`);
  }

  async write(text: string | Uint8Array): Promise<void> {
    // Created afresh (O_EXCL): a symlink planted at the temporary name in a shared directory is removed, never
    // followed, and one planted between the two calls makes this write fail rather than write through it.
    await rm(this.#temporary, { force: true });
    const file = await open(this.#temporary, 'wx', 0o644);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(this.#temporary, this.path);
  }

  /** Removes the file, so that the collector stops exporting figures no longer refreshed (a stopped serve). */
  async remove(): Promise<void> {
    await rm(this.#temporary, { force: true });
    await rm(this.path, { force: true });
  }
}
