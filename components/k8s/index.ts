/**
 * Shared Kubernetes building blocks: recommended labels, the restricted security profile
 * and small object builders. Pure functions: tests and components share them.
 */
import * as crypto from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

type Input<T> = pulumi.Input<T>;

export const NAMESPACES = { apps: "shop", data: "data", monitoring: "monitoring" } as const;

/** The recommended labels of a platform object that has no instances (a namespace, a StorageClass, a policy). */
export function partOfLabels(name: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "shop-platform",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/component": component,
    };
}

/** Kubernetes recommended labels (app.kubernetes.io/*) for one component of the platform. */
export function recommendedLabels(name: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "shop-platform",
        "app.kubernetes.io/managed-by": "pulumi",
        ...extra,
    };
}

/**
 * A content-addressed object name (the kustomize configMapGenerator pattern): `<base>-<hash of data>`.
 * A data change gives a new name, so the new ConfigMap/Secret is created before the old one is
 * deleted, and every pod template that references it changes, so exactly its readers roll. The hash
 * is one-way, so it is not a secret even when the data is.
 */
export function contentName(base: string, data: Input<Record<string, Input<string>>>): pulumi.Output<string> {
    return pulumi.unsecret(
        pulumi.output(data).apply(
            (d) =>
                `${base}-${contentHash(
                    Object.keys(d)
                        .sort()
                        .map((k) => [k, d[k]]),
                ).slice(0, 10)}`,
        ),
    );
}

/** SHA-256 (hex) of a JSON value. */
export function contentHash(value: unknown): string {
    return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/**
 * Where stateful and singleton pods run: the managed (system) node group, which Karpenter never
 * consolidates and which is on-demand, plus the annotation that keeps Karpenter from voluntarily
 * disrupting the node under them should they land elsewhere. Spread-out stateless apps may use any node.
 */
export interface Placement {
    nodeSelector: Record<string, string>;
    annotations: Record<string, string>;
}

/** The {@link Placement} of a node group labelled `nodeSelector`. */
export function statefulPlacement(nodeSelector: Record<string, string>): Placement {
    return { nodeSelector, annotations: { "karpenter.sh/do-not-disrupt": "true" } };
}

/** The in-cluster DNS name of a Service. */
export function serviceHost(service: k8s.core.v1.Service, namespace: Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
}

/** The selector subset of {@link recommendedLabels}: stable across upgrades (selectors are immutable). */
export function selectorLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
}

/** Pod-level securityContext of the Pod Security Standards `restricted` profile. */
export function restrictedPodSecurity(uid: number, gid = uid): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid,
        fsGroup: gid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level securityContext of the `restricted` profile, with a read-only root filesystem. */
export function restrictedContainerSecurity(): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export interface Resources {
    cpu: string;
    memory: string;
    /** Limit; defaults to the request for memory (no overcommit) and none for CPU (no throttling). */
    memoryLimit?: string;
    cpuLimit?: string;
}

export function resources(r: Resources): k8s.types.input.core.v1.ResourceRequirements {
    return {
        requests: { cpu: r.cpu, memory: r.memory },
        limits: { memory: r.memoryLimit ?? r.memory, ...(r.cpuLimit ? { cpu: r.cpuLimit } : { cpu: r.cpu === "0" ? "100m" : scaleCpu(r.cpu, 4) }) },
    };
}

/** A CPU quantity times n ("100m" x4 = "400m"): limits leave headroom above the request. */
function scaleCpu(q: string, n: number): string {
    const m = q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000;
    return `${m * n}m`;
}

/** An env var read from a Secret key: the only way a secret reaches a container. */
export function secretEnv(name: string, secretName: Input<string>, key: string): k8s.types.input.core.v1.EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** A writable emptyDir for a read-only-root container (bounded so a runaway writer is evicted, not the node). */
export function scratchVolume(name: string, sizeLimit = "64Mi"): k8s.types.input.core.v1.Volume {
    return { name, emptyDir: { sizeLimit } };
}

/** NetworkPolicy peers used across components. */
export const PEERS = {
    namespace: (ns: string): k8s.types.input.networking.v1.NetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } }),
    pods: (ns: string, labels: Record<string, string>): k8s.types.input.networking.v1.NetworkPolicyPeer => ({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        podSelector: { matchLabels: labels },
    }),
    dns: (): k8s.types.input.networking.v1.NetworkPolicyEgressRule => ({
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    }),
};

/**
 * A ServiceMonitor scraping the Service labelled `labels` on its named `port`. Created after the
 * prometheus-operator CRDs (`crds`), or the first preview of a new cluster fails.
 */
export function serviceMonitor(
    name: string,
    args: { namespace: Input<string>; labels: Record<string, string>; port: string; crds: pulumi.Resource },
    opts: { parent: pulumi.Resource; provider: k8s.Provider },
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        `${name}-metrics`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name, namespace: args.namespace, labels: args.labels },
            spec: { selector: { matchLabels: args.labels }, endpoints: [{ port: args.port, path: "/metrics", interval: "30s" }] },
        },
        { ...opts, dependsOn: [args.crds] },
    );
}

/** A data service's firewall: its port for the client peers, its metrics port for monitoring, egress to DNS only. */
export function dataServiceNetworkPolicy(
    name: string,
    args: {
        namespace: Input<string>;
        labels: Record<string, string>;
        selector: Record<string, string>;
        clients: k8s.types.input.networking.v1.NetworkPolicyPeer[];
        port: number;
        metricsPort: number;
        monitoringNamespace: string;
    },
    opts: { parent: pulumi.Resource; provider: k8s.Provider },
): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: args.labels },
            spec: {
                podSelector: { matchLabels: args.selector },
                policyTypes: ["Ingress", "Egress"],
                ingress: [
                    { from: args.clients, ports: [{ protocol: "TCP", port: args.port }] },
                    { from: [PEERS.namespace(args.monitoringNamespace)], ports: [{ protocol: "TCP", port: args.metricsPort }] },
                ],
                egress: [PEERS.dns()],
            },
        },
        opts,
    );
}

/** A data service's ClusterIP Service: its own port and the exporter's `metrics` port (what the ServiceMonitor scrapes). */
export function dataServiceService(
    name: string,
    args: { namespace: Input<string>; labels: Record<string, string>; selector: Record<string, string>; portName: string; port: number; metricsPort: number },
    opts: { parent: pulumi.Resource; provider: k8s.Provider },
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: args.labels },
            spec: {
                type: "ClusterIP",
                selector: args.selector,
                ports: [
                    { name: args.portName, port: args.port, targetPort: args.portName },
                    { name: "metrics", port: args.metricsPort, targetPort: "metrics" },
                ],
            },
        },
        opts,
    );
}

/**
 * A StatefulSet volume that can grow in place. `volumeClaimTemplates` is immutable in the API server
 * (and replace-on-change in pulumi-kubernetes, which would delete and recreate the data service
 * while its claims keep their old size), so the template keeps the size it was created with
 * (`ignoreChanges`) and the size lives in a server-side-apply patch of each claim: raising it
 * expands the EBS volume in place (the gp3 StorageClass allows expansion; shrinking is refused by
 * Kubernetes). Call {@link growableVolume.patchClaims} after the StatefulSet exists.
 */
export function growableVolume(args: {
    claim: string;
    statefulSet: string;
    replicas: number;
    namespace: Input<string>;
    storageClassName: string;
    sizeGiB: number;
    labels: Record<string, string>;
}) {
    const size = `${args.sizeGiB}Gi`;
    return {
        template: {
            metadata: { name: args.claim, labels: args.labels },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: args.storageClassName, resources: { requests: { storage: size } } },
        },
        ignoreChanges: ["spec.volumeClaimTemplates[0].spec.resources.requests.storage"],
        patchClaims(opts: { parent: pulumi.Resource; provider: k8s.Provider; dependsOn: pulumi.Resource[] }): k8s.core.v1.PersistentVolumeClaimPatch[] {
            return Array.from({ length: args.replicas }, (_, i) => {
                const name = `${args.claim}-${args.statefulSet}-${i}`;
                return new k8s.core.v1.PersistentVolumeClaimPatch(
                    name,
                    {
                        // The StatefulSet controller owns the claim; the patch takes over only the requested size.
                        metadata: { name, namespace: args.namespace, labels: args.labels, annotations: { "pulumi.com/patchForce": "true" } },
                        spec: { resources: { requests: { storage: size } } },
                    },
                    opts,
                );
            });
        },
    };
}

/** A StatefulSet's governing (headless) Service: stable per-pod DNS names, ready or not. */
export function headlessService(
    name: string,
    args: { namespace: Input<string>; labels: Record<string, string>; selector: Record<string, string>; portName: string; port: number },
    opts: { parent: pulumi.Resource; provider: k8s.Provider },
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${name}-headless`,
        {
            metadata: { name: `${name}-headless`, namespace: args.namespace, labels: args.labels },
            spec: {
                clusterIP: "None",
                selector: args.selector,
                ports: [{ name: args.portName, port: args.port, targetPort: args.portName }],
                publishNotReadyAddresses: true,
            },
        },
        opts,
    );
}
