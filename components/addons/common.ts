/**
 * The add-on model (after cdk-eks-blueprints): each add-on has pinned defaults (chart, repo,
 * exact version, namespace) merged with per-stack overrides, declares what it depends on, and
 * gets its AWS permissions through EKS Pod Identity with a least-privilege policy.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import versions from "./data/versions.json";
import { podIdentityAssumeRolePolicy } from "../iam";

export { versions };

export interface HelmChartSpec {
    chart: string;
    version: string;
    /** https Helm repository, or empty when `chart` is an oci:// reference. */
    repo?: string;
    namespace: string;
}

/** Everything an add-on needs from the cluster. */
export interface AddonContext {
    provider: k8s.Provider;
    clusterName: pulumi.Input<string>;
    region: string;
    /** Controller replicas (per stack). */
    replicas: number;
}

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

/** A Helm release of an add-on with a fixed release name (stable object names) and an exact version. */
export function helmAddon(
    name: string,
    spec: HelmChartSpec,
    values: pulumi.Input<Record<string, unknown>>,
    opts: pulumi.CustomResourceOptions & { provider: k8s.Provider },
    extra: Partial<k8s.helm.v3.ReleaseArgs> = {},
): k8s.helm.v3.Release {
    if (!/^\d+\.\d+\.\d+$/.test(spec.version)) throw new Error(`${name}: chart version must be exact (x.y.z), got ${spec.version}`);
    return new k8s.helm.v3.Release(
        name,
        {
            name: spec.chart.split("/").pop(),
            namespace: spec.namespace,
            chart: spec.chart,
            version: spec.version,
            ...(spec.repo ? { repositoryOpts: { repo: spec.repo } } : {}),
            atomic: true,
            timeout: 600,
            values,
            ...extra,
        },
        opts,
    );
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity (the
 * eks-pod-identity-agent add-on): the trust policy names the Pod Identity service, the
 * association binds it to exactly one namespace/service account.
 */
export function podIdentityRole(
    parent: pulumi.Resource,
    name: string,
    args: { clusterName: pulumi.Input<string>; namespace: string; serviceAccount: string; policy: pulumi.Input<string> },
): { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation } {
    const role = new aws.iam.Role(name, { assumeRolePolicy: podIdentityAssumeRolePolicy() }, { parent });
    // Inline: the role's policy lives and dies with it, and inline policies allow 10 KiB (Karpenter's is > 6 KiB).
    new aws.iam.RolePolicy(name, { role: role.name, policy: args.policy }, { parent });
    const association = new aws.eks.PodIdentityAssociation(
        name,
        { clusterName: args.clusterName, namespace: args.namespace, serviceAccount: args.serviceAccount, roleArn: role.arn },
        { parent },
    );
    return { role, association };
}

/** Fills `${Name}` placeholders of a published policy template; an unknown placeholder is an error. */
export function fillPolicyTemplate(template: string, values: Record<string, string>): string {
    return template.replace(/\$\{(\w+)\}/g, (_, key: string) => {
        if (!(key in values)) throw new Error(`policy template: no value for \${${key}}`);
        return values[key];
    });
}
