// Smoke test for the local control plane (test/e2e/lib/controlplane.ts):
// start it, run a 2-replica Deployment + Service on the kwok node, check that a
// ServiceAccount token is subject to RBAC, print timings, stop everything.
//
//   test/e2e/build-tools.sh
//   node --import=@tapjs/typescript/import test/e2e/smoke.ts     # or: npx tsx test/e2e/smoke.ts
//
// Env: E2E_BIN_DIR (default test/e2e/.bin), E2E_WORK_DIR (default test/e2e/.work/smoke).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './lib/controlplane.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = process.env.E2E_BIN_DIR ?? path.join(here, '.bin');
const workDir = process.env.E2E_WORK_DIR ?? path.join(here, '.work', 'smoke');

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: smoke
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: smoke}
  template:
    metadata:
      labels: {app: smoke}
    spec:
      containers:
      - name: x
        image: registry.invalid/x:1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: smoke
  namespace: default
spec:
  selector: {app: smoke}
  ports:
  - port: 80
    targetPort: 8080
`;

const rbac = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: smoke-reader, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: default}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: smoke-reader, namespace: default}
subjects:
- {kind: ServiceAccount, name: smoke-reader, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
`;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

async function main() {
  const t0 = Date.now();
  fs.rmSync(workDir, { recursive: true, force: true });
  let cp: ControlPlane | undefined;
  try {
    cp = await startControlPlane({ binDir, workDir, log: (s) => console.log(s) });
    const c = cp;
    console.log(await c.kubectlOk(['version']));

    const tApply = Date.now();
    console.log(await c.kubectlOk(['apply', '-f', '-'], { input: manifest }));
    const readyMs = await waitUntil('deployment/smoke readyReplicas=2', 60_000, async () => {
      const r = await c.kubectl(['get', 'deployment', 'smoke', '-o', 'jsonpath={.status.readyReplicas}']);
      return r.code === 0 && r.stdout.trim() === '2';
    });
    console.log(`deployment ready ${readyMs}ms after apply`);
    const wide = await c.kubectlOk(['get', 'pods', '-o', 'wide']);
    console.log(wide);
    assert(wide.split('\n').filter((l) => l.includes('Running') && l.includes(c.nodeName)).length === 2, '2 Running pods on the kwok node');
    const ep = await c.kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=smoke', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}']);
    console.log(`service endpoints: ${ep}`);
    assert(ep.trim().split(/\s+/).length === 2, 'service has 2 endpoints');
    const workloadMs = Date.now() - tApply;

    // RBAC: a ServiceAccount token is not admin.
    await c.kubectlOk(['apply', '-f', '-'], { input: rbac });
    const token = await c.tokenFor('default', 'smoke-reader');
    const canList = await c.kubectl(['get', 'pods', '-n', 'default', '-o', 'name'], { token });
    assert(canList.code === 0, `SA can list pods: ${canList.stderr}`);
    const denied = await c.kubectl(['get', 'deployments', '-n', 'default'], { token });
    assert(denied.code !== 0 && /forbidden/i.test(denied.stderr), `SA must not list deployments: ${denied.stderr}`);
    const saKubeconfig = await c.kubeconfigFor('default', 'smoke-reader');
    const whoami = await c.kubectlOk(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { kubeconfig: saKubeconfig });
    assert(whoami.trim() === 'system:serviceaccount:default:smoke-reader', `whoami: ${whoami}`);
    console.log(`RBAC ok: ${whoami.trim()} can list pods, is forbidden to list deployments`);

    // Deleting the Deployment garbage-collects ReplicaSet and Pods via ownerReferences.
    await c.kubectlOk(['delete', 'deployment', 'smoke', '--wait=false']);
    const gcMs = await waitUntil('pods gone after deployment delete', 60_000, async () => {
      const r = await c.kubectl(['get', 'pods', '-l', 'app=smoke', '-o', 'name']);
      return r.code === 0 && r.stdout.trim() === '';
    });
    console.log(`pods garbage-collected ${gcMs}ms after deployment delete`);

    console.log('timings (ms):', JSON.stringify({ ...c.timings, workloadReady: workloadMs, gc: gcMs }));
  } finally {
    const tStop = Date.now();
    await cp?.stop();
    console.log(`stop: ${Date.now() - tStop}ms, total: ${Date.now() - t0}ms`);
  }
  console.log('SMOKE OK');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exitCode = 1;
});
