import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { iamPolicy } from "../iam";
import { recommendedLabels } from "../k8s";
import { SecretRequest, SecretSink } from "../k8s/secrets";
import { HELM_KEEP, helmRelease } from "../helm";
import { AddonContext, podIdentityRole } from "./common";

const NAMESPACE = "external-secrets";
const SERVICE_ACCOUNT = "external-secrets";
export const CLUSTER_SECRET_STORE = "aws-secrets-manager";
/** The served API version of the CRDs chart 2.x installs. */
const API_VERSION = "external-secrets.io/v1";

/** The Helm release name (no releaseName in the pin file: the chart name); the chart's selector labels carry it. */
const RELEASE = "external-secrets";
/**
 * The webhook pods' selector labels: `external-secrets-webhook.selectorLabels` in
 * deploy/charts/external-secrets/templates/_helpers.tpl (external-secrets/external-secrets commit
 * cc5bfbc2234ace9cb0caff4ea89c435cf517b27b = chart 2.9.0, the newest stored; 2.10.0 is not stored).
 */
export const ESO_WEBHOOK_POD_LABELS = { "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": RELEASE };

/**
 * Pure: the webhook's PodDisruptionBudget, delivered through the chart's `extraObjects`
 * (templates/extra-manifests.yaml renders each as is, in the release). The chart's own
 * webhook.podDisruptionBudget cannot carry unhealthyPodEvictionPolicy: its
 * templates/webhook-poddisruptionbudget.yaml renders only minAvailable or maxUnavailable (same commit).
 */
export function esoWebhookPdb() {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: `${RELEASE}-webhook`, namespace: NAMESPACE, labels: { ...ESO_WEBHOOK_POD_LABELS } },
        spec: { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: { ...ESO_WEBHOOK_POD_LABELS } } },
    };
}

/**
 * Pure: the chart values for `replicas` replicas of the controller and its webhook.
 * The webhook validates every ExternalSecret/SecretStore write with failurePolicy Fail: with two or
 * more replicas it gets a PDB (a drain keeps one) and spreads over zones and nodes
 * (webhook.topologySpreadConstraints: templates/webhook-deployment.yaml fills in the selector when a
 * constraint has none; we give it explicitly). `crds.annotations` reaches every CRD the chart
 * renders (hack/helm.generate.sh inserts `with .Values.crds.annotations` into each at packaging).
 */
export function externalSecretsValues(replicas: number): Record<string, unknown> {
    const ha = replicas > 1;
    const spread = (topologyKey: string) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...ESO_WEBHOOK_POD_LABELS } },
    });
    return {
        installCRDs: true,
        // Helm keeps the CRDs on uninstall: deleting them deletes every ExternalSecret and SecretStore.
        crds: { annotations: { ...HELM_KEEP } },
        replicaCount: replicas,
        // Replicas beyond one must elect a leader, or each reconciles every ExternalSecret.
        leaderElect: replicas > 1,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        webhook: {
            replicaCount: replicas,
            resources: { requests: { cpu: "25m", memory: "64Mi" }, limits: { memory: "128Mi" } },
            // ScheduleAnyway: a webhook that cannot schedule is worse than two on one node.
            topologySpreadConstraints: ha ? [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")] : [],
        },
        extraObjects: ha ? [esoWebhookPdb()] : [],
        certController: { resources: { requests: { cpu: "25m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
    };
}

/** Pure: the operator's policy: read this stack's entries, decrypt only through Secrets Manager. */
export function externalSecretsPolicy(secretArns: string, keyArn: string, region: string): string {
    return iamPolicy([
        { Sid: "ReadThisStacksSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArns },
        {
            Sid: "DecryptThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: keyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        },
    ]);
}

export interface ExternalSecretsArgs extends AddonContext {
    /** Prefix of every Secrets Manager entry this stack writes and the operator may read, e.g. `shop-prod`. */
    secretPrefix: string;
    refreshMinutes: number;
    /** Secrets Manager recovery window on delete: 0 lets a destroyed stack be re-created at once (non-prod). */
    recoveryWindowDays: number;
    /** Waiting period before the entries' KMS key is destroyed after a delete. */
    kmsDeletionWindowDays: number;
    /** Mark the entries and their KMS key `protect` (the stored credentials), and the release (it carries the CRDs). Defaults to false. */
    protect?: boolean;
}

/**
 * External Secrets Operator with AWS Secrets Manager: Pulumi writes the generated passwords into
 * Secrets Manager (encrypted with a dedicated KMS key), a ClusterSecretStore lets the operator
 * read exactly this stack's entries (Pod Identity, scoped policy), and an ExternalSecret per
 * Secret syncs them into the namespaces. Workloads keep reading ordinary Secrets.
 *
 * Rotation: change the value in Secrets Manager → the operator refreshes the Secret within
 * `refreshMinutes` → `kubectl rollout restart` the consumers (docs/addons.md).
 */
export class ExternalSecrets extends pulumi.ComponentResource implements SecretSink {
    readonly kmsKeyArn: pulumi.Output<string>;
    private readonly store: pulumi.Resource;
    private readonly kmsKey: aws.kms.Key;

    constructor(
        name: string,
        private readonly args: ExternalSecretsArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("shop:addons:ExternalSecrets", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        this.kmsKey = new aws.kms.Key(
            `${name}-secrets`,
            { description: `Secrets Manager entries of ${args.secretPrefix}`, enableKeyRotation: true, deletionWindowInDays: args.kmsDeletionWindowDays },
            { ...parent, protect: args.protect },
        );
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/${args.secretPrefix}-secrets`, targetKeyId: this.kmsKey.keyId }, parent);

        const secretArns = pulumi.interpolate`arn:aws:secretsmanager:${args.region}:${identity.accountId}:secret:${args.secretPrefix}/*`;
        const iam = podIdentityRole(this, name, {
            clusterName: args.clusterName,
            namespace: NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            policy: pulumi.all([secretArns, this.kmsKey.arn]).apply(([arns, keyArn]) => externalSecretsPolicy(arns, keyArn, args.region)),
        });
        const release = helmRelease(
            name,
            { chart: "externalSecrets", namespace: NAMESPACE, values: externalSecretsValues(args.replicas), createNamespace: true },
            // It carries the CRDs (installCRDs): protected like the entries it syncs.
            { parent: this, provider: args.provider, dependsOn: [iam.association], protect: args.protect },
        );
        // No `auth` block: the operator uses its own Pod Identity credentials.
        this.store = new k8s.apiextensions.CustomResource(
            `${name}-store`,
            {
                apiVersion: API_VERSION,
                kind: "ClusterSecretStore",
                metadata: {
                    name: CLUSTER_SECRET_STORE,
                    labels: recommendedLabels(CLUSTER_SECRET_STORE, "secret-store"),
                },
                spec: { provider: { aws: { service: "SecretsManager", region: args.region } } },
            },
            { parent: this, provider: args.provider, dependsOn: [release] },
        );
        this.kmsKeyArn = this.kmsKey.arn;
        this.registerOutputs({ kmsKeyArn: this.kmsKeyArn });
    }

    /** {@link SecretSink}: one Secrets Manager entry (JSON of the keys) and one ExternalSecret producing the Secret. */
    create(parent: pulumi.Resource, provider: k8s.Provider, req: SecretRequest) {
        const namespace = pulumi.output(req.namespace);
        const entry = new aws.secretsmanager.Secret(
            req.name,
            {
                name: pulumi.interpolate`${this.args.secretPrefix}/${namespace}/${req.name}`,
                kmsKeyId: this.kmsKey.arn,
                recoveryWindowInDays: this.args.recoveryWindowDays,
            },
            { parent, protect: this.args.protect },
        );
        const version = new aws.secretsmanager.SecretVersion(
            req.name,
            { secretId: entry.id, secretString: pulumi.secret(pulumi.output(req.data).apply((d) => JSON.stringify(d))) },
            { parent },
        );
        const external = new k8s.apiextensions.CustomResource(
            req.name,
            {
                apiVersion: API_VERSION,
                kind: "ExternalSecret",
                // A new secret version gets a new ExternalSecret (its name carries the version), and
                // Pulumi waits for that one to report Ready: the Secret holds the new values before any
                // pod that reads it rolls. A stale Ready condition of an older object cannot satisfy it.
                metadata: {
                    name: pulumi.interpolate`${req.name}-${version.versionId.apply((id) =>
                        id
                            .replace(/[^a-z0-9]/gi, "")
                            .slice(0, 8)
                            .toLowerCase(),
                    )}`,
                    namespace: req.namespace,
                    labels: req.labels,
                    annotations: { "pulumi.com/waitFor": "condition=Ready" },
                },
                spec: {
                    refreshInterval: `${this.args.refreshMinutes}m`,
                    secretStoreRef: { kind: "ClusterSecretStore", name: CLUSTER_SECRET_STORE },
                    // Orphan: replacing the ExternalSecret must not garbage-collect the Secret pods are using.
                    target: {
                        name: req.name,
                        creationPolicy: "Orphan",
                        deletionPolicy: "Retain",
                        // A typed Secret (basic-auth for CloudNativePG) with the request's labels. A template
                        // without data keeps the fetched keys as they are (ESO's externalsecret controller,
                        // applyTemplate: "if no data was provided by template fallback to value from the provider").
                        ...(req.type ? { template: { type: req.type, metadata: { labels: req.labels } } } : {}),
                    },
                    data: Object.keys(req.data).map((key) => ({ secretKey: key, remoteRef: { key: entry.name, property: key } })),
                },
            },
            { parent, provider, dependsOn: [this.store, version] },
        );
        return { name: pulumi.output(req.name), ready: external };
    }
}
