/**
 * A real, throw-away Kubernetes control plane on loopback: Debian's etcd and kube-apiserver v1.36.3
 * (built by build-k8s.sh), no kubelet, no controllers. Objects are admitted, validated, defaulted and
 * stored, so server-side dry-run and apply get the API server's own verdict.
 *
 * Everything lives in one temp dir (etcd data on /dev/shm when there: etcd fsyncs every write and this
 * machine's disk is shared); random free loopback ports; an admin token generated per run (never
 * printed); the API server generates its own self-signed serving certificate in --cert-dir.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface Binaries {
    kubeApiserver: string;
    kubectl: string;
    etcd: string;
}

export interface KubectlResult {
    status: number;
    stdout: string;
    stderr: string;
}

export interface Cluster {
    dir: string;
    kubeconfig: string;
    server: string;
    /** Runs kubectl (the same module version as the server) against this cluster. */
    kubectl(args: string[], input?: string): KubectlResult;
    /** GET on the API, for checks kubectl does not expose. */
    get(pathAndQuery: string): Promise<{ status: number; body: string }>;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every server this process started: none may outlive it, however the suite ends. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
        for (const c of running) c.kill("SIGKILL");
        process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    });
}

function startProcess(cmd: string, args: string[], logFile: string): ChildProcess {
    const log = fs.openSync(logFile, "a");
    const child = spawn(cmd, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
}

function tail(file: string, lines = 30): string {
    try {
        return fs.readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

export async function startCluster(bin: Binaries, opts: { timeoutMs?: number } = {}): Promise<Cluster> {
    const timeoutMs = opts.timeoutMs ?? 180_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-conformance-"));
    const shm = fs.existsSync("/dev/shm") ? fs.mkdtempSync(path.join("/dev/shm", "shop-conformance-etcd-")) : path.join(dir, "etcd");
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const children: ChildProcess[] = [];
    const stop = async () => {
        for (const c of children.reverse()) await stopProcess(c);
        fs.rmSync(shm, { recursive: true, force: true });
        if (!process.env.CONFORMANCE_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    };

    try {
        const etcdLog = path.join(dir, "etcd.log");
        children.push(
            startProcess(
                bin.etcd,
                [
                    "--name=conformance",
                    `--data-dir=${shm}`,
                    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
                    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
                    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
                    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
                    `--initial-cluster=conformance=http://127.0.0.1:${etcdPeer}`,
                    "--logger=zap",
                    "--log-level=warn",
                ],
                etcdLog,
            ),
        );

        // Service-account token signing key (the API server refuses to start without one).
        const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
        const saKey = path.join(dir, "sa.key");
        const saPub = path.join(dir, "sa.pub");
        fs.writeFileSync(saKey, privateKey.export({ type: "sec1", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
        // Static token file (kube-apiserver --token-auth-file: token,user,uid,"groups"); system:masters is admin.
        const token = crypto.randomBytes(32).toString("hex");
        const tokens = path.join(dir, "tokens.csv");
        fs.writeFileSync(tokens, `${token},conformance-admin,conformance-admin,"system:masters"\n`, { mode: 0o600 });
        const certDir = path.join(dir, "certs");
        fs.mkdirSync(certDir);

        const apiLog = path.join(dir, "kube-apiserver.log");
        // Admission: no --enable-admission-plugins: PodSecurity is among the plugins kube-apiserver v1.36.3
        // enables by default (k8s.io/kubernetes v1.36.3 pkg/kubeapiserver/options/plugins.go,
        // DefaultOffAdmissionPlugins' defaultOnPlugins), and the suite proves it is active (a Pod that
        // breaks `restricted` is refused). --service-cluster-ip-range only sizes the ClusterIP allocator.
        children.push(
            startProcess(
                bin.kubeApiserver,
                [
                    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    `--secure-port=${apiPort}`,
                    `--cert-dir=${certDir}`,
                    `--token-auth-file=${tokens}`,
                    "--authorization-mode=RBAC",
                    // EKS allows privileged containers (its own aws-node and kube-proxy DaemonSets are), so
                    // only Pod Security stands between a privileged pod and a restricted namespace, as there.
                    "--allow-privileged=true",
                    `--service-account-key-file=${saPub}`,
                    `--service-account-signing-key-file=${saKey}`,
                    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                    "--service-cluster-ip-range=10.96.0.0/16",
                    "--profiling=false",
                    "--v=0",
                ],
                apiLog,
            ),
        );

        const server = `https://127.0.0.1:${apiPort}`;
        const get = (p: string): Promise<{ status: number; body: string }> =>
            new Promise((resolve, reject) => {
                const req = https.get(
                    `${server}${p}`,
                    {
                        headers: { Authorization: `Bearer ${token}` },
                        ca: fs.existsSync(path.join(certDir, "apiserver.crt")) ? fs.readFileSync(path.join(certDir, "apiserver.crt")) : undefined,
                        timeout: 10_000,
                    },
                    (res) => {
                        let body = "";
                        res.setEncoding("utf8");
                        res.on("data", (c: string) => (body += c));
                        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
                    },
                );
                req.on("error", reject);
                req.on("timeout", () => req.destroy(new Error("timeout")));
            });

        const deadline = Date.now() + timeoutMs;
        for (;;) {
            for (const c of children) {
                if (c.exitCode !== null)
                    throw new Error(`${c.spawnfile} exited (${c.exitCode}) while starting:\n${tail(c === children[0] ? etcdLog : apiLog)}`);
            }
            if (fs.existsSync(path.join(certDir, "apiserver.crt"))) {
                const r = await get("/readyz").catch(() => undefined);
                if (r?.status === 200) break;
            }
            if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after ${timeoutMs / 1000} s:\n${tail(apiLog)}`);
            await sleep(500);
        }

        // kubectl talks to it through a kubeconfig that verifies the server's self-signed certificate.
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(
            kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "conformance", cluster: { server, "certificate-authority": path.join(certDir, "apiserver.crt") } }],
                users: [{ name: "admin", user: { token } }],
                contexts: [{ name: "conformance", context: { cluster: "conformance", user: "admin" } }],
                "current-context": "conformance",
            }),
            { mode: 0o600 },
        );
        const cacheDir = path.join(dir, "kubectl-cache");
        const kubectl = (args: string[], input?: string): KubectlResult => {
            const r = spawnSync(bin.kubectl, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
                input,
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
                timeout: 120_000,
            });
            if (r.error) throw r.error;
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        };
        return { dir, kubeconfig, server, kubectl, get, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
