import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerOfPath, placeLabel, placeOfCgroup, placeSearchText, pm2AppOf, shortContainerId, unitOfPath } from '../../src/core/container-of-cgroup.js';

// Captured /proc/PID/cgroup text, one per runtime and cgroup version (ids are real-looking 64-hex strings).
const ID = '3f2c9e1a7b4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd';
const ID2 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef0';
const REAL_ID = '84c5d274d1a048dc5eab6a71e790bd6506899fdc0d18e9c56f97c7c3d13d62f2';
const POD = '5d1b2c3e-4f56-4789-9abc-def012345678';

const dockerV1 = `12:pids:/docker/${ID}
11:memory:/docker/${ID}
10:cpuset:/docker/${ID}
9:devices:/docker/${ID}
8:blkio:/docker/${ID}
7:net_cls,net_prio:/docker/${ID}
6:hugetlb:/docker/${ID}
5:freezer:/docker/${ID}
4:perf_event:/docker/${ID}
3:cpu,cpuacct:/docker/${ID}
2:rdma:/
1:name=systemd:/docker/${ID}
0::/system.slice/containerd.service
`;
/** Captured from a real container (Debian's docker.io 20.10.24, cgroupfs driver, this host's v1 + unified hierarchies). */
const dockerReal = `9:name=systemd:/docker/${REAL_ID}
8:pids:/docker/${REAL_ID}
7:blkio:/docker/${REAL_ID}
6:freezer:/docker/${REAL_ID}
5:devices:/docker/${REAL_ID}
4:memory:/docker/${REAL_ID}
3:cpuset:/docker/${REAL_ID}
2:cpuacct:/docker/${REAL_ID}
1:cpu:/docker/${REAL_ID}
0::/docker/${REAL_ID}
`;
const dockerV2 = `0::/system.slice/docker-${ID}.scope\n`;
const dockerV2Cgroupfs = `0::/docker/${ID}\n`;
const k8sV1 = `12:memory:/kubepods/burstable/pod${POD}/${ID}
11:cpu,cpuacct:/kubepods/burstable/pod${POD}/${ID}
1:name=systemd:/kubepods/burstable/pod${POD}/${ID}
`;
const k8sV1Guaranteed = `4:memory:/kubepods/pod${POD}/${ID}\n`;
const k8sV2Containerd = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`;
const k8sV2Crio = `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD.replaceAll('-', '_')}.slice/crio-${ID}.scope\n`;
const k8sV2Guaranteed = `0::/kubepods.slice/kubepods-pod${POD.replaceAll('-', '_')}.slice/cri-containerd-${ID}.scope\n`;
const k8sDockerShim = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replaceAll('-', '_')}.slice/docker-${ID}.scope\n`;
const podmanRoot = `0::/machine.slice/libpod-${ID}.scope/container\n`;
const podmanRootless = `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope\n`;
const podmanV1 = `11:memory:/machine.slice/libpod-${ID}.scope
1:name=systemd:/machine.slice/libpod-${ID}.scope
`;
const podmanCgroupfs = `0::/libpod_parent/libpod-${ID}\n`;
const podmanConmon = `0::/machine.slice/libpod-conmon-${ID}.scope\n`;
const nerdctl = `0::/system.slice/nerdctl-${ID}.scope\n`;
const lxcV2 = `0::/lxc.payload.web1/system.slice/app.service\n`;
const systemdV2 = `0::/system.slice/orders-api.service\n`;
const systemdV1 = `12:pids:/system.slice/orders-api.service
11:memory:/system.slice/orders-api.service
2:rdma:/
1:name=systemd:/system.slice/orders-api.service
0::/
`;
const userUnit = `0::/user.slice/user-1000.slice/user@1000.service/app.slice/web.service\n`;
const userManager = `0::/user.slice/user-1000.slice/user@1000.service/init.scope\n`;
const session = `0::/user.slice/user-1000.slice/session-3.scope\n`;
const hostV1 = `9:name=systemd:/
8:pids:/
4:memory:/process_api/769de24e97d84a2a08a69ae2cd9f5165
0::/
`;
const inContainerNamespace = `0::/\n`;

test('a real docker container, as its /proc/PID/cgroup read', () => {
  assert.deepEqual(placeOfCgroup(dockerReal), { container: { runtime: 'docker', id: REAL_ID, pod: null }, unit: null });
});

test('docker: v1 (every hierarchy, name=systemd), v2 systemd driver, v2 cgroupfs driver', () => {
  for (const text of [dockerV1, dockerV2, dockerV2Cgroupfs]) {
    assert.deepEqual(placeOfCgroup(text), { container: { runtime: 'docker', id: ID, pod: null }, unit: null }, text);
  }
});

test('Kubernetes: v1 cgroupfs (runtime unnamed), v2 systemd driver with containerd, cri-o and docker; the pod uid with dashes', () => {
  assert.deepEqual(placeOfCgroup(k8sV1).container, { runtime: 'cri', id: ID, pod: POD });
  assert.deepEqual(placeOfCgroup(k8sV1Guaranteed).container, { runtime: 'cri', id: ID, pod: POD });
  assert.deepEqual(placeOfCgroup(k8sV2Containerd).container, { runtime: 'containerd', id: ID, pod: POD });
  assert.deepEqual(placeOfCgroup(k8sV2Crio).container, { runtime: 'cri-o', id: ID, pod: POD });
  assert.deepEqual(placeOfCgroup(k8sV2Guaranteed).container, { runtime: 'containerd', id: ID, pod: POD });
  assert.deepEqual(placeOfCgroup(k8sDockerShim).container, { runtime: 'docker', id: ID, pod: POD });
  for (const text of [k8sV1, k8sV2Containerd, k8sV2Crio]) assert.equal(placeOfCgroup(text).unit, null);
  const staticPod = 'a3f1c0d2e4b5a6c7d8e9f0a1b2c3d4e5';
  assert.deepEqual(placeOfCgroup(`0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${staticPod}.slice/cri-containerd-${ID}.scope\n`).container, { runtime: 'containerd', id: ID, pod: staticPod }, 'a static pod');
});

test('podman: root (machine.slice, with its container sub-group), rootless, v1, cgroupfs; conmon is not the container', () => {
  for (const text of [podmanRoot, podmanRootless, podmanV1, podmanCgroupfs]) {
    assert.deepEqual(placeOfCgroup(text), { container: { runtime: 'podman', id: ID, pod: null }, unit: null }, text);
  }
  assert.equal(placeOfCgroup(podmanConmon).container, null);
});

test('nerdctl is containerd; ECS tasks are docker; LXC containers by name, with the unit inside them', () => {
  assert.deepEqual(placeOfCgroup(`4:memory:/ecs/0123456789abcdef0123456789abcdef/${ID}\n`).container, { runtime: 'docker', id: ID, pod: null });
  assert.deepEqual(placeOfCgroup(nerdctl).container, { runtime: 'containerd', id: ID, pod: null });
  assert.deepEqual(placeOfCgroup(lxcV2), { container: { runtime: 'lxc', id: 'web1', pod: null }, unit: 'app.service' });
  assert.deepEqual(containerOfPath('/lxc/web2'), { runtime: 'lxc', id: 'web2', pod: null });
});

test('systemd units: system and user services, v1 and v2; login sessions and the user manager name none', () => {
  assert.deepEqual(placeOfCgroup(systemdV2), { container: null, unit: 'orders-api.service' });
  assert.deepEqual(placeOfCgroup(systemdV1), { container: null, unit: 'orders-api.service' });
  assert.deepEqual(placeOfCgroup(userUnit), { container: null, unit: 'web.service' });
  assert.deepEqual(placeOfCgroup(userManager), { container: null, unit: null });
  assert.deepEqual(placeOfCgroup(session), { container: null, unit: null });
});

test('the host, and the root of a cgroup namespace (inside a container), are no place', () => {
  assert.deepEqual(placeOfCgroup(hostV1), { container: null, unit: null });
  assert.deepEqual(placeOfCgroup(inContainerNamespace), { container: null, unit: null });
});

test('hybrid: a container named in one hierarchy only is still found; the unified and memory lines are trusted first', () => {
  const movedInMemoryOnly = `1:name=systemd:/user.slice/user-0.slice/session-1.scope\n4:memory:/docker/${ID}\n0::/user.slice/user-0.slice/session-1.scope\n`;
  assert.deepEqual(placeOfCgroup(movedInMemoryOnly).container, { runtime: 'docker', id: ID, pod: null });
  const disagree = `4:memory:/docker/${ID2}\n3:cpu:/docker/${ID}\n0::/\n`;
  assert.equal(placeOfCgroup(disagree).container?.id, ID2);
  // Nested docker (docker in docker): the outer container is the one on this host.
  assert.equal(containerOfPath(`/docker/${ID}/docker/${ID2}`)?.id, ID);
});

test('awkward input never throws and names nothing: empty, garbage, short ids, paths that only look like one', () => {
  for (const text of ['', '\n\n', 'garbage', '::', '0::', '1:memory', '0::relative/path', `0::/docker/${ID.slice(0, 12)}`, '0::/kubepods/burstable/podnot-a-uid/abc', `0::/system.slice/docker-${ID}.scopes`, 'x'.repeat(100_000), '\0\0\0', `0::/docker/${ID.toUpperCase()}`]) {
    assert.deepEqual(placeOfCgroup(text), { container: null, unit: null }, JSON.stringify(text.slice(0, 40)));
  }
  assert.deepEqual(placeOfCgroup(undefined as unknown as string), { container: null, unit: null });
  // A path with colons (legal in cgroup names) keeps them.
  assert.equal(placeOfCgroup('0::/system.slice/a:b.service\n').unit, 'a:b.service');
  // CRLF and unknown lines around a known one.
  assert.equal(placeOfCgroup(`weird line\r\n0::/system.slice/docker-${ID}.scope\r\nmore\r\n`).container?.id, ID);
  assert.equal(unitOfPath('/'), null);
});

test('short ids and the CONTAINER label, narrowing as the width asks', () => {
  assert.equal(shortContainerId(ID), '3f2c9e1a7b4d');
  assert.equal(shortContainerId('web1'), 'web1');
  const docker = placeOfCgroup(dockerV2);
  assert.equal(placeLabel(docker), 'docker:3f2c9e1a7b4d');
  assert.equal(placeLabel(docker, 12), '3f2c9e1a7b4d');
  assert.equal(placeLabel(docker, 8), '3f2c9e1~');
  assert.equal(placeLabel(placeOfCgroup(k8sV2Containerd)), 'pod:5d1b2c3e');
  assert.equal(placeLabel(placeOfCgroup(systemdV2)), 'orders-api.service');
  assert.equal(placeLabel(placeOfCgroup(systemdV2), 12), 'orders-api');
  assert.equal(placeLabel(placeOfCgroup(hostV1)), null);
});

test('a pm2 app from its environment (pm_id and name), named before the unit every app of one daemon shares', () => {
  assert.deepEqual(pm2AppOf(new Map([['pm_id', '3'], ['name', 'orders-api'], ['HOME', '/root']])), { name: 'orders-api', id: 3 });
  assert.equal(pm2AppOf(new Map([['name', 'orders-api']])), null, 'a `name` alone is anyone\'s variable');
  assert.equal(pm2AppOf(new Map([['pm_id', 'x'], ['name', 'a']])), null);
  assert.equal(pm2AppOf(new Map([['pm_id', '0'], ['name', '']])), null);
  const place = { container: null, unit: 'pm2-root.service', pm2: { name: 'orders-api', id: 3 } };
  assert.equal(placeLabel(place), 'pm2:orders-api');
  assert.equal(placeLabel(place, 12), 'orders-api');
  assert.equal(placeSearchText(place), 'pm2:orders-api pm2-root.service');
  assert.equal(placeLabel({ container: null, unit: 'a\x1b[2Jb.service' }), 'a?[2Jb.service', 'names are made safe to print');
});
