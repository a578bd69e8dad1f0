/** Cases of the rules in iam.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c, doc, ec2Trust, irsaTrust, role } from "../../test/fixtures";
import { SECRET, U, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "iam-no-wildcard-admin": {
        violating: [
            c("*:* policy", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]) })], [/full admin/]),
            c(
                "iam:* role policy (object doc)",
                [
                    rec("aws:iam/rolePolicy:RolePolicy", "p", {
                        role: "r",
                        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:*"], Resource: "arn:aws:iam::1:role/x" }] },
                    }),
                ],
                [/iam:\*/],
            ),
            c(
                "inline policy of a role",
                [role({ assumeRolePolicy: ec2Trust, inlinePolicies: [{ name: "i", policy: doc([{ Effect: "Allow", NotAction: "s3:*", Resource: "*" }]) }] })],
                [/NotAction/],
            ),
        ],
        compliant: [
            c("scoped", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }]) })], 0),
            c("Deny *", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Deny", Action: "*", Resource: "*" }]) })], 0),
        ],
        notApplicable: [
            c(
                "attachment",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
                0,
            ),
        ],
        naType: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        unknown: [
            c("doc unknown", [rec("aws:iam/policy:Policy", "p", { policy: U.string })], 0),
            c("doc secret", [rec("aws:iam/policy:Policy", "p", { policy: SECRET })], 0),
        ],
    },
    "iam-no-admin-managed-policies": {
        violating: [
            c(
                "AdministratorAccess attachment",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
                [/AdministratorAccess/],
            ),
            c(
                "IAMFullAccess in managedPolicyArns (gov partition)",
                [role({ assumeRolePolicy: ec2Trust, managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/IAMFullAccess"] })],
                1,
            ),
        ],
        compliant: [
            c(
                "worker node policy",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" })],
                0,
            ),
            c(
                "customer policy named AdministratorAccess",
                [
                    rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {
                        role: "r",
                        policyArn: "arn:aws:iam::123456789012:policy/AdministratorAccess",
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("policy", [rec("aws:iam/policy:Policy", "p", { policy: "{}" })], 0)],
        naType: "aws:iam/policy:Policy",
        unknown: [c("arn unknown", [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: U.string })], 0)],
    },
    "iam-trust-policy-scoped": {
        violating: [
            c("Principal *", [role({ assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }]) })], [/Principal "\*"/]),
            c("IRSA without conditions", [role({ assumeRolePolicy: irsaTrust(undefined) })], [/:sub/, /:aud/]),
            c(
                "GitHub sub wildcard",
                [
                    role({
                        assumeRolePolicy: doc([
                            {
                                Effect: "Allow",
                                Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: {
                                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" },
                                    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                                },
                            },
                        ]),
                    }),
                ],
                [/matches any subject/],
            ),
        ],
        compliant: [
            c("service principal", [role({ assumeRolePolicy: ec2Trust })], 0),
            c(
                "IRSA scoped",
                [
                    role({
                        assumeRolePolicy: irsaTrust({
                            StringEquals: {
                                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:shop:storefront",
                                "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                            },
                        }),
                    }),
                ],
                0,
            ),
            c(
                "object document (assumeRolePolicyForPrincipal)",
                [
                    role({
                        assumeRolePolicy: {
                            Version: "2012-10-17",
                            Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
                        },
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("policy", [rec("aws:iam/policy:Policy", "p", { policy: "{}" })], 0)],
        naType: "aws:iam/policy:Policy",
        unknown: [c("trust unknown", [role({ assumeRolePolicy: U.string })], 0), c("trust secret", [role({ assumeRolePolicy: SECRET })], 0)],
    },
};
