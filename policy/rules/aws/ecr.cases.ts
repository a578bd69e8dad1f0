/** Cases of the rules in ecr.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { EKS, RDS, REPO, c, db, doc, eks, goodCluster, goodDb, goodRepo, lcp, repo } from "../../test/fixtures";
import { SECRET, U, mut, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "ecr-scan-on-push": {
        violating: [c("no scanning config", [repo(mut(goodRepo, (x) => delete x.imageScanningConfiguration))], 1)],
        compliant: [c("scanOnPush", [repo(goodRepo)], 0)],
        notApplicable: [c("lifecycle policy", [lcp("storefront")], 0)],
        naType: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        unknown: [c("scanOnPush unknown", [repo(mut(goodRepo, (x) => (x.imageScanningConfiguration.scanOnPush = U.boolean)))], 0)],
    },
    "ecr-immutable-tags": {
        violating: [
            c("default mutable", [repo(mut(goodRepo, (x) => delete x.imageTagMutability))], [/MUTABLE \(default\)/]),
            c("MUTABLE", [repo({ ...goodRepo, imageTagMutability: "MUTABLE" })], 1),
        ],
        compliant: [
            c("IMMUTABLE", [repo(goodRepo)], 0),
            c("IMMUTABLE_WITH_EXCLUSION", [repo({ ...goodRepo, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })], 0),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [repo({ ...goodRepo, imageTagMutability: U.string })], 0)],
    },
    "ecr-kms": {
        violating: [
            c("AES256 default", [repo(mut(goodRepo, (x) => delete x.encryptionConfigurations))], 1),
            c("CMK required", [repo(goodRepo)], [/kmsKey/], { requireCustomerManagedKey: true }),
        ],
        compliant: [
            c("KMS", [repo(goodRepo)], 0),
            c("KMS + CMK", [repo({ ...goodRepo, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:k" }] })], 0, {
                requireCustomerManagedKey: true,
            }),
        ],
        notApplicable: [c("cluster", [eks(goodCluster)], 0)],
        naType: EKS,
        unknown: [c("unknown", [repo({ ...goodRepo, encryptionConfigurations: U.array })], 0)],
    },
    "ecr-repo-policy-not-public": {
        violating: [
            c(
                "Principal *",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([{ Effect: "Allow", Principal: "*", Action: "ecr:*" }]),
                    }),
                ],
                1,
            ),
        ],
        compliant: [
            c(
                "account principal",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "ecr:BatchGetImage" }]),
                    }),
                ],
                0,
            ),
            c(
                "* with org condition",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([
                            { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } },
                        ]),
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("repo", [repo(goodRepo)], 0)],
        naType: REPO,
        unknown: [
            c("policy unknown", [rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", { repository: "r", policy: U.string })], 0),
            c("policy secret", [rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", { repository: "r", policy: SECRET })], 0),
        ],
    },
};
