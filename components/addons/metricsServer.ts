import * as pulumi from "@pulumi/pulumi";
import { AddonContext, helmAddon, HelmChartSpec, mergeValues, versions } from "./common";

export const METRICS_SERVER_CHART: HelmChartSpec = {
    chart: versions.metricsServer.chart,
    repo: versions.metricsServer.repo,
    version: versions.metricsServer.version,
    namespace: "kube-system",
};

export function metricsServerValues(replicas: number, overrides?: Record<string, unknown>): Record<string, unknown> {
    return mergeValues(
        {
            replicas,
            // Two replicas need a PDB to survive node drains; one replica must not block them.
            podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
            metrics: { enabled: false },
        },
        overrides,
    );
}

/**
 * metrics-server: the resource-metrics API (`metrics.k8s.io`) that HPAs read. EKS ships none,
 * so without it every HorizontalPodAutoscaler reports `<unknown>` and never scales.
 */
export class MetricsServer extends pulumi.ComponentResource {
    /** HPAs depend on this. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: AddonContext & { values?: Record<string, unknown> }, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:MetricsServer", name, {}, opts);
        this.ready = helmAddon(name, METRICS_SERVER_CHART, metricsServerValues(args.replicas, args.values), { parent: this, provider: args.provider });
        this.registerOutputs({});
    }
}
