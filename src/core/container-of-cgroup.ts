/**
 * Where a process lives, read from the text of /proc/PID/cgroup (cgroups(7)): the container runtimes and systemd
 * name their groups after what they run, so the path says which container, pod or unit a process belongs to.
 * Pure: no I/O; never throws on text it does not know (such a process is on the host, as far as we can tell).
 */
import { cellWidth, sanitize, truncate } from './format.js';

/** The container a process runs in. */
export interface ContainerRef {
  /** `docker`, `containerd`, `cri-o`, `podman`, `lxc`, or `cri` (Kubernetes on cgroup v1: the runtime is not named). */
  runtime: string;
  /** The container id as the runtime's own tools print it in full (64 hex for docker, containerd, cri-o, podman). */
  id: string;
  /** The Kubernetes pod uid (dashes, as `kubectl get pod -o jsonpath='{.metadata.uid}'` prints it), or null. */
  pod: string | null;
}

/** A pm2-managed app: pm2 starts each with `name` and `pm_id` in its environment. */
export interface Pm2App {
  name: string;
  id: number;
}

/** The pm2 app of an initial environment, or null: both `pm_id` (a number) and `name` must be there. */
export function pm2AppOf(environment: ReadonlyMap<string, string>): Pm2App | null {
  const id = environment.get('pm_id');
  const name = environment.get('name');
  return id !== undefined && /^\d+$/.test(id) && name ? { name, id: Number(id) } : null;
}

/** What /proc/PID/cgroup says about a process. */
export interface CgroupPlace {
  container: ContainerRef | null;
  /** The systemd service the process belongs to (`nginx.service`, a user's `app.service`), or null. */
  unit: string | null;
}

const HEX_ID = '[0-9a-f]{64}';
/** A path segment that is a container id and nothing else. */
const BARE_ID = new RegExp(`^${HEX_ID}$`);

/** Path-segment patterns of the runtimes, most specific first. Each captures the container id. */
const SEGMENT_RUNTIMES: ReadonlyArray<readonly [RegExp, string]> = [
  // Kubernetes with the systemd cgroup driver, and cri-containerd outside it.
  [new RegExp(`^cri-containerd-(${HEX_ID})\\.scope$`), 'containerd'],
  [new RegExp(`^crio-(${HEX_ID})\\.scope$`), 'cri-o'],
  // nerdctl (containerd without Kubernetes), systemd driver.
  [new RegExp(`^nerdctl-(${HEX_ID})\\.scope$`), 'containerd'],
  // Docker with the systemd driver (cgroup v2 default): /system.slice/docker-<id>.scope.
  [new RegExp(`^docker-(${HEX_ID})\\.scope$`), 'docker'],
  // Podman: /machine.slice/libpod-<id>.scope (root), …/user@1000.service/user.slice/libpod-<id>.scope (rootless),
  // /libpod_parent/libpod-<id> (cgroupfs driver). Not libpod-conmon-<id>: that is the monitor, not the container.
  [new RegExp(`^libpod-(${HEX_ID})(?:\\.scope)?$`), 'podman'],
];

/**
 * A Kubernetes pod segment: `pod<uid>` (cgroupfs driver) or `kubepods-<qos>-pod<uid_with_underscores>.slice`
 * (systemd driver). A static pod's uid is a 32-hex hash of its manifest, without dashes.
 */
const POD_SEGMENT = /^(?:kubepods(?:-[a-z]+)?-pod([0-9a-f_]{36}|[0-9a-f]{32})\.slice|pod([0-9a-f-]{36}|[0-9a-f]{32}))$/;

/** The container named by one cgroup path, or null. */
export function containerOfPath(path: string): ContainerRef | null {
  return findContainer(path)?.container ?? null;
}

/** The container and the path inside it (where a system container such as LXC runs its own units). */
function findContainer(path: string): { container: ContainerRef; inside: string } | null {
  const segments = path.split('/').filter((s) => s !== '');
  let pod: string | null = null;
  let inKubepods = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === 'kubepods' || segment.startsWith('kubepods.slice') || segment.startsWith('kubepods-')) inKubepods = true;
    const podMatch = inKubepods ? POD_SEGMENT.exec(segment) : null;
    if (podMatch) {
      pod = (podMatch[1] ?? podMatch[2]!).replaceAll('_', '-');
      continue;
    }
    for (const [pattern, runtime] of SEGMENT_RUNTIMES) {
      const match = pattern.exec(segment);
      if (match) return found({ runtime, id: match[1]!, pod }, i + 1);
    }
    // Kubernetes, cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>; the runtime (containerd, cri-o, docker) is unnamed.
    if (pod !== null && BARE_ID.test(segment)) return found({ runtime: 'cri', id: segment, pod }, i + 1);
    // Docker with the cgroupfs driver (v1, and v2 without systemd): /docker/<id>, also nested (/docker/<id>/docker/<id>:
    // the first is the container on this host).
    if (segment === 'docker' && i + 1 < segments.length && BARE_ID.test(segments[i + 1]!)) {
      return found({ runtime: 'docker', id: segments[i + 1]!, pod }, i + 2);
    }
    // Amazon ECS on EC2 (docker underneath): /ecs/<task id>/<container id>.
    if (segment === 'ecs' && i + 2 < segments.length && BARE_ID.test(segments[i + 2]!)) {
      return found({ runtime: 'docker', id: segments[i + 2]!, pod: null }, i + 3);
    }
    // LXC / Incus / LXD: /lxc/<name> (v1), /lxc.payload.<name> (v2). Names, not hex ids.
    if (segment === 'lxc' && i + 1 < segments.length) return found({ runtime: 'lxc', id: segments[i + 1]!, pod: null }, i + 2);
    const payload = /^lxc\.payload\.(.+)$/.exec(segment);
    if (payload) return found({ runtime: 'lxc', id: payload[1]!, pod: null }, i + 1);
  }
  return null;

  function found(container: ContainerRef, insideFrom: number) {
    return { container, inside: `/${segments.slice(insideFrom).join('/')}` };
  }
}

/**
 * The systemd service named by one cgroup path: its deepest `*.service` segment, so that a user's unit
 * (`/user.slice/user-1000.slice/user@1000.service/app.slice/web.service`) is `web.service`, not the user manager.
 * Login sessions (`session-3.scope`) and the user manager itself say nothing useful about the process and give null,
 * as do template-less instance markers.
 */
export function unitOfPath(path: string): string | null {
  const segments = path.split('/').filter((s) => s.endsWith('.service'));
  const unit = segments.at(-1);
  if (unit === undefined) return null;
  // The user manager's own group (`user@1000.service/init.scope`) and its session children are not a service the user
  // wrote: only a unit below it names the process.
  if (/^user@\d+\.service$/.test(unit)) return null;
  return unit;
}

interface CgroupLine {
  hierarchy: string;
  controllers: string[];
  path: string;
}

function parseLines(text: string): CgroupLine[] {
  const lines: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    // `hierarchy-ID:controller-list:cgroup-path`; the path may itself contain colons, so split on the first two only.
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const path = line.slice(second + 1).trim();
    if (!path.startsWith('/')) continue;
    lines.push({ hierarchy: line.slice(0, first), controllers: line.slice(first + 1, second).split(','), path });
  }
  return lines;
}

/**
 * Parses /proc/PID/cgroup text: v1 (one line per hierarchy), v2 (`0::/path`) or hybrid (both). The container comes
 * from whichever line names one (controllers may disagree when a tool moved the process in one hierarchy only: the
 * unified and memory lines are trusted first); the unit from systemd's own lines (`0::` or `name=systemd`) first.
 * In a container, only a unit inside it counts: on a hybrid host the unified line of a docker (v1) container still
 * says `containerd.service`, the group of the shim that started it, not the process's service.
 */
export function placeOfCgroup(text: string): CgroupPlace {
  const lines = parseLines(typeof text === 'string' ? text : '');
  const rank = (l: CgroupLine) => (l.hierarchy === '0' && l.controllers.join('') === '' ? 0 : l.controllers.includes('memory') ? 1 : l.controllers.includes('name=systemd') ? 2 : 3);
  for (const line of [...lines].sort((a, b) => rank(a) - rank(b))) {
    const found = findContainer(line.path);
    if (found) return { container: found.container, unit: unitOfPath(found.inside) };
  }
  const systemdFirst = [...lines].sort((a, b) => systemdRank(a) - systemdRank(b));
  let unit: string | null = null;
  for (const line of systemdFirst) {
    unit = unitOfPath(line.path);
    if (unit) break;
  }
  return { container: null, unit };
}

const systemdRank = (l: CgroupLine) => (l.controllers.includes('name=systemd') ? 0 : l.hierarchy === '0' ? 1 : 2);

/** A container id as `docker ps` shows it: the first 12 characters (names, as LXC's, are kept whole). */
export function shortContainerId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/** Where a process lives and what manages it, as the table and the filter use it. */
export interface Place {
  container: ContainerRef | null;
  unit: string | null;
  /** Absent or null: not a pm2 app (or not known). */
  pm2?: Pm2App | null;
}

/**
 * The CONTAINER cell: `docker:1a2b3c4d5e6f`, `pod:5d1b2c3e` (a Kubernetes pod, by the start of its uid, which
 * `kubectl get pods -A -o custom-columns=NAME:.metadata.name,UID:.metadata.uid` maps to a name), `pm2:orders-api`,
 * or the unit (`web.service`); null for a process on the host. A pm2 app's name goes before its unit: every app of
 * one pm2 daemon shares the daemon's unit (`pm2-root.service`). Narrower than that, the runtime or `pm2:` goes
 * first, then `.service`, then the end is cut.
 */
export function placeLabel(place: Place, width = Infinity): string | null {
  const { container, unit, pm2 } = place;
  const candidates: string[] = [];
  if (container?.pod) candidates.push(`pod:${container.pod.slice(0, 8)}`);
  else if (container) candidates.push(`${container.runtime}:${shortContainerId(container.id)}`, shortContainerId(container.id));
  else if (pm2) candidates.push(`pm2:${pm2.name}`, pm2.name);
  else if (unit) candidates.push(unit, unit.replace(/\.service$/, ''));
  else return null;
  // An LXC name or a unit name is anyone's to choose: made safe to print here, once for every caller.
  for (const candidate of candidates.map(sanitize)) if (cellWidth(candidate) <= width) return candidate;
  return truncate(sanitize(candidates.at(-1)!), width);
}

/** Everything that names a place, for the table's filter: `docker:<full id> pod:<uid> pm2:<name> web.service`. */
export function placeSearchText(place: Place): string {
  const { container, unit, pm2 } = place;
  return [container && `${container.runtime}:${container.id}`, container?.pod && `pod:${container.pod}`, pm2 && `pm2:${pm2.name}`, unit].filter(Boolean).join(' ');
}
