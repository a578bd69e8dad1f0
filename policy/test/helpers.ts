import type { EnforcementLevel, PolicyProviderResource, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { ResourceRecord } from "../../harness/types";
import { evaluate, type Violation } from "../evaluate";
import { UNKNOWN_SENTINELS } from "../lib/values";

export const U = UNKNOWN_SENTINELS;
export const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[redacted]" };

export function urnOf(type: string, name: string, stack = "test"): string {
    return `urn:pulumi:${stack}::shop-platform::${type}::${name}`;
}

export function rec(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceRecord> = {}): ResourceRecord {
    return { urn: urnOf(type, name), type, name, custom: true, remote: false, parent: "", provider: "", dependencies: [], protect: false, inputs, ...extra };
}

/** Violations of one policy (every other policy disabled). */
export function run(policy: string, records: ResourceRecord[], params: Record<string, unknown> = {}, level: EnforcementLevel = "mandatory"): Violation[] {
    return evaluate(records, { all: "disabled", [policy]: { enforcementLevel: level, ...params } });
}

export class NA extends Error {}

/** Direct call of a resource policy with hand-built args; returns "na" when notApplicable is raised, else the messages. */
export function callResource(
    pol: ResourceValidationPolicy,
    type: string,
    props: Record<string, any>,
    config: object = {},
    provider?: PolicyProviderResource,
): "na" | string[] {
    const msgs: string[] = [];
    const args: ResourceValidationArgs = {
        type,
        props,
        urn: urnOf(type, "x"),
        name: "x",
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        provider,
        stackTags: new Map(),
        isType: ((c: any) => c?.__pulumiType === type) as ResourceValidationArgs["isType"],
        asType: (() => undefined) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => config as T,
        notApplicable: (r?: string): never => {
            throw new NA(r);
        },
    };
    const fns = Array.isArray(pol.validateResource) ? pol.validateResource : [pol.validateResource!];
    try {
        for (const fn of fns)
            void fn(args, (m: string) => {
                msgs.push(m);
            });
    } catch (e) {
        if (e instanceof NA) return "na";
        throw e;
    }
    return msgs;
}

export function clone<T>(v: T): T {
    return structuredClone(v);
}

/** Deep-clone `base` and let `fn` mutate the clone. */
export function mut<T>(base: T, fn: (x: any) => void): T {
    const c = clone(base);
    fn(c);
    return c;
}

// ---------- Kubernetes fixtures ----------
export const K8S_PROVIDER = rec("pulumi:providers:kubernetes", "k8s", { kubeconfig: SECRET });
export const k8sProviderRef = `${K8S_PROVIDER.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`;

export const goodContainer = {
    name: "app",
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront:1.2.3",
    ports: [{ containerPort: 8080 }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    readinessProbe: { httpGet: { path: "/readyz", port: 8080 } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    env: [
        { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        { name: "LOG_LEVEL", value: "info" },
    ],
};

export const goodPodSpec = {
    serviceAccountName: "storefront",
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers: [goodContainer],
    volumes: [{ name: "tmp", emptyDir: {} }],
};

export const LABELS = { app: "storefront" };

export function workload(kind: string, name = "storefront", ns = "shop", podSpec: object = goodPodSpec, replicas = 2): Record<string, unknown> {
    const group = ["Job", "CronJob"].includes(kind) ? "batch/v1" : kind === "Pod" ? "v1" : "apps/v1";
    const template = { metadata: { labels: { ...LABELS, app: name } }, spec: clone(podSpec) };
    const metadata = { name, namespace: ns, labels: { app: name } };
    switch (kind) {
        case "Pod":
            return { apiVersion: group, kind, metadata, spec: clone(podSpec) };
        case "CronJob":
            return { apiVersion: group, kind, metadata, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } };
        case "Job":
            return { apiVersion: group, kind, metadata, spec: { template } };
        case "DaemonSet":
            return { apiVersion: group, kind, metadata, spec: { selector: { matchLabels: { app: name } }, template } };
        default:
            return { apiVersion: group, kind, metadata, spec: { replicas, selector: { matchLabels: { app: name } }, template } };
    }
}

export function k8sType(kind: string): string {
    const group = ["Job", "CronJob"].includes(kind) ? "batch/v1" : kind === "Pod" ? "core/v1" : "apps/v1";
    return `kubernetes:${group}:${kind}`;
}

export function k8s(kind: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceRecord> = {}): ResourceRecord {
    const type = kind.includes(":") ? kind : k8sType(kind);
    return rec(type, name, inputs, { provider: k8sProviderRef, ...extra });
}

export function deploy(name = "storefront", podSpec: object = goodPodSpec, replicas = 2, ns = "shop"): ResourceRecord {
    return k8s("Deployment", name, workload("Deployment", name, ns, podSpec, replicas));
}

export function podWith(fn: (pod: any) => void): object {
    return mut(goodPodSpec, fn);
}

export function pdb(name: string, matchLabels: Record<string, string>, spec: object = { maxUnavailable: 1 }, ns = "shop"): ResourceRecord {
    return k8s("kubernetes:policy/v1:PodDisruptionBudget", name, {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace: ns },
        spec: { selector: { matchLabels }, unhealthyPodEvictionPolicy: "AlwaysAllow", ...spec },
    });
}

export function denyAll(ns = "shop", types = ["Ingress", "Egress"]): ResourceRecord {
    return k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", `deny-${ns}`, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace: ns },
        spec: { podSelector: {}, policyTypes: types },
    });
}

// ---------- AWS fixtures ----------
export const TAGS = { Project: "shop", Environment: "test", Owner: "platform", CostCenter: "cc-1", ManagedBy: "pulumi" };

export function awsProvider(defaultTags?: Record<string, string>, name = "aws"): ResourceRecord {
    return rec(
        "pulumi:providers:aws",
        name,
        defaultTags ? { region: "us-east-1", defaultTags: JSON.stringify({ tags: defaultTags }) } : { region: "us-east-1" },
    );
}
export function providerRef(p: ResourceRecord): string {
    return `${p.urn}::0b1c2d3e`;
}
