import { parseArgs } from 'node:util';

/**
 * A bench's options from its command line: each of `numbers` is `--name N`, a whole number ≥ 1, with its default;
 * each of `strings` is `--name TEXT` with its default; each of `flags` is a bare `--name` (true when given). An unknown
 * option, or a number that is not whole and ≥ 1, stops the bench with a line saying which.
 */
export function benchArgs<N extends string, S extends string = never, F extends string = never>(
  numbers: Record<N, number>,
  strings: Record<S, string> = {} as Record<S, string>,
  flags: readonly F[] = [],
  args: string[] = process.argv.slice(2),
): { [K in N]: number } & { [K in S]: string } & { [K in F]: boolean } {
  const options: Record<string, { type: 'string'; default: string } | { type: 'boolean'; default: boolean }> = {};
  for (const [name, value] of Object.entries<number | string>({ ...numbers, ...strings })) options[name] = { type: 'string', default: String(value) };
  for (const name of flags) options[name] = { type: 'boolean', default: false };
  const { values } = parseArgs({ args, options, strict: true });
  const parsed: Record<string, number | string | boolean> = {};
  const wrong: string[] = [];
  for (const name of Object.keys(strings)) parsed[name] = values[name] as string;
  for (const name of flags) parsed[name] = values[name] === true;
  for (const name of Object.keys(numbers)) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) wrong.push(`--${name}`);
    parsed[name] = n;
  }
  if (wrong.length > 0) throw new Error(`${wrong.join(', ')} ${wrong.length === 1 ? 'takes a whole number' : 'take whole numbers'} ≥ 1`);
  return parsed as { [K in N]: number } & { [K in S]: string } & { [K in F]: boolean };
}
