import { cellWidth, sanitize, truncate, truncateMiddle } from './format.js';

/**
 * Command lines for a narrow COMMAND column that still tell the rows apart. Cutting each line on its own (in the
 * middle, or at the end) drops what differs between processes of one checkout — `/srv/app/services/orders/index.js`
 * and `/srv/app/services/billing/index.js` both became `node /srv/ap~/index.js`. So the lines are shortened
 * together, step by step, until all of them fit; each step drops something that names nothing:
 *
 *  0. the interpreter's directory (`/usr/bin/node` → `node`);
 *  1. the directory prefix the rows' scripts share (`/srv/app/services/`), never into a script's own directory;
 *  2. the rest of each script's path but its directory and file (`dist/server.js`; in node_modules, from the package);
 *  3. an `index.js` (or .mjs, .cjs) file, which its directory names already, as `node DIR` runs it;
 *  4. Node's options before the script (`--max-old-space-size=4096`, `-r dotenv/config`);
 *  5. the word `node` itself where a script follows: every row of this table is a Node process.
 *
 * A `process.title` (one argument that is not a path) is kept as it is, as is any argument after the script. Only
 * a line still too wide after the last step is cut, at its end, so its head — what names it — stays (in the middle
 * where the end is what tells two rows apart). The full line is
 * in the detail view and in `list`. Pure.
 */

/** What one row gives: its argv, and the line to show when it has none (a zombie, a kernel-named process). */
export interface CommandOfRow {
  argv: readonly string[];
  command: string;
}

/** Node options whose value is the next argument, so that value is not mistaken for the script. */
const OPTIONS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title', '--env-file', '--inspect-port', '--stack-size', '--max-old-space-size', '--input-type']);
/** Options after which no script follows (`node -e CODE`, `node -p CODE`). */
const EVAL_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);

const LAST_STEP = 5;

interface Parsed {
  /** The interpreter as given (argv[0]). */
  interpreter: string;
  /** Arguments between the interpreter and the script (Node's options). */
  options: string[];
  /** The script as given, or null (a REPL, `-e`, or a process.title). */
  script: string | null;
  /** Arguments after the script (the program's own). */
  args: string[];
}

function parse(argv: readonly string[]): Parsed | null {
  // A process.title that holds spaces (`node /app/server.js` set by pm2, say) comes back from /proc as one argument.
  const tokens = argv.length === 1 && argv[0]!.includes(' ') ? argv[0]!.split(' ').filter(Boolean) : [...argv];
  if (tokens.length === 0) return null;
  const [interpreter, ...rest] = tokens as [string, ...string[]];
  const options: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (EVAL_OPTIONS.has(token)) return { interpreter, options: rest, script: null, args: [] };
    if (token.startsWith('-')) {
      options.push(token);
      if (OPTIONS_WITH_VALUE.has(token) && i + 1 < rest.length) options.push(rest[++i]!);
      continue;
    }
    return { interpreter, options, script: token, args: rest.slice(i + 1) };
  }
  return { interpreter, options, script: null, args: [] };
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirname = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/**
 * The longest directory prefix (ending in `/`) shared by every script path, stopping short of each script's own
 * directory so that `dir/file` stays. Empty when fewer than two rows have an absolute script.
 */
export function sharedScriptPrefix(scripts: readonly string[]): string {
  const absolute = scripts.filter((s) => s.startsWith('/'));
  if (absolute.length < 2) return '';
  // Each script may give up at most the directory above its own: /a/b/c/d.js keeps c/d.js, so at most /a/b/.
  const limits = absolute.map((s) => dirname(dirname(s).slice(0, -1)));
  let prefix = limits[0]!;
  for (const limit of limits.slice(1)) {
    while (!limit.startsWith(prefix)) prefix = dirname(prefix.slice(0, -1));
  }
  return prefix === '/' ? '' : prefix;
}

/**
 * The tail of each script path that still tells it from the others: its directory and file, or more where two
 * scripts share those (`orders/dist/index.js` and `billing/dist/index.js` keep their service's directory). Within
 * node_modules the tail starts at the package (`next/dist/bin/next`; `.bin/next` is `next`). The same script run
 * twice cannot be told apart by its path: both keep `dir/file`.
 */
export function distinctTails(scripts: readonly string[]): Map<string, string> {
  const tails = new Map<string, string>();
  const unique = [...new Set(scripts)];
  const parts = unique.map((s) => s.split('/').filter(Boolean));
  const tailOf = (i: number, k: number) => parts[i]!.slice(-k).join('/');
  // How many scripts end in each k-component tail, per k: counted once, so that a host of many scripts costs
  // (scripts × depth), not (scripts² × depth).
  const counts = new Map<number, Map<string, number>>();
  const countOf = (i: number, k: number) => {
    let byTail = counts.get(k);
    if (!byTail) {
      byTail = new Map();
      for (let j = 0; j < unique.length; j++) byTail.set(tailOf(j, k), (byTail.get(tailOf(j, k)) ?? 0) + 1);
      counts.set(k, byTail);
    }
    return byTail.get(tailOf(i, k))!;
  };
  unique.forEach((script, i) => {
    const modules = script.lastIndexOf('/node_modules/');
    if (modules >= 0) {
      const inside = script.slice(modules + '/node_modules/'.length);
      tails.set(script, inside.startsWith('.bin/') ? inside.slice('.bin/'.length) : inside);
      return;
    }
    let k = Math.min(2, parts[i]!.length);
    while (k < parts[i]!.length && countOf(i, k) > 1) k++;
    const tail = tailOf(i, k);
    tails.set(script, k === parts[i]!.length && script.startsWith('/') ? script : tail || script);
  });
  return tails;
}

const isNodeName = (name: string) => /^node(js)?[\d.]*$/.test(name);

function render(parsed: Parsed, step: number, prefix: string, tails: ReadonlyMap<string, string>): string {
  const interpreter = parsed.interpreter.includes('/') ? basename(parsed.interpreter) : parsed.interpreter;
  if (parsed.script === null) return [interpreter, ...parsed.options, ...parsed.args].join(' ');
  let script = parsed.script;
  if (step >= 2) script = tails.get(script) ?? script;
  else if (step >= 1 && prefix && script.startsWith(prefix)) script = script.slice(prefix.length);
  if (step >= 3 && /\/index\.[cm]?js$/.test(script)) script = script.replace(/\/index\.[cm]?js$/, '');
  const words = [];
  if (step < LAST_STEP || !isNodeName(interpreter)) words.push(interpreter);
  if (step < 4) words.push(...parsed.options);
  words.push(script, ...parsed.args);
  return words.join(' ');
}

/** Each row's command in at most `width` cells, shortened together with the others (see the module comment). */
export function shortenCommands(rows: readonly CommandOfRow[], width: number): string[] {
  const parsed = rows.map((r) => parse(r.argv));
  const scripts = parsed.flatMap((p) => (p?.script ? [p.script] : []));
  const prefix = sharedScriptPrefix(scripts);
  const tails = distinctTails(scripts);
  const at = (step: number) => parsed.map((p, i) => sanitize(p ? render(p, step, prefix, tails) : rows[i]!.command));
  // The step is the first at which every row fits — every row that can: one too long even after the last step (a
  // long argument list) would otherwise strip every other row too. Such a row is shown at the last step, whose head
  // (script first) is what its cut keeps best.
  const last = at(LAST_STEP);
  const canFit = last.map((line) => cellWidth(line) <= width);
  let lines = at(0);
  for (let step = 1; step <= LAST_STEP && lines.some((line, i) => canFit[i] && cellWidth(line) > width); step++) lines = at(step);
  lines = lines.map((line, i) => (canFit[i] ? line : last[i]!));
  const cut = lines.map((line) => truncate(line, width));
  // Lines that differ only in their end (the same script with other arguments) would read the same once cut there:
  // those are cut in the middle instead, which keeps both the script's head and the arguments' end.
  const seen = new Map<string, Set<string>>();
  cut.forEach((line, i) => seen.set(line, (seen.get(line) ?? new Set()).add(lines[i]!)));
  return cut.map((line, i) => (seen.get(line)!.size > 1 ? truncateMiddle(lines[i]!, width) : line));
}
