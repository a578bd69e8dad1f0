/** Cases of the rules in eks.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { EKS, NG, RDS, REPO, c, db, eks, goodCluster, goodDb, goodRepo, lt, ng, repo } from "../../test/fixtures";
import { U, mut } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "eks-secrets-encryption": {
        violating: [
            c("no encryptionConfig", [eks(mut(goodCluster, (x) => delete x.encryptionConfig))], 1),
            c("no keyArn", [eks(mut(goodCluster, (x) => delete x.encryptionConfig.provider))], 1),
        ],
        compliant: [c("secrets + key", [eks(goodCluster)], 0)],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("keyArn unknown", [eks(mut(goodCluster, (x) => (x.encryptionConfig.provider.keyArn = U.string)))], 0)],
    },
    "eks-endpoint-private": {
        violating: [
            c("public default (no cidrs)", [eks(mut(goodCluster, (x) => delete x.vpcConfig.publicAccessCidrs))], [/open to 0.0.0.0\/0/]),
            c(
                "0.0.0.0/0 listed, no private access",
                [
                    eks(
                        mut(goodCluster, (x) => {
                            x.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"];
                            x.vpcConfig.endpointPrivateAccess = false;
                        }),
                    ),
                ],
                [/endpointPrivateAccess/, /allows 0.0.0.0\/0/],
            ),
            c("cidr outside allow-list", [eks(goodCluster)], [/not in the allow-list: 203.0.113.0\/24/], { allowedPublicCidrs: ["198.51.100.0/24"] }),
        ],
        compliant: [
            c("restricted cidrs", [eks(goodCluster)], 0),
            c(
                "private only",
                [
                    eks(
                        mut(goodCluster, (x) => {
                            x.vpcConfig.endpointPublicAccess = false;
                            delete x.vpcConfig.publicAccessCidrs;
                        }),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("repository", [repo(goodRepo)], 0)],
        naType: REPO,
        unknown: [c("vpcConfig unknown", [eks(mut(goodCluster, (x) => (x.vpcConfig = U.object)))], 0)],
    },
    "eks-control-plane-logging": {
        violating: [
            c("only api", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = ["api"])))], [/audit, authenticator, controllerManager, scheduler/]),
        ],
        compliant: [
            c("all five", [eks(goodCluster)], 0),
            c("configured subset", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = ["audit"])))], 0, { requiredLogTypes: ["audit"] }),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("log types unknown", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = U.array)))], 0)],
    },
    "eks-access-entries": {
        violating: [c("no accessConfig (CONFIG_MAP)", [eks(mut(goodCluster, (x) => delete x.accessConfig))], [/CONFIG_MAP/])],
        compliant: [
            c("API", [eks(goodCluster)], 0),
            c("API_AND_CONFIG_MAP", [eks(mut(goodCluster, (x) => (x.accessConfig.authenticationMode = "API_AND_CONFIG_MAP")))], 0),
        ],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("mode unknown", [eks(mut(goodCluster, (x) => (x.accessConfig.authenticationMode = U.string)))], 0)],
    },
    "eks-nodegroup-no-open-ssh": {
        violating: [c("remoteAccess without SGs", [ng({ remoteAccess: { ec2SshKey: "k" } })], 1)],
        compliant: [c("no remoteAccess", [ng({})], 0), c("with source SGs", [ng({ remoteAccess: { ec2SshKey: "k", sourceSecurityGroupIds: ["sg-1"] } })], 0)],
        notApplicable: [c("cluster", [eks(goodCluster)], 0)],
        naType: EKS,
        unknown: [c("remoteAccess unknown", [ng({ remoteAccess: U.object })], 0)],
    },
    "launch-template-imdsv2": {
        violating: [
            c("no metadataOptions", [lt(undefined)], 1),
            c("optional tokens, hop 3", [lt({ httpTokens: "optional", httpPutResponseHopLimit: 3 })], 2),
            c("hop 2 > 1", [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })], [/at most 1/]),
        ],
        compliant: [
            c("required, hop 1", [lt({ httpTokens: "required", httpPutResponseHopLimit: 1 })], 0),
            c("hop 2 allowed by config", [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })], 0, { maxHopLimit: 2 }),
            c("IMDS disabled", [lt({ httpEndpoint: "disabled" })], 0),
        ],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("hop limit unknown", [lt({ httpTokens: "required", httpPutResponseHopLimit: U.number })], 0)],
    },
};
