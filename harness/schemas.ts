/**
 * Offline schema validation of Kubernetes objects. The kinds the program may declare, each
 * with the generated model (kubernetes-models and its CRD siblings) that validates it. A kind
 * missing here is an error: adding a kind to the program means adding its validator on purpose.
 */
const MODELS: Record<string, string> = {
    "v1/Namespace": "kubernetes-models/v1/Namespace",
    "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
    "v1/Secret": "kubernetes-models/v1/Secret",
    "v1/Service": "kubernetes-models/v1/Service",
    "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
    "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
    "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
    "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
    "batch/v1/Job": "kubernetes-models/batch/v1/Job",
    "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
    "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
    "networking.k8s.io/v1/Ingress": "kubernetes-models/networking.k8s.io/v1/Ingress",
    "networking.k8s.io/v1/IngressClass": "kubernetes-models/networking.k8s.io/v1/IngressClass",
    "storage.k8s.io/v1/StorageClass": "kubernetes-models/storage.k8s.io/v1/StorageClass",
    "rbac.authorization.k8s.io/v1/Role": "kubernetes-models/rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding": "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
    "monitoring.coreos.com/v1/ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    "monitoring.coreos.com/v1/PodMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor",
    "monitoring.coreos.com/v1/PrometheusRule": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
    "karpenter.sh/v1/NodePool": "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool",
    "karpenter.k8s.aws/v1/EC2NodeClass": "@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass",
    "external-secrets.io/v1/ClusterSecretStore": "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore",
    "external-secrets.io/v1/ExternalSecret": "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
};

/**
 * Kinds no kubernetes-models package covers (there is none for CloudNativePG). Offline they get a
 * shape check only; their real schema check is the conformance suite's, which installs the CRDs
 * generated from the operator's Go module at the pinned version (conformance/crds.json) into a
 * real kube-apiserver and applies every object with strict field validation.
 */
export const CONFORMANCE_ONLY: Record<string, string> = {
    "postgresql.cnpg.io/v1/Cluster": "cloudnative-pg v1.30.0 CRD (conformance/crds.json)",
    "postgresql.cnpg.io/v1/ScheduledBackup": "cloudnative-pg v1.30.0 CRD (conformance/crds.json)",
};

type Model = new (data: unknown) => { validate(): void };

export function supportedKinds(): string[] {
    return [...Object.keys(MODELS), ...Object.keys(CONFORMANCE_ONLY)];
}

/** Throws when the object does not validate, or when its kind has no registered schema. */
export async function validateK8sObject(obj: Record<string, unknown>): Promise<void> {
    const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
    if (CONFORMANCE_ONLY[key]) {
        const meta = obj.metadata as Record<string, unknown> | undefined;
        if (!meta || typeof meta.name !== "string" || !meta.name) throw new Error(`${key}: metadata.name missing`);
        if (!obj.spec || typeof obj.spec !== "object") throw new Error(`${key}: spec missing`);
        return;
    }
    const modulePath = MODELS[key];
    if (!modulePath) throw new Error(`no schema registered for ${key}: add it to harness/schemas.ts`);
    // The model packages are ESM-only; module node16 keeps this a native import().
    const mod = (await import(modulePath)) as Record<string, Model>;
    const cls = mod[String(obj.kind)] ?? (mod.default as unknown as Model);
    new cls(obj).validate();
}
