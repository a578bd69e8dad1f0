import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { credentialsAnnotation, generatedPassword, SecretSink } from "../k8s/secrets";
import {
    PEERS,
    recommendedLabels,
    resources,
    restrictedContainerSecurity,
    restrictedPodSecurity,
    scratchVolume,
    secretEnv,
    selectorLabels,
    serviceMonitor,
    dataServiceNetworkPolicy,
    dataServiceService,
    headlessService,
    serviceHost,
    Placement,
    growableVolume,
} from "../k8s";
import { IMAGES } from "../versions";

export interface RedisArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    /** AOF persistence on a gp3 volume; off = a cache that starts empty after a restart. */
    persistence: boolean;
    storageGiB: number;
    storageClassName: string;
    /** maxmemory with allkeys-lru: Redis evicts instead of refusing writes or being OOM-killed. */
    maxMemoryMb: number;
    clientNamespaces: string[];
    monitoringNamespace: string;
    monitoringCrds: pulumi.Resource;
    secretSink: SecretSink;
    /** Nodes that are never consolidated or interrupted (the data must not move under load). */
    placement: Placement;
    /** Rotation counter: a new value regenerates the AUTH password and restarts Redis with it. */
    credentialsGeneration: number;
}

const UID = 999; // the official image's redis user
const PORT = 6379;
const METRICS_PORT = 9121;

/** Where the Secret's `auth-conf` key (a one-line `requirepass …` config) is mounted. */
export const AUTH_CONF = "/etc/redis-auth/redis.conf";

/** The config file carrying the password: read by redis-server, never on its command line. */
export function redisAuthConf(password: string): string {
    return `requirepass ${password}\n`;
}

/** redis-server arguments: the auth config file first, then the settings (visible, secret-free). */
export function redisServerArgs(args: Pick<RedisArgs, "persistence" | "maxMemoryMb">, dataDir = "/data", authConf = AUTH_CONF): string[] {
    return [
        authConf,
        "--maxmemory",
        `${args.maxMemoryMb}mb`,
        "--maxmemory-policy",
        "allkeys-lru",
        "--appendonly",
        args.persistence ? "yes" : "no",
        "--save",
        "",
        "--dir",
        dataDir,
        "--protected-mode",
        "no",
    ];
}

/**
 * Redis as a single-replica StatefulSet: AUTH with a generated password, maxmemory + LRU,
 * AOF persistence per stack, restricted pod security with a read-only root, and a
 * redis_exporter sidecar scraped through a ServiceMonitor. The apps treat it as a cache:
 * they keep serving from PostgreSQL when it is down.
 */
export class Redis extends pulumi.ComponentResource {
    readonly host: pulumi.Output<string>;
    readonly port = PORT;
    /** Labels of the Redis pod: clients' egress policies select them. */
    readonly podLabels: Record<string, string>;
    /** Generated AUTH password (secret output). */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:data:Redis", name, {}, opts);
        if (args.maxMemoryMb < 32) throw new Error("Redis: maxMemoryMb must be >= 32");
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = recommendedLabels(name, "cache");
        const selector = selectorLabels(name);
        this.podLabels = selector;

        this.password = generatedPassword(this, `${name}-auth`, { generation: args.credentialsGeneration });
        const secret = args.secretSink.create(this, args.provider, {
            name: `${name}-auth`,
            namespace: args.namespace,
            labels,
            data: { password: this.password, "auth-conf": this.password.apply(redisAuthConf) },
        });

        // Its own identity with no API token: the default service account is shared by everything in the namespace.
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { name, namespace: args.namespace, labels }, automountServiceAccountToken: false },
            k8sOpts,
        );
        // The StatefulSet's governing Service: stable per-pod DNS (redis-0.redis-headless…).
        const headless = headlessService(name, { namespace: args.namespace, labels, selector, portName: "redis", port: PORT }, k8sOpts);
        const service = dataServiceService(
            name,
            { namespace: args.namespace, labels, selector, portName: "redis", port: PORT, metricsPort: METRICS_PORT },
            k8sOpts,
        );
        this.host = serviceHost(service, args.namespace);

        // redis-cli reads REDISCLI_AUTH, so the probe never puts the password on a command line.
        const ping = { exec: { command: ["sh", "-c", `redis-cli -h 127.0.0.1 -p ${PORT} ping | grep -q PONG`] } };
        const dataVolume = args.persistence ? [] : [{ name: "data", emptyDir: { sizeLimit: `${Math.max(args.maxMemoryMb * 2, 256)}Mi` } }];
        const volume = growableVolume({
            claim: "data",
            statefulSet: name,
            replicas: 1,
            namespace: args.namespace,
            storageClassName: args.storageClassName,
            sizeGiB: args.storageGiB,
            labels,
        });
        const statefulSet = new k8s.apps.v1.StatefulSet(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    serviceName: headless.metadata.name,
                    replicas: 1,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels, annotations: { ...credentialsAnnotation(args.credentialsGeneration), ...args.placement.annotations } },
                        spec: {
                            nodeSelector: args.placement.nodeSelector,
                            serviceAccountName: serviceAccount.metadata.name,
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurity(UID),
                            containers: [
                                {
                                    name: "redis",
                                    image: IMAGES.redis,
                                    command: ["redis-server"],
                                    args: redisServerArgs(args),
                                    ports: [{ name: "redis", containerPort: PORT }],
                                    env: [secretEnv("REDISCLI_AUTH", secret.name, "password")],
                                    securityContext: restrictedContainerSecurity(),
                                    resources: resources({ cpu: "100m", memory: `${Math.ceil(args.maxMemoryMb * 1.5)}Mi` }),
                                    startupProbe: { ...ping, periodSeconds: 2, failureThreshold: 30 },
                                    livenessProbe: { ...ping, periodSeconds: 10, timeoutSeconds: 3 },
                                    readinessProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 2 },
                                    volumeMounts: [
                                        { name: "data", mountPath: "/data" },
                                        { name: "tmp", mountPath: "/tmp" },
                                        { name: "auth", mountPath: "/etc/redis-auth", readOnly: true },
                                    ],
                                },
                                {
                                    name: "exporter",
                                    image: IMAGES.redisExporter,
                                    ports: [{ name: "metrics", containerPort: METRICS_PORT }],
                                    env: [{ name: "REDIS_ADDR", value: `redis://127.0.0.1:${PORT}` }, secretEnv("REDIS_PASSWORD", secret.name, "password")],
                                    securityContext: restrictedContainerSecurity(),
                                    resources: resources({ cpu: "25m", memory: "32Mi", memoryLimit: "64Mi" }),
                                    livenessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 20 },
                                    readinessProbe: { httpGet: { path: "/health", port: "metrics" }, periodSeconds: 10 },
                                },
                            ],
                            volumes: [
                                ...dataVolume,
                                scratchVolume("tmp", "16Mi"),
                                { name: "auth", secret: { secretName: secret.name, defaultMode: 0o440, items: [{ key: "auth-conf", path: "redis.conf" }] } },
                            ],
                        },
                    },
                    // Toggling persistence adds or removes the claim template: the StatefulSet is replaced and
                    // Redis restarts empty, which the apps survive (it is a cache; the change plan knows).
                    volumeClaimTemplates: args.persistence ? [volume.template] : undefined,
                },
            },
            { ...k8sOpts, dependsOn: [secret.ready], ignoreChanges: args.persistence ? volume.ignoreChanges : [] },
        );
        if (args.persistence) volume.patchClaims({ ...k8sOpts, dependsOn: [statefulSet] });

        dataServiceNetworkPolicy(
            name,
            {
                namespace: args.namespace,
                labels,
                selector,
                clients: args.clientNamespaces.map(PEERS.namespace),
                port: PORT,
                metricsPort: METRICS_PORT,
                monitoringNamespace: args.monitoringNamespace,
            },
            k8sOpts,
        );
        serviceMonitor(name, { namespace: args.namespace, labels, port: "metrics", crds: args.monitoringCrds }, k8sOpts);

        this.registerOutputs({ host: this.host });
    }
}
