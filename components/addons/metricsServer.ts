import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../helm";
import { AddonContext } from "./common";

/** Where metrics-server runs (the resource-metrics API is cluster infrastructure). */
export const METRICS_SERVER_NAMESPACE = "kube-system";

/** Lifetime of the self-signed serving certificate Helm generates (trusted only by the APIService's caBundle): 5 years. */
export const METRICS_SERVER_CERT_DAYS = 1825;

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
        // The API server verifies metrics-server's certificate instead of skipping TLS verification
        // (the chart default insecureSkipTLSVerify: true). Read at kubernetes-sigs/metrics-server commit
        // 5ed5d3a2cf940a8c7541cfbac19af822f4c97844 (chart 3.13.1, 2026-08-04, the newest stored; the
        // 3.14.0 release of 2026-08-26 is not): templates/apiservice.yaml renders insecureSkipTLSVerify
        // only `with` a true value, and with tls.type "helm" creates a Secret with a genSelfSignedCert
        // certificate for the Service's names and sets the APIService caBundle to it; the Deployment then
        // serves it (--tls-cert-file from that Secret). lookup: an upgrade keeps the existing Secret, so
        // the certificate does not change on every release; its lifetime is certDurationDays, after
        // which it is rotated by deleting the Secret and upgrading (docs/addons.md).
        apiService: { insecureSkipTLSVerify: false },
        tls: { type: "helm", helm: { lookup: true, certDurationDays: METRICS_SERVER_CERT_DAYS } },
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
