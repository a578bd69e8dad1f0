/**
 * The one Helm path (the cdk-eks-blueprints `HelmAddOn` shape): a release of a pinned chart
 * (components/versions.json) with a fixed release name, the component's default values deep-merged
 * with overrides, atomic installs and declared dependencies. Every `helm.v3.Release` of the
 * program is made here.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartImageValues, chartRef, ChartKey, CHARTS } from "./versions";

/**
 * The annotation Helm reads to leave an object in place when an uninstall, or an upgrade whose chart
 * no longer renders it, would delete it (Helm's "resource policies"). Put on the CRDs of every chart
 * that carries CRDs: deleting a CRD deletes every custom resource of its kind (Karpenter's NodePools,
 * and with them the nodes; every ServiceMonitor; every ExternalSecret).
 */
export const HELM_KEEP = { "helm.sh/resource-policy": "keep" } as const;

/** Deep merge of plain objects: overrides win, arrays are replaced. */
export function mergeValues<T extends Record<string, unknown>>(defaults: T, overrides: Record<string, unknown> = {}): T {
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(overrides)) {
        const d = out[k];
        out[k] =
            v && typeof v === "object" && !Array.isArray(v) && d && typeof d === "object" && !Array.isArray(d)
                ? mergeValues(d as Record<string, unknown>, v as Record<string, unknown>)
                : v;
    }
    return out as T;
}

export interface HelmReleaseArgs {
    /** Which pinned chart. */
    chart: ChartKey;
    namespace: pulumi.Input<string>;
    /** The component's values for this chart. Defaults to none (the chart's own defaults). */
    values?: pulumi.Input<Record<string, unknown>>;
    /** Deep-merged over `values` (plain values only). Defaults to none. */
    overrides?: Record<string, unknown>;
    /** Skip the chart's crds/ directory (when the CRDs come from their own release). Defaults to false. */
    skipCrds?: boolean;
    /** Create the namespace if it does not exist. Defaults to false. */
    createNamespace?: boolean;
    /** Seconds Helm waits for the release to become ready. Defaults to 600. */
    timeout?: number;
}

/** Registers one Helm release of a pinned chart; refuses anything but an exact chart version. */
export function helmRelease(name: string, args: HelmReleaseArgs, opts: pulumi.CustomResourceOptions & { provider: k8s.Provider }): k8s.helm.v3.Release {
    const pin = CHARTS[args.chart];
    if (!/^\d+\.\d+\.\d+$/.test(pin.version)) throw new Error(`${name}: chart version must be exact (x.y.z), got ${pin.version}`);
    const ref = chartRef(pin);
    // The pinned image digests win over component values and overrides: a chart never renders a
    // tag our pin file does not name (components/versions.json `images`).
    const images = chartImageValues(pin);
    const pinned = Object.keys(images).length > 0;
    const values =
        args.overrides || pinned
            ? pulumi.output(args.values ?? {}).apply((v) => mergeValues(mergeValues(v as Record<string, unknown>, args.overrides), images))
            : args.values;
    return new k8s.helm.v3.Release(
        name,
        {
            name: pin.releaseName ?? pin.chart,
            namespace: args.namespace,
            chart: ref.chart,
            version: pin.version,
            ...(ref.repo ? { repositoryOpts: { repo: ref.repo } } : {}),
            atomic: true,
            timeout: args.timeout ?? 600,
            ...(values !== undefined ? { values } : {}),
            ...(args.skipCrds ? { skipCrds: true } : {}),
            ...(args.createNamespace ? { createNamespace: true } : {}),
        },
        opts,
    );
}
