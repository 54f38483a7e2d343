import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

/** A function's flat live bytes (what it allocated itself), as `pprof -top` ranks them. */
export interface FlatRow {
  name: string;
  file: string;
  line: number;
  bytes: number;
  objects: number;
}

/** A decoded `.pb.gz`: its sample types, comments, and functions by flat `inuse_space`, biggest first. */
export function readPprof(gzipped: Uint8Array) {
  const profile = Profile.decode(gunzipSync(gzipped));
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)]!;
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const sampleTypes = profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
  const space = sampleTypes.indexOf('inuse_space/bytes');
  const objects = sampleTypes.indexOf('inuse_objects/count');
  const flat = new Map<number, FlatRow>();
  let totalBytes = 0;
  for (const sample of profile.sample) {
    const leaf = locations.get(Number(sample.locationId[0]))!;
    const fn = functions.get(Number(leaf.line[0]!.functionId))!;
    const row = flat.get(Number(fn.id)) ?? { name: str(fn.name), file: str(fn.filename), line: Number(leaf.line[0]!.line), bytes: 0, objects: 0 };
    row.bytes += Number(sample.value[space]);
    row.objects += Number(sample.value[objects]);
    totalBytes += Number(sample.value[space]);
    flat.set(Number(fn.id), row);
  }
  return {
    profile,
    sampleTypes,
    defaultSampleType: str(profile.defaultSampleType),
    comments: profile.comment.map(str),
    totalBytes,
    flat: [...flat.values()].sort((a, b) => b.bytes - a.bytes),
  };
}

/** The `go` binary when a Go toolchain is on PATH (none is installed for the tests: it is used when present). */
export function goBinary(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The function `go tool pprof -top` puts first by flat inuse_space. */
export function goPprofTop(go: string, file: string): string {
  const out = execFileSync(go, ['tool', 'pprof', '-top', '-sample_index=inuse_space', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.split('\n');
  const header = lines.findIndex((l) => /^\s*flat\s+flat%/.test(l));
  const first = lines[header + 1]?.trim().split(/\s+/);
  if (header < 0 || !first) throw new Error(`unexpected go tool pprof output:\n${out}`);
  return first.slice(5).join(' ');
}
