/** IAM building blocks shared by the components: policy documents, trust policies, node roles. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}

export function iamPolicy(statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting an AWS service assume the role. */
export function serviceAssumeRolePolicy(service: string, extraActions: string[] = []): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", ...extraActions] }],
    });
}

/** Trust policy for EKS Pod Identity (the eks-pod-identity-agent add-on). */
export function podIdentityAssumeRolePolicy(): string {
    return serviceAssumeRolePolicy("pods.eks.amazonaws.com", ["sts:TagSession"]);
}

export const MANAGED_POLICY = (partition: string, name: string) => `arn:${partition}:iam::aws:policy/${name}`;

/** The AWS-managed policies every EKS node needs: kubelet, the VPC CNI, image pulls, SSM access instead of SSH. */
export const NODE_MANAGED_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
];

/** An EC2 node role with {@link NODE_MANAGED_POLICIES} attached (managed node group and Karpenter nodes alike). */
export function nodeRole(parent: pulumi.Resource, name: string): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
    const role = new aws.iam.Role(name, { assumeRolePolicy: serviceAssumeRolePolicy("ec2.amazonaws.com") }, { parent });
    const attachments = NODE_MANAGED_POLICIES.map(
        (policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, { role: role.name, policyArn: MANAGED_POLICY("aws", policy) }, { parent }),
    );
    return { role, attachments };
}
