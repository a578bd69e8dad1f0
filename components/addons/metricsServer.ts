import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../helm";
import { AddonContext } from "./common";

/** Where metrics-server runs (the resource-metrics API is cluster infrastructure). */
export const METRICS_SERVER_NAMESPACE = "kube-system";

/** Pure: the chart values for `replicas` controller replicas. */
export function metricsServerValues(replicas: number): Record<string, unknown> {
    return {
        replicas,
        // Two replicas need a PDB to survive node drains; one replica must not block them.
        // AlwaysAllow, as for our own PDBs: a crash-looping replica must not block drains. The
        // chart's templates/pdb.yaml renders the key (commit 76de4d1c, 2024-10-08; still there in
        // chart 3.13.1) though values.yaml does not list it.
        podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        metrics: { enabled: false },
    };
}

/**
 * metrics-server: the resource-metrics API (`metrics.k8s.io`) that HPAs read. EKS ships none,
 * so without it every HorizontalPodAutoscaler reports `<unknown>` and never scales.
 */
export class MetricsServer extends pulumi.ComponentResource {
    /** HPAs depend on this. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: AddonContext, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:MetricsServer", name, {}, opts);
        this.ready = helmRelease(
            name,
            { chart: "metricsServer", namespace: METRICS_SERVER_NAMESPACE, values: metricsServerValues(args.replicas) },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({});
    }
}
