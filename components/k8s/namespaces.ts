import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACES, partOfLabels } from ".";

export interface NamespacesArgs {
    provider: k8s.Provider;
    /**
     * Label the apps' namespace for the AWS Load Balancer Controller's pod readiness gates: a new pod
     * counts as ready only once the ALB target is healthy, so a rollout never outpaces the load balancer.
     * Defaults to false (no ALB).
     */
    albReadinessGates?: boolean;
}

/** Pod Security Admission level per namespace. Monitoring runs node-exporter (hostPID, hostPath): privileged, but warned as restricted. */
const PSA: Record<string, "restricted" | "privileged"> = {
    [NAMESPACES.apps]: "restricted",
    [NAMESPACES.data]: "restricted",
    [NAMESPACES.monitoring]: "privileged",
};

/**
 * The platform's namespaces: `shop` (apps), `data` (PostgreSQL, Redis), `monitoring`, with
 * Pod Security Admission labels and a default-deny NetworkPolicy where our workloads run, so
 * every allowed flow is one a component declared.
 */
export class Namespaces extends pulumi.ComponentResource {
    readonly apps: pulumi.Output<string>;
    readonly data: pulumi.Output<string>;
    readonly monitoring: pulumi.Output<string>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:k8s:Namespaces", name, {}, opts);
        const created: Record<string, k8s.core.v1.Namespace> = {};
        for (const ns of Object.values(NAMESPACES)) {
            created[ns] = new k8s.core.v1.Namespace(
                ns,
                {
                    metadata: {
                        name: ns,
                        labels: {
                            ...partOfLabels(ns, "namespace"),
                            "pod-security.kubernetes.io/enforce": PSA[ns],
                            "pod-security.kubernetes.io/enforce-version": "latest",
                            "pod-security.kubernetes.io/warn": "restricted",
                            "pod-security.kubernetes.io/audit": "restricted",
                            ...(ns === NAMESPACES.apps && args.albReadinessGates ? { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } : {}),
                        },
                    },
                },
                { parent: this, provider: args.provider },
            );
            if (ns === NAMESPACES.monitoring) continue;
            new k8s.networking.v1.NetworkPolicy(
                `${ns}-default-deny`,
                {
                    metadata: {
                        name: "default-deny",
                        namespace: ns,
                        labels: partOfLabels("default-deny", "network-policy"),
                    },
                    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
                },
                { parent: this, provider: args.provider, dependsOn: [created[ns]] },
            );
        }
        this.apps = created[NAMESPACES.apps].metadata.name;
        this.data = created[NAMESPACES.data].metadata.name;
        this.monitoring = created[NAMESPACES.monitoring].metadata.name;
        this.registerOutputs({ apps: this.apps, data: this.data, monitoring: this.monitoring });
    }
}
