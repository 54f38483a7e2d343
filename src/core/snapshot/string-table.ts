/**
 * The snapshot's `strings`, kept as the bytes of their JSON literals (between the quotes, as in the file) and decoded
 * when asked for. A 1 GB snapshot has ~2.5 million strings, mostly the contents of string objects that nothing
 * reads by text; as JS strings they cost ~40 bytes each (header, characters, array slot), as bytes plus an offset
 * ~16. Readers ask by index for the few they show or compare (class names, property names), and the hot loops
 * compare indices, never text.
 *
 * A literal is decoded by the fastest way its flag allows: plain printable ASCII without a backslash (nearly all of
 * them) straight from the bytes; anything else (escapes, UTF-8) through the full JSON decoding, which the parser
 * has already checked once.
 */
export class StringTable {
  /** Number of strings. */
  readonly length: number;

  constructor(
    /** The literals' bytes back to back. */
    private readonly bytes: Uint8Array,
    /** length + 1 offsets into `bytes`: string i is bytes[offsets[i] .. offsets[i + 1]). */
    private readonly offsets: Uint32Array,
    /** Per string: 1 when it needs full decoding (a backslash or a byte outside printable ASCII), else 0. */
    private readonly complex: Uint8Array,
  ) {
    this.length = offsets.length - 1;
  }

  /** A table of ordinary JS strings (for tests and hand-made snapshots). */
  static of(strings: readonly string[]): StringTable {
    const encoder = new TextEncoder();
    const parts = strings.map((text) => encoder.encode(JSON.stringify(text).slice(1, -1)));
    const offsets = new Uint32Array(strings.length + 1);
    for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
    const bytes = new Uint8Array(offsets[strings.length]!);
    const complex = new Uint8Array(strings.length);
    parts.forEach((part, i) => {
      bytes.set(part, offsets[i]);
      if (!isPlainAscii(part, 0, part.length)) complex[i] = 1;
    });
    return new StringTable(bytes, offsets, complex);
  }

  /**
   * The strings that needed full decoding, once decoded: searches (`indicesOf`) look at every string, and V8 escapes
   * all non-ASCII text, so a heap full of it would otherwise be decoded again by each search.
   */
  private readonly decodedComplex = new Map<number, string>();

  /** String `index`, or '' when there is no such string. */
  get(index: number): string {
    if (!(index >= 0 && index < this.length)) return '';
    const start = this.offsets[index]!;
    const end = this.offsets[index + 1]!;
    if (start === end) return '';
    if (this.complex[index] === 0) return latin1(this.bytes, start, end);
    let text = this.decodedComplex.get(index);
    if (text === undefined) {
      text = JSON.parse(`"${utf8.decode(this.bytes.subarray(start, end))}"`) as string;
      this.decodedComplex.set(index, text);
    }
    return text;
  }

  /** The first index of `text`, or -1. Compares bytes, decoding only candidates of the right length. */
  indexOf(text: string): number {
    for (const index of this.indicesOf(text, 1)) return index;
    return -1;
  }

  /** Every index of `text` (V8 writes each string once; other writers may repeat one), at most `limit`. */
  indicesOf(text: string, limit = Number.POSITIVE_INFINITY): number[] {
    const found: number[] = [];
    const literal = new TextEncoder().encode(JSON.stringify(text).slice(1, -1));
    const { bytes, offsets, complex } = this;
    const count = this.length;
    const wanted = literal.length;
    const first = literal[0];
    // One pass over millions of strings on large heaps: most differ in length, the rest mostly in the first byte.
    let start = offsets[0]!;
    for (let i = 0; i < count; i++) {
      const end = offsets[i + 1]!;
      const length = end - start;
      if (complex[i] === 1) {
        // Escapes can spell one string several ways: compare the decoded text. The literal is at least as long as
        // what it decodes to, so a shorter one cannot match.
        if (length >= text.length && this.get(i) === text && found.push(i) >= limit) break;
      } else if (length === wanted && (length === 0 || bytes[start] === first)) {
        let same = true;
        for (let k = 1; k < length && same; k++) same = bytes[start + k] === literal[k];
        if (same && found.push(i) >= limit) break;
      }
      start = end;
    }
    return found;
  }

  /** All strings, decoded (for tests and small snapshots). */
  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.get(i));
  }
}

const utf8 = new TextDecoder();

/** 1 for the bytes a literal holds as they are, without decoding: 0x20-0x7f except '"' and '\\'. */
export const PLAIN_ASCII = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) if (c !== 0x22 && c !== 0x5c) PLAIN_ASCII[c] = 1;

/** Whether bytes start..end are all PLAIN_ASCII: then latin1 decoding gives the string. */
export function isPlainAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (PLAIN_ASCII[bytes[i]!] !== 1) return false;
  return true;
}

/**
 * Node's one-byte string maker behind `Buffer#toString('latin1', start, end)`. Called on a plain Uint8Array it makes
 * the string straight from the bytes, with no subarray or Buffer object per string. Measured on Node 20 over the
 * literals of real snapshots (~10 bytes on average): about twice as fast as TextDecoder, whose 'latin1' is no
 * faster than its 'utf-8', and than String.fromCharCode.apply. It is not public API, so it is looked up and tried
 * once here; where it is missing or misbehaves (not Node, a future Node) String.fromCharCode is used instead.
 */
const latin1Slice = findLatin1Slice();

function findLatin1Slice(): ((this: Uint8Array, start: number, end: number) => string) | undefined {
  try {
    const buffer = (globalThis as { Buffer?: { prototype?: Record<string, unknown> } }).Buffer;
    const slice = buffer?.prototype?.['latin1Slice'];
    if (typeof slice !== 'function') return undefined;
    const fn = slice as (this: Uint8Array, start: number, end: number) => string;
    return fn.call(Uint8Array.of(0x5b, 0x6f, 0x6b, 0x7f, 0x5d), 1, 4) === 'ok\x7f' ? fn : undefined;
  } catch {
    return undefined;
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (latin1Slice) return latin1Slice.call(bytes, start, end);
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}
