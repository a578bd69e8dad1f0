/**
 * CloudNativePG (CNCF; chart `cloudnative-pg`, pin in components/versions.json): the PostgreSQL
 * operator behind the data namespace's database (components/data/postgres.ts). It runs
 * replication, failover, volume resizing, managed roles and Barman Cloud WAL archiving and base
 * backups, which replace our hand-written StatefulSet, bootstrap Job and rotation.
 *
 * Sources for every setting below: cloudnative-pg/charts at tag cloudnative-pg-v0.29.0 (commit
 * d1b5ad60cee2d9432a9cc05627b42a8d8dc7bbae): charts/cloudnative-pg/values.yaml,
 * templates/deployment.yaml (image, ports 8080 metrics / 9443 webhook, toYaml of the security
 * contexts), templates/_helpers.tpl (selector labels), templates/podmonitor.yaml and
 * templates/crds/crds.yaml (CRDs are templates gated by crds.create, so Helm upgrades them too).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../helm";
import { PEERS, partOfLabels, Placement, restrictedContainerSecurity, restrictedPodSecurity } from "../k8s";
import { CHARTS } from "../versions";
import { AddonContext } from "./common";

export const CNPG_NAMESPACE = "cnpg-system";
/** The chart's uid/gid (values.yaml containerSecurityContext.runAsUser/runAsGroup). */
const UID = 10001;
const METRICS_PORT = 8080;
const WEBHOOK_PORT = 9443;
/** The instance manager's status port: the operator asks each instance for its state there. */
export const CNPG_STATUS_PORT = 8000;

/** The operator pods' labels: templates/_helpers.tpl `cloudnative-pg.selectorLabels` (name = chart, instance = release). */
export function cnpgOperatorLabels(): Record<string, string> {
    const release = CHARTS.cloudnativePg.releaseName ?? CHARTS.cloudnativePg.chart;
    return { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": release };
}

export interface CloudNativePgValuesArgs {
    replicas: number;
    placement: Placement;
    podMonitor: boolean;
}

/** Pure: the chart values. */
export function cloudNativePgValues(a: CloudNativePgValuesArgs): Record<string, unknown> {
    return {
        // Replicas elect a leader (deployment.yaml always passes --leader-elect): a second one only shortens a failover.
        replicaCount: a.replicas,
        // The image (by digest, in image.tag) comes from components/versions.json through helmRelease; the
        // chart passes the same reference to the instances (OPERATOR_IMAGE_NAME), whose bootstrap
        // container copies the instance manager out of it.
        crds: { create: true },
        // Stateful-adjacent: a restart of the operator does not stop PostgreSQL, but a failover needs it. On
        // the nodes Karpenter never consolidates, as the databases it manages.
        nodeSelector: a.placement.nodeSelector,
        podAnnotations: a.placement.annotations,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        // The restricted Pod Security profile; the chart's defaults already meet it (set here so that a
        // chart bump which relaxes them does not change what runs).
        podSecurityContext: restrictedPodSecurity(UID),
        containerSecurityContext: { ...restrictedContainerSecurity(), runAsUser: UID, runAsGroup: UID },
        // Its /metrics (port 8080) through the chart's PodMonitor (templates/podmonitor.yaml).
        monitoring: { podMonitorEnabled: a.podMonitor },
    };
}

export interface CloudNativePgArgs extends Omit<AddonContext, "region" | "clusterName"> {
    placement: Placement;
    /** The VPC's CIDR: the EKS control plane (API server and its webhook calls) has its ENIs there. */
    vpcCidr: string;
    /** Namespaces whose database pods the operator manages (egress to their status port). */
    databaseNamespaces: string[];
    monitoringNamespace: string;
    /** The prometheus-operator CRDs release: with it, the chart's PodMonitor is created (after it). */
    monitoringCrds?: pulumi.Resource;
}

/**
 * The CloudNativePG operator in its own restricted namespace, with its CRDs (in the release: they
 * come before any Cluster, which depends on {@link CloudNativePg.ready}), a NetworkPolicy and, for
 * more than one replica, a PDB.
 */
export class CloudNativePg extends pulumi.ComponentResource {
    /** The release (CRDs and webhooks): database Clusters are created after it. */
    readonly ready: pulumi.Resource;
    readonly namespace = CNPG_NAMESPACE;
    readonly podLabels = cnpgOperatorLabels();

    constructor(name: string, args: CloudNativePgArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:CloudNativePg", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const namespace = new k8s.core.v1.Namespace(
            CNPG_NAMESPACE,
            {
                metadata: {
                    name: CNPG_NAMESPACE,
                    labels: {
                        ...partOfLabels(CNPG_NAMESPACE, "namespace"),
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                    },
                },
            },
            k8sOpts,
        );
        const labels = partOfLabels(name, "database-operator");
        const selector = this.podLabels;
        const vpc = { ipBlock: { cidr: args.vpcCidr } };
        const policy = new k8s.networking.v1.NetworkPolicy(
            name,
            {
                metadata: { name, namespace: CNPG_NAMESPACE, labels },
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        // Admission webhooks are called by the API server, whose ENIs are in the VPC.
                        { from: [vpc], ports: [{ protocol: "TCP", port: WEBHOOK_PORT }] },
                        { from: [PEERS.namespace(args.monitoringNamespace)], ports: [{ protocol: "TCP", port: METRICS_PORT }] },
                    ],
                    egress: [
                        PEERS.dns(),
                        // The Kubernetes API (the `kubernetes` Service's endpoints are the control plane's ENIs).
                        { to: [vpc], ports: [{ protocol: "TCP", port: 443 }] },
                        // Each instance manager's status endpoint.
                        {
                            to: args.databaseNamespaces.map((ns) => ({
                                ...PEERS.namespace(ns),
                                podSelector: { matchLabels: { "cnpg.io/podRole": "instance" } },
                            })),
                            ports: [{ protocol: "TCP", port: CNPG_STATUS_PORT }],
                        },
                    ],
                },
            },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        const release = helmRelease(
            name,
            {
                chart: "cloudnativePg",
                namespace: CNPG_NAMESPACE,
                timeout: 600,
                values: cloudNativePgValues({ replicas: args.replicas, placement: args.placement, podMonitor: args.monitoringCrds !== undefined }),
            },
            { ...k8sOpts, dependsOn: [namespace, policy, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] },
        );
        // The chart has no PDB: with two replicas, a drain must leave one (a crash-looping one never blocks it).
        if (args.replicas > 1)
            new k8s.policy.v1.PodDisruptionBudget(
                name,
                {
                    metadata: { name, namespace: CNPG_NAMESPACE, labels },
                    spec: { minAvailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
                },
                { ...k8sOpts, dependsOn: [namespace] },
            );
        this.ready = release;
        this.registerOutputs({});
    }
}
