/** Cases of the rules in kms.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c, doc, goodKey, key } from "../../test/fixtures";
import { U, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "kms-rotation": {
        violating: [c("no rotation", [key({ ...goodKey, enableKeyRotation: false })], 1)],
        compliant: [
            c("rotation", [key(goodKey)], 0),
            c("asymmetric key", [key({ ...goodKey, enableKeyRotation: false, customerMasterKeySpec: "RSA_2048" })], 0),
        ],
        notApplicable: [c("alias", [rec("aws:kms/alias:Alias", "a", { targetKeyId: "k" })], 0)],
        naType: "aws:kms/alias:Alias",
        unknown: [c("unknown", [key({ ...goodKey, enableKeyRotation: U.boolean })], 0)],
    },
    "kms-policy-safe": {
        violating: [
            c(
                "bypass + * principal + short window + no description",
                [
                    key({
                        enableKeyRotation: true,
                        bypassPolicyLockoutSafetyCheck: true,
                        deletionWindowInDays: 7,
                        policy: doc([{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }]),
                    }),
                ],
                4,
                { minDeletionWindowDays: 30 },
            ),
        ],
        compliant: [c("safe", [key(goodKey)], 0), c("7 days ok by default", [key({ ...goodKey, deletionWindowInDays: 7 })], 0)],
        notApplicable: [c("alias", [rec("aws:kms/alias:Alias", "a", { targetKeyId: "k" })], 0)],
        naType: "aws:kms/alias:Alias",
        unknown: [c("policy unknown", [key({ ...goodKey, policy: U.string })], 0)],
    },
};
