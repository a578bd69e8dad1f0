import { hasCondition, isWildcardPrincipal, statementsOf, strings, type Statement } from "../../lib/aws";
import { resourceRule } from "../../lib/policy";
import { asArray, asObject } from "../../lib/values";

function docsOf(type: string, props: Record<string, any>): unknown[] {
    if (type === "aws:iam/role:Role") return asArray(props.inlinePolicies).map((p: any) => p?.policy);
    return [props.policy];
}

function adminProblems(st: Statement[]): string[] {
    const out: string[] = [];
    for (const s of st) {
        if (s.Effect !== "Allow") continue;
        const actions = strings(s.Action);
        const resources = strings(s.Resource);
        if (actions.some((a) => a === "*" || a === "*:*") && resources.includes("*")) out.push('allows Action "*" on Resource "*" (full admin)');
        else if (actions.some((a) => a === "*" || a === "*:*")) out.push('allows Action "*"');
        if (actions.some((a) => a.toLowerCase() === "iam:*")) out.push('allows "iam:*"');
        if (s.NotAction !== undefined) out.push("uses Allow with NotAction");
    }
    return [...new Set(out)];
}

export const iamNoWildcardAdmin = resourceRule({
    name: "iam-no-wildcard-admin",
    description: 'IAM policy documents must not grant wildcard actions ("*", "iam:*") or Allow+NotAction.',
    why: "`*` on `*` turns any credential leak into a full account compromise.",
    defaultLevel: "mandatory",
    types: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy", "aws:iam/role:Role"],
    check: (props, args, report) => {
        for (const doc of docsOf(args.type, props)) {
            const st = statementsOf(doc);
            if (!st) continue;
            for (const p of adminProblems(st)) report(`The policy document ${p}.`);
        }
    },
});

const DEFAULT_DENIED = ["AdministratorAccess", "IAMFullAccess"];

export const iamNoAdminManagedPolicies = resourceRule({
    name: "iam-no-admin-managed-policies",
    description: "Roles, users and groups must not get the AWS-managed admin policies (AdministratorAccess, IAMFullAccess).",
    why: "AWS's admin policies grant far more than any workload of ours needs.",
    defaultLevel: "mandatory",
    types: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/role:Role",
    ],
    params: {
        deniedPolicies: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_DENIED,
            description: "AWS-managed policy names (arn:*:iam::aws:policy/<name>) that may not be attached.",
        },
    },
    check: (props, args, report, cfg) => {
        const arns = args.type === "aws:iam/role:Role" ? strings(props.managedPolicyArns) : strings(props.policyArn);
        for (const arn of arns) {
            const m = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
            if (m && (cfg.deniedPolicies as string[]).includes(m[1])) report(`Attaches the AWS-managed policy ${m[1]}.`);
        }
    },
});

function conditionKeys(s: Statement): string[] {
    const c = asObject(s.Condition) ?? {};
    return Object.values(c).flatMap((v) => Object.keys(asObject(v) ?? {}));
}

export const iamTrustPolicyScoped = resourceRule({
    name: "iam-trust-policy-scoped",
    description: "Role trust policies must not trust everyone, and web-identity (OIDC: IRSA, GitHub) trust must be scoped by :sub and :aud conditions.",
    why: "An unscoped trust policy lets any identity (or any GitHub repository) assume the role.",
    defaultLevel: "mandatory",
    types: ["aws:iam/role:Role"],
    check: (props, _args, report) => {
        const st = statementsOf(props.assumeRolePolicy);
        if (!st) return;
        for (const s of st) {
            if (s.Effect !== "Allow") continue;
            if (isWildcardPrincipal(s.Principal) && !hasCondition(s)) report('The trust policy allows Principal "*" without a Condition.');
            const federated = strings(asObject(s.Principal)?.Federated);
            const webIdentity = strings(s.Action).some((a) => a === "sts:AssumeRoleWithWebIdentity");
            if (federated.length && webIdentity) {
                const keys = conditionKeys(s);
                if (!keys.some((k) => k.endsWith(":sub")))
                    report(`Web-identity trust for ${federated.join(", ")} has no :sub condition (any workload of that issuer could assume the role).`);
                if (!keys.some((k) => k.endsWith(":aud"))) report(`Web-identity trust for ${federated.join(", ")} has no :aud condition.`);
                const c = asObject(s.Condition) ?? {};
                for (const op of Object.values(c)) {
                    for (const [k, v] of Object.entries(asObject(op) ?? {})) {
                        if (k.endsWith(":sub") && strings(v).some((x) => x === "*" || /^repo:\*/.test(x)))
                            report(`The :sub condition ${JSON.stringify(v)} matches any subject.`);
                    }
                }
            }
        }
    },
});
