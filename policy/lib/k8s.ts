/** Kubernetes helpers: workload kinds, pod-spec paths, containers, selectors, namespaces. */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { asArray, asObject, isOpaque, peek, UNKNOWN } from "./values";

const WORKLOAD_KINDS = [
    "apps/v1:Deployment",
    "apps/v1:StatefulSet",
    "apps/v1:DaemonSet",
    "apps/v1:ReplicaSet",
    "batch/v1:Job",
    "batch/v1:CronJob",
    "core/v1:Pod",
];

/** Workload type tokens (and their server-side-apply `*Patch` variants). */
export const WORKLOAD_TYPES: string[] = WORKLOAD_KINDS.flatMap((k) => [`kubernetes:${k}`, `kubernetes:${k}Patch`]);
/** Long-running workloads (probes, replicas make sense). */
export const LONG_RUNNING_TYPES: string[] = ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:DaemonSet"].flatMap((k) => [
    `kubernetes:${k}`,
    `kubernetes:${k}Patch`,
]);
export const REPLICATED_TYPES: string[] = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** `Deployment` from `kubernetes:apps/v1:DeploymentPatch`. */
export function kindOf(type: string): string {
    return (type.split(":").pop() ?? "").replace(/Patch$/, "");
}

/** The pod template of a workload (with `metadata` and `spec`), by kind. */
export function podTemplateOf(type: string, props: Record<string, any>): { metadata?: Record<string, any>; spec?: Record<string, any> } | undefined {
    const spec = asObject(props.spec);
    switch (kindOf(type)) {
        case "Pod":
            return { metadata: asObject(props.metadata), spec };
        case "CronJob":
            return asObject(asObject(asObject(spec?.jobTemplate)?.spec)?.template);
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return asObject(spec?.template);
        default:
            return undefined;
    }
}

export function podSpecOf(type: string, props: Record<string, any>): Record<string, any> | undefined {
    return asObject(podTemplateOf(type, props)?.spec);
}

export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";
export interface ContainerRef {
    list: ContainerList;
    name: string;
    c: Record<string, any>;
}

/** Every container of a pod spec: containers, initContainers and ephemeralContainers. */
export function containersOf(
    podSpec: Record<string, any> | undefined,
    lists: ContainerList[] = ["initContainers", "containers", "ephemeralContainers"],
): ContainerRef[] {
    if (!podSpec) return [];
    const out: ContainerRef[] = [];
    for (const list of lists) {
        for (const c of asArray(podSpec[list])) {
            const obj = asObject(c);
            if (!obj) continue;
            out.push({ list, name: typeof obj.name === "string" ? obj.name : "?", c: obj });
        }
    }
    return out;
}

export function describe(ref: ContainerRef): string {
    const what = ref.list === "containers" ? "container" : ref.list === "initContainers" ? "init container" : "ephemeral container";
    return `${what} '${ref.name}'`;
}

/** Sidecar init containers (restartPolicy Always) behave like containers for probes/resources. */
export function isSidecar(ref: ContainerRef): boolean {
    return ref.list === "initContainers" && ref.c.restartPolicy === "Always";
}

/** Cluster-scoped kinds (no namespace). */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "CSINode",
    "RuntimeClass",
    "IngressClass",
    "VolumeAttachment",
    "PodSecurityPolicy",
    "ComponentStatus",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ClusterIssuer",
    // Cluster-scoped custom resources the platform declares (Karpenter, External Secrets).
    "NodePool",
    "EC2NodeClass",
    "NodeClaim",
    "ClusterSecretStore",
    "ClusterExternalSecret",
    "ClusterRoleList",
    "ClusterRoleBindingList",
]);

/** True for namespaced `kubernetes:*` resources (excludes providers, charts, lists and cluster-scoped kinds). */
export function isNamespacedKubernetesType(type: string): boolean {
    if (!type.startsWith("kubernetes:")) return false;
    if (type.startsWith("kubernetes:helm.sh/") || type.startsWith("kubernetes:yaml") || type.startsWith("kubernetes:kustomize")) return false;
    const kind = kindOf(type);
    return !CLUSTER_SCOPED.has(kind) && !kind.endsWith("List");
}

/**
 * A resource's namespace: `metadata.namespace`, else the k8s provider's `namespace` input.
 * Returns UNKNOWN when opaque/unknown, undefined when unset (the provider's kubeconfig default).
 */
export function namespaceOf(props: Record<string, any>, providerProps?: Record<string, any>): string | undefined | typeof UNKNOWN {
    const ns = peek(() => asObject(props.metadata)?.namespace);
    if (ns === UNKNOWN) return UNKNOWN;
    if (typeof ns === "string" && ns !== "") return ns;
    const pns = providerProps ? peek(() => providerProps.namespace) : undefined;
    if (pns === UNKNOWN) return UNKNOWN;
    if (typeof pns === "string" && pns !== "") return pns;
    return undefined;
}

export function providerProps(args: Pick<ResourceValidationArgs, "provider">): Record<string, any> | undefined {
    return args.provider?.type === "pulumi:providers:kubernetes" ? args.provider.props : undefined;
}

export type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** Does a label selector select these labels? `{}` selects everything; undefined selects nothing. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
    if (!selector || isOpaque(selector)) return false;
    const l = labels ?? {};
    for (const [k, v] of Object.entries(asObject(selector.matchLabels) ?? {})) if (l[k] !== v) return false;
    for (const e of asArray(selector.matchExpressions)) {
        const key = String(e?.key);
        const values = asArray(e?.values).map(String);
        const has = Object.prototype.hasOwnProperty.call(l, key);
        switch (e?.operator) {
            case "In":
                if (!has || !values.includes(l[key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(l[key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** True when a selector has no terms at all (selects every pod). */
export function isEmptySelector(selector: unknown): boolean {
    const s = asObject(selector);
    if (!s) return false;
    return Object.keys(asObject(s.matchLabels) ?? {}).length === 0 && asArray(s.matchExpressions).length === 0;
}
