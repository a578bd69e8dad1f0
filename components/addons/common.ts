/**
 * The add-on model (after cdk-eks-blueprints): each add-on is a pinned chart (components/versions.json)
 * released through the one Helm helper (components/helm.ts) with its default values, declares what
 * it depends on, exposes what others need, and gets its AWS permissions through EKS Pod Identity
 * with a least-privilege policy.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityAssumeRolePolicy } from "../iam";

/** Everything an add-on needs from the cluster. */
export interface AddonContext {
    provider: k8s.Provider;
    clusterName: pulumi.Input<string>;
    region: string;
    /** Controller replicas (per stack). */
    replicas: number;
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
