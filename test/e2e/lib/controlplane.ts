// Starts and stops a real, local Kubernetes control plane for end-to-end tests:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake
// nodes and pods), plus one fake Node. Everything listens on 127.0.0.1 with ports
// picked at run time. Binaries come from test/e2e/build-tools.sh (test/e2e/.bin).
//
// Node 20 built-ins only.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Bearer token to use instead of the admin token (e.g. from tokenFor()). */
  token?: string;
  /** Kubeconfig to use instead of the admin one (e.g. from kubeconfigFor()). */
  kubeconfig?: string;
  /** Kill kubectl after this many ms (default 60000). */
  timeoutMs?: number;
}

export interface ControlPlane {
  /** Admin kubeconfig (static token in group system:masters). */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  adminToken: string;
  /** PEM file with the apiserver's self-signed serving cert and its CA; use as certificate-authority. */
  caFile: string;
  binDir: string;
  workDir: string;
  /** Name of the fake (kwok) node. */
  nodeName: string;
  /** Startup durations in ms, per step. */
  timings: Record<string, number>;
  /** Log file per component (etcd, kube-apiserver, ...). */
  logs: Record<string, string>;
  /** The API server's audit log (one JSON event a line), when started with `auditPolicyFile`. */
  auditLog?: string;
  /** Runs the built kubectl against this cluster; never throws on a non-zero exit. */
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** Like kubectl() but throws (with stderr) on a non-zero exit; returns stdout. */
  kubectlOk(args: string[], opts?: KubectlOptions): Promise<string>;
  /** Token for a ServiceAccount (`kubectl create token`); the SA must exist. Subject to RBAC. */
  tokenFor(namespace: string, serviceAccount: string, opts?: { duration?: string }): Promise<string>;
  /** Writes a kubeconfig that authenticates with `token` and returns its path. */
  writeKubeconfig(file: string, token: string): string;
  /** tokenFor() + writeKubeconfig() into workDir/kubeconfig-<ns>-<sa>. */
  kubeconfigFor(namespace: string, serviceAccount: string): Promise<string>;
  /** Last lines of a component's log. */
  logTail(component: string, lines?: number): string;
  /** Stops all components (reverse start order; SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  binDir: string;
  /** Scratch dir for data, certs, logs and kubeconfigs; created if missing. Left in place by stop(). */
  workDir: string;
  log?: (s: string) => void;
  /** Directory holding the kwok stage YAMLs (default: test/e2e/kwok-stages next to this file). */
  kwokStagesDir?: string;
  /** Overall budget for each readiness wait, in ms (default 90000). */
  readyTimeoutMs?: number;
  /** An audit policy: kube-apiserver then writes JSON audit events to `auditLog` (workDir/logs/audit.log). */
  auditPolicyFile?: string;
}

const DEFAULT_STAGES_DIR = fileURLToPath(new URL('../kwok-stages/', import.meta.url));
const KWOK_STAGES = [
  'node-initialize.yaml',
  'node-heartbeat-with-lease.yaml',
  'pod-ready.yaml',
  'pod-complete.yaml',
  'pod-delete.yaml',
];
const SERVICE_CIDR = '10.96.0.0/16';
const POD_CIDR = '10.244.0.0/16';
const NODE_NAME = 'kwok-node-0';

interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A timer that does not keep the process alive (for timeouts raced against other promises). */
const sleepUnref = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Picks n distinct free TCP ports on 127.0.0.1 (held open together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      await new Promise<void>((res, rej) => {
        s.once('error', rej);
        s.listen(0, '127.0.0.1', () => res());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

function tail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch (e) {
    return `(no log: ${(e as Error).message})`;
  }
}

/** GET a URL; resolves with the status code (0 on connection error). Never rejects. */
function probe(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'GET',
        rejectUnauthorized: false,
        timeout: 5000,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

function kubeconfigYaml(server: string, caFile: string, token: string): string {
  const ca = fs.readFileSync(caFile).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: local',
    '  cluster:',
    `    server: ${JSON.stringify(server)}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: user',
    '  user:',
    `    token: ${JSON.stringify(token)}`,
    'contexts:',
    '- name: local',
    '  context: {cluster: local, user: user}',
    'current-context: local',
    '',
  ].join('\n');
}

function fakeNodeManifest(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    // Deliberately no NoSchedule taint: generated Deployments carry no toleration.
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '500' },
      capacity: { cpu: '32', memory: '256Gi', pods: '500' },
    },
  });
}

export async function startControlPlane(opts: StartOptions): Promise<ControlPlane> {
  const log = opts.log ?? (() => {});
  const binDir = path.resolve(opts.binDir);
  const workDir = path.resolve(opts.workDir);
  const stagesDir = path.resolve(opts.kwokStagesDir ?? DEFAULT_STAGES_DIR);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;

  for (const b of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kubectl']) {
    if (!fs.existsSync(path.join(binDir, b))) {
      throw new Error(`missing ${path.join(binDir, b)}; run test/e2e/build-tools.sh`);
    }
  }
  for (const s of KWOK_STAGES) {
    if (!fs.existsSync(path.join(stagesDir, s))) throw new Error(`missing kwok stage ${path.join(stagesDir, s)}`);
  }

  const logDir = path.join(workDir, 'logs');
  const certDir = path.join(workDir, 'pki');
  fs.mkdirSync(logDir, { recursive: true });
  fs.mkdirSync(certDir, { recursive: true });
  const etcdData = path.join(workDir, 'etcd');
  fs.rmSync(etcdData, { recursive: true, force: true });

  const procs: Proc[] = [];
  const logs: Record<string, string> = {};
  const timings: Record<string, number> = {};
  let stopped = false;
  const pidFile = path.join(workDir, 'pids');

  // ---- orphan protection --------------------------------------------------
  const killAllSync = (sig: NodeJS.Signals) => {
    for (const p of [...procs].reverse()) {
      if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) {
        try {
          process.kill(p.child.pid, sig);
        } catch {
          /* already gone */
        }
      }
    }
  };
  const onExit = () => {
    killAllSync('SIGKILL');
    try {
      fs.rmSync(pidFile, { force: true }); // nothing left for the watchdog to do
    } catch {
      /* ignore */
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    onExit();
    removeHandlers();
    // Re-raise with the default disposition unless someone else handles it.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const removeHandlers = () => {
    process.removeListener('exit', onExit);
    for (const s of signals) process.removeListener(s, onSignal);
  };
  process.on('exit', onExit);
  for (const s of signals) process.on(s, onSignal);

  // A detached watchdog kills the recorded PIDs if this Node process dies without
  // running its handlers (SIGKILL, OOM). It exits when the pid file disappears.
  const writePids = () =>
    fs.writeFileSync(pidFile, procs.map((p) => p.child.pid).filter(Boolean).join('\n') + '\n');
  writePids();
  const watchdogSrc = `
    const fs = require('fs');
    const [parent, file] = [Number(process.argv[1]), process.argv[2]];
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const t = setInterval(() => {
      if (!fs.existsSync(file)) { clearInterval(t); return; }
      if (alive(parent)) return;
      clearInterval(t);
      const pids = fs.readFileSync(file, 'utf8').split('\\n').filter(Boolean).map(Number).reverse();
      for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch {} }
      setTimeout(() => { for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} } try { fs.unlinkSync(file); } catch {} }, 5000);
    }, 1000);`;
  const watchdog = spawn(process.execPath, ['-e', watchdogSrc, String(process.pid), pidFile], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();

  // ---- process helpers ----------------------------------------------------
  const start = (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Proc => {
    const logFile = path.join(logDir, `${name}.log`);
    logs[name] = logFile;
    const fd = fs.openSync(logFile, 'w');
    fs.writeSync(fd, `# ${bin} ${args.join(' ')}\n`);
    const child = spawn(path.join(binDir, bin), args, {
      cwd: workDir,
      stdio: ['ignore', fd, fd],
      env: env ?? process.env,
    });
    fs.closeSync(fd);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (!stopped) log(`[controlplane] ${name} exited unexpectedly (code ${code}, signal ${signal})`);
        resolve();
      });
      child.once('error', (err) => {
        log(`[controlplane] ${name} failed to spawn: ${err.message}`);
        resolve();
      });
    });
    const p: Proc = { name, child, logFile, exited };
    procs.push(p);
    writePids();
    log(`[controlplane] started ${name} pid ${child.pid}`);
    return p;
  };

  const isDead = (p: Proc) => p.child.exitCode !== null || p.child.signalCode !== null;
  const deadError = (p: Proc) =>
    new Error(
      `${p.name} exited early (code ${p.child.exitCode}, signal ${p.child.signalCode}); log ${p.logFile}:\n${tail(p.logFile)}`,
    );

  /** Polls `check` until it returns true; fails if a watched process dies or time runs out. */
  const waitFor = async (what: string, check: () => Promise<boolean>, watch: Proc[], timeoutMs = readyTimeoutMs) => {
    const t0 = Date.now();
    let delay = 100;
    for (;;) {
      for (const p of watch) if (isDead(p)) throw deadError(p);
      if (await check()) {
        timings[what] = Date.now() - t0;
        log(`[controlplane] ${what} after ${timings[what]}ms`);
        return;
      }
      if (Date.now() - t0 > timeoutMs) {
        const tails = watch.map((p) => `--- ${p.name} (${p.logFile}):\n${tail(p.logFile, 20)}`).join('\n');
        throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}\n${tails}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  };

  const stopProc = async (p: Proc, graceMs = 10_000) => {
    if (isDead(p) || !p.child.pid) return;
    try {
      process.kill(p.child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timedOut = await Promise.race([p.exited.then(() => false), sleepUnref(graceMs).then(() => true)]);
    if (timedOut && !isDead(p)) {
      log(`[controlplane] ${p.name} did not stop in ${graceMs}ms, SIGKILL`);
      try {
        process.kill(p.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([p.exited, sleepUnref(5000)]);
    }
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const p of [...procs].reverse()) await stopProc(p);
    removeHandlers();
    fs.rmSync(pidFile, { force: true }); // lets the watchdog exit
    log('[controlplane] stopped');
  };

  try {
    const t0 = Date.now();
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort] = (await freePorts(5)) as [number, number, number, number, number];

    // ---- etcd ---------------------------------------------------------------
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcdPeer = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = start('etcd', 'etcd', [
      '--name=default',
      `--data-dir=${etcdData}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${etcdPeer}`,
      `--initial-advertise-peer-urls=${etcdPeer}`,
      `--initial-cluster=default=${etcdPeer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ]);
    await waitFor('etcd healthy', async () => (await probe(`${etcdUrl}/health`)).status === 200, [etcd]);

    // ---- kube-apiserver -----------------------------------------------------
    const adminToken = randomBytes(24).toString('hex');
    const tokenFile = path.join(certDir, 'tokens.csv');
    fs.writeFileSync(tokenFile, `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
    const saKey = path.join(certDir, 'sa.key');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    fs.writeFileSync(saKey, privateKey, { mode: 0o600 });
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = start('kube-apiserver', 'kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saKey}`,
      `--service-account-signing-key-file=${saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // The endpoint reconciler rejects a loopback advertise address ("may not be in the
      // loopback range") every 10s; nothing in-cluster needs the kubernetes Endpoints.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--profiling=false',
      ...(opts.auditPolicyFile === undefined
        ? []
        : [`--audit-policy-file=${path.resolve(opts.auditPolicyFile)}`, `--audit-log-path=${path.join(logDir, 'audit.log')}`, '--audit-log-format=json', '--audit-log-mode=blocking', '--audit-log-maxsize=0']),
    ]);
    await waitFor(
      'kube-apiserver ready',
      async () => (await probe(`${server}/readyz`, adminToken)).status === 200,
      [etcd, apiserver],
    );
    const caFile = path.join(certDir, 'apiserver.crt');
    if (!fs.existsSync(caFile)) throw new Error(`kube-apiserver did not write ${caFile}`);

    const writeKubeconfig = (file: string, token: string) => {
      fs.writeFileSync(file, kubeconfigYaml(server, caFile, token), { mode: 0o600 });
      return file;
    };
    const kubeconfig = writeKubeconfig(path.join(workDir, 'kubeconfig'), adminToken);
    const cacheDir = path.join(workDir, 'kubectl-cache');

    const kubectl = (args: string[], o: KubectlOptions = {}): Promise<KubectlResult> =>
      new Promise((resolve, reject) => {
        const full = [`--kubeconfig=${o.kubeconfig ?? kubeconfig}`, `--cache-dir=${cacheDir}`];
        if (o.token) full.push(`--token=${o.token}`);
        full.push(...args);
        const child = spawn(path.join(binDir, 'kubectl'), full, { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
        const timer = setTimeout(() => {
          stderr += `\n(kubectl killed after ${o.timeoutMs ?? 60_000}ms)`;
          child.kill('SIGKILL');
        }, o.timeoutMs ?? 60_000);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        });
        child.stdin.on('error', () => {}); // EPIPE if kubectl exits before reading
        child.stdin.end(o.input ?? '');
      });
    const kubectlOk = async (args: string[], o?: KubectlOptions) => {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    };

    // ---- kube-controller-manager and kube-scheduler -------------------------
    // Flags both share. No client-CA/requestheader config exists, so
    // kube-system/extension-apiserver-authentication is never created; do not keep
    // looking for it (log spam only).
    const componentFlags = [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--authentication-skip-lookup=true',
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--profiling=false',
    ];
    const kcm = start('kube-controller-manager', 'kube-controller-manager', [
      ...componentFlags,
      `--secure-port=${kcmPort}`,
      `--service-account-private-key-file=${saKey}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--controllers=*',
    ]);
    const scheduler = start('kube-scheduler', 'kube-scheduler', [
      ...componentFlags,
      `--secure-port=${schedPort}`,
    ]);

    // ---- kwok -----------------------------------------------------------------
    // HOME is redirected so kwok does not auto-load ~/.kwok/kwok.yaml.
    const kwokHome = path.join(workDir, 'kwok-home');
    fs.mkdirSync(kwokHome, { recursive: true });
    const kwok = start(
      'kwok',
      'kwok',
      [
        `--kubeconfig=${kubeconfig}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        `--cidr=${POD_CIDR}`,
        '--node-ip=10.255.0.1',
        '--node-lease-duration-seconds=40',
        ...KWOK_STAGES.map((s) => `--config=${path.join(stagesDir, s)}`),
      ],
      { ...process.env, HOME: kwokHome },
    );

    const all = [etcd, apiserver, kcm, scheduler, kwok];
    const healthz = (port: number) => async () => (await probe(`https://127.0.0.1:${port}/healthz`)).status === 200;
    await waitFor('kube-controller-manager healthy', healthz(kcmPort), all);
    await waitFor('kube-scheduler healthy', healthz(schedPort), all);

    // ---- fake node --------------------------------------------------------------
    await kubectlOk(['apply', '-f', '-'], { input: fakeNodeManifest(NODE_NAME) });
    await waitFor(
      'node Ready',
      async () => {
        const r = await kubectl([
          'get',
          'node',
          NODE_NAME,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]);
        return r.code === 0 && r.stdout.trim() === 'True';
      },
      all,
    );
    // Pods need the default ServiceAccount (ServiceAccount admission), created by kube-controller-manager.
    await waitFor(
      'default ServiceAccount',
      async () => (await kubectl(['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'name'])).code === 0,
      all,
    );
    timings.total = Date.now() - t0;
    log(`[controlplane] ready in ${timings.total}ms (${server})`);

    const tokenFor = async (namespace: string, serviceAccount: string, o: { duration?: string } = {}) =>
      (
        await kubectlOk(['create', 'token', serviceAccount, '-n', namespace, `--duration=${o.duration ?? '24h'}`])
      ).trim();

    return {
      kubeconfig,
      server,
      adminToken,
      caFile,
      binDir,
      workDir,
      nodeName: NODE_NAME,
      timings,
      logs,
      ...(opts.auditPolicyFile === undefined ? {} : { auditLog: path.join(logDir, 'audit.log') }),
      kubectl,
      kubectlOk,
      tokenFor,
      writeKubeconfig,
      kubeconfigFor: async (namespace, serviceAccount) =>
        writeKubeconfig(
          path.join(workDir, `kubeconfig-${namespace}-${serviceAccount}`),
          await tokenFor(namespace, serviceAccount),
        ),
      logTail: (component, lines) => tail(logs[component] ?? path.join(logDir, `${component}.log`), lines),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
