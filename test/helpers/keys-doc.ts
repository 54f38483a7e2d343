/**
 * docs/usage.md's key table, made from the keymap: `usageWithKeyTable` puts it between its markers; run this file
 * (`node dist/test/helpers/keys-doc.js` after a build) to write it after changing src/ui/keymap.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEY_TABLE_BEGIN, KEY_TABLE_END, keyTableMarkdown } from '../../src/ui/keymap.js';

/** The checkout (dist/test/helpers/ is three folders down); not from targets.ts, which starts processes. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const USAGE_DOC = join(repoRoot, 'docs', 'usage.md');

/** The usage doc with its key table replaced by the keymap's. */
export function usageWithKeyTable(doc: string): string {
  const begin = doc.indexOf(KEY_TABLE_BEGIN);
  const end = doc.indexOf(KEY_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`docs/usage.md has no ${KEY_TABLE_BEGIN} … ${KEY_TABLE_END}`);
  return `${doc.slice(0, begin + KEY_TABLE_BEGIN.length)}\n${keyTableMarkdown()}${doc.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(USAGE_DOC, usageWithKeyTable(readFileSync(USAGE_DOC, 'utf8')));
  console.log(`wrote the key table of ${USAGE_DOC}`);
}
