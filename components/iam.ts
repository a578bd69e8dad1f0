/** Small pure builders for IAM policy documents, shared by the components. */

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
