/** Cases of the rules in aws.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { REPO, awsxVpc, bucket, c, flowLog, goodRepo, lcp, otherRecords, pab, repo } from "../../test/fixtures";
import { U, rec, urnOf } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "ecr-lifecycle-policy": {
        violating: [c("repo without policy", [repo(goodRepo)], [/no lifecycle policy/]), c("policy for another repo", [repo(goodRepo), lcp("catalog")], 1)],
        compliant: [
            c("by repository name", [repo(goodRepo), lcp("storefront")], 0),
            c("by dependency (name from an output)", [repo({ ...goodRepo, name: undefined }), lcp("mock-generated-name", [urnOf(REPO, "storefront")])], 0),
        ],
        notApplicable: [c("no repositories", otherRecords, 0)],
        unknown: [c("repository unknown", [repo(goodRepo), lcp(U.string)], 0)],
    },
    "vpc-flow-logs": {
        violating: [
            c("awsx vpc without flow log", [awsxVpc()], [/no flow log/]),
            c("flow log of another vpc", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", id: "vpc-1" }), flowLog({ vpcId: "vpc-2" })], 1),
        ],
        compliant: [
            c("flow log depends on the awsx vpc", [awsxVpc(), flowLog({ vpcId: "vpc-123" }, [urnOf("awsx:ec2:Vpc", "vpc")])], 0),
            c("flow log by vpcId (export outputs)", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", id: "vpc-1" }), flowLog({ vpcId: "vpc-1" })], 0),
            c(
                "awsx component covered through its child vpc",
                [awsxVpc(), rec("aws:ec2/vpc:Vpc", "v", { id: "vpc-9" }, { parent: urnOf("awsx:ec2:Vpc", "vpc") }), flowLog({ vpcId: "vpc-9" })],
                0,
            ),
        ],
        notApplicable: [c("no vpc", otherRecords, 0)],
        unknown: [c("vpcId unknown", [awsxVpc(), flowLog({ vpcId: U.string })], 0)],
    },
    "s3-public-access-block": {
        violating: [
            c("bucket without block", [bucket("logs")], [/no public access block/]),
            c("flag off", [bucket("logs"), pab("logs-pab", "logs-bkt", { ignorePublicAcls: false })], [/ignorePublicAcls/]),
        ],
        compliant: [
            c("by bucket name", [bucket("logs"), pab("logs-pab", "logs-bkt")], 0),
            c("by dependency", [bucket("logs"), pab("logs-pab", "generated", {}, [urnOf("aws:s3/bucket:Bucket", "logs")])], 0),
        ],
        notApplicable: [c("no buckets", otherRecords, 0)],
        unknown: [
            c("flag unknown", [bucket("logs"), pab("logs-pab", "logs-bkt", { blockPublicPolicy: U.boolean })], 0),
            c("bucket ref unknown", [bucket("logs"), pab("logs-pab", U.string)], 0),
        ],
    },
};
