/** Cases of the rules in tags.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { EKS, REPO, c, goodCluster, goodRepo } from "../../test/fixtures";
import { SECRET, TAGS, U, awsProvider, deploy, providerRef, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "aws-required-tags": {
        violating: [
            c(
                "tags missing keys, no provider defaults",
                [rec(REPO, "r", { ...goodRepo, tags: { Project: "shop" } })],
                [/Missing required tags: Environment, Owner, CostCenter, ManagedBy/],
            ),
            c("empty value", [rec(REPO, "r", { ...goodRepo, tags: { ...TAGS, Owner: " " } })], [/empty values: Owner/]),
            c("tagsAll (engine) is authoritative", [rec(REPO, "r", { ...goodRepo, tags: TAGS, tagsAll: { Project: "shop" } })], 1),
            c("custom requiredTags", [rec(REPO, "r", goodRepo)], [/Missing required tags: Team/], { requiredTags: ["Team"] }),
        ],
        compliant: [
            c("tags complete", [rec(REPO, "r", goodRepo)], 0),
            (() => {
                const p = awsProvider(TAGS);
                return c("provider defaultTags (JSON string) satisfy", [p, rec(REPO, "r", { name: "x" }, { provider: providerRef(p) })], 0);
            })(),
            (() => {
                const p = awsProvider({ Project: "shop", Environment: "test", Owner: "o" });
                return c(
                    "defaultTags merged with tags",
                    [p, rec(EKS, "c", { ...goodCluster, tags: { CostCenter: "1", ManagedBy: "pulumi" } }, { provider: providerRef(p) })],
                    0,
                );
            })(),
            c("tagsAll complete even without tags", [rec(REPO, "r", { name: "x", tagsAll: TAGS })], 0),
        ],
        notApplicable: [
            c(
                "non-taggable type",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
                0,
            ),
            c("kubernetes resources", [deploy()], 0),
            c(
                "autoscaling group list tags",
                [rec("aws:autoscaling/group:Group", "asg", { tags: [{ key: "Project", value: "x", propagateAtLaunch: true }] })],
                0,
            ),
        ],
        naType: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        unknown: [
            c("tagsAll unknown, tags unknown", [rec(REPO, "r", { name: "x", tags: U.object, tagsAll: U.object })], 0),
            c("a tag value unknown", [rec(REPO, "r", { ...goodRepo, tags: { ...TAGS, Owner: U.string } })], 0),
            c("tags secret", [rec(REPO, "r", { name: "x", tags: SECRET })], 0),
            (() => {
                const p = rec("pulumi:providers:aws", "aws", { defaultTags: U.string });
                return c("provider defaultTags unknown", [p, rec(REPO, "r", { name: "x" }, { provider: providerRef(p) })], 0);
            })(),
        ],
    },
};
