import type * as aws from "@pulumi/aws";
import { hasCondition, isWildcardPrincipal, statementsOf } from "../../lib/aws";
import { typedResourceRule } from "../../lib/policy";

const KEY = "aws:kms/key:Key";

export const kmsRotation = typedResourceRule<aws.kms.KeyArgs>({
    name: "kms-rotation",
    description: "Symmetric customer-managed KMS keys must have automatic rotation enabled.",
    why: "Rotating key material limits what one exposed key version can decrypt.",
    defaultLevel: "mandatory",
    types: [KEY],
    check: (props, _args, report) => {
        const spec = props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") return; // asymmetric and HMAC keys cannot rotate
        if (props.enableKeyRotation !== true) report("enableKeyRotation must be true.");
    },
});

export const kmsPolicySafe = typedResourceRule<aws.kms.KeyArgs>({
    name: "kms-policy-safe",
    description:
        "KMS keys must not bypass the policy lockout safety check, must not grant a wildcard principal without a condition, must keep a deletion window and carry a description.",
    why: "A key policy that locks out administrators, or trusts everyone, makes the data unrecoverable or readable by anyone.",
    defaultLevel: "mandatory",
    types: [KEY],
    params: {
        minDeletionWindowDays: {
            type: "integer",
            minimum: 7,
            maximum: 30,
            default: 7,
            description: "Minimum deletionWindowInDays (AWS default when unset: 30).",
        },
    },
    check: (props, _args, report, cfg) => {
        if (props.bypassPolicyLockoutSafetyCheck === true) report("bypassPolicyLockoutSafetyCheck must not be true.");
        const st = statementsOf(props.policy);
        if (st && st.some((s) => s.Effect === "Allow" && isWildcardPrincipal(s.Principal) && !hasCondition(s)))
            report('The key policy allows Principal "*" without a Condition.');
        const w = props.deletionWindowInDays;
        if (typeof w === "number" && w < (cfg.minDeletionWindowDays as number))
            report(`deletionWindowInDays is ${w}; at least ${cfg.minDeletionWindowDays} required.`);
        if (typeof props.description !== "string" || props.description.trim() === "") report("The key needs a description.");
    },
});
