import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { contentName } from ".";

export interface SecretRequest {
    /** Base name of the Kubernetes Secret (the Kubernetes sink appends a content hash; a vault sink names its entry after it). */
    name: string;
    namespace: pulumi.Input<string>;
    /** Key → value; every value is treated as a Pulumi secret. */
    data: Record<string, pulumi.Input<string>>;
    labels: Record<string, string>;
    /** The Secret's type. Defaults to `Opaque`; `kubernetes.io/basic-auth` (keys username, password) is what CloudNativePG reads. */
    type?: "Opaque" | "kubernetes.io/basic-auth";
    /**
     * Keep exactly `name`: no content hash, a new value updates the Secret in place and no pod
     * rolls. Only for a Secret that a chart reads by a fixed name and whose reader reloads the
     * files itself (the prometheus-operator's certificate). Defaults to false.
     */
    fixedName?: boolean;
}

/**
 * Where a component's secrets live. Components ask for a Kubernetes Secret with some keys and
 * read it through secretKeyRef; the sink decides whether Pulumi writes it directly
 * ({@link KubernetesSecretSink}) or writes the values to a credential vault that an operator
 * syncs into the namespace (the External Secrets add-on's sink). Workloads never know which.
 */
export interface SecretSink {
    /** Creates the secret's resources under `parent`; returns the Secret's name and what to depend on before reading it. */
    create(parent: pulumi.Resource, provider: k8s.Provider, req: SecretRequest): { name: pulumi.Output<string>; ready: pulumi.Resource };
}

/**
 * Plain Kubernetes Secrets (stringData is a Pulumi secret; the provider encrypts it in state). The
 * name carries a hash of the values: a new value is a new Secret, created before the old one goes,
 * and the pods that read it roll because their reference changes. A `fixedName` request keeps its
 * name: the provider then replaces it in place (deleted first) when a value changes.
 */
export class KubernetesSecretSink implements SecretSink {
    create(parent: pulumi.Resource, provider: k8s.Provider, req: SecretRequest) {
        const secret = new k8s.core.v1.Secret(
            req.name,
            {
                metadata: { name: req.fixedName ? req.name : contentName(req.name, req.data), namespace: req.namespace, labels: req.labels },
                type: req.type ?? "Opaque",
                stringData: Object.fromEntries(Object.entries(req.data).map(([k, v]) => [k, pulumi.secret(v)])),
            },
            { parent, provider },
        );
        return { name: secret.metadata.name, ready: secret };
    }
}

/**
 * A generated password (URL-safe: it goes into connection URLs), held only as a Pulumi secret.
 * `generation` is the rotation counter (config `credentialsGeneration`): a new value makes a new
 * password; omit it for credentials that cannot be rotated by replacement (the database superuser).
 */
export function generatedPassword(parent: pulumi.Resource, name: string, opts: { generation?: number; length?: number } = {}): pulumi.Output<string> {
    const password = new random.RandomPassword(
        name,
        { length: opts.length ?? 32, special: false, keepers: opts.generation === undefined ? undefined : { generation: String(opts.generation) } },
        { parent, additionalSecretOutputs: ["result"] },
    );
    return pulumi.secret(password.result);
}

/** Pod-template annotation that rolls the pods when the credentials they read are rotated. */
export function credentialsAnnotation(generation: number): Record<string, string> {
    return { "shop.platform/credentials-generation": String(generation) };
}
