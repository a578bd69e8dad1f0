import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/policy";
import { peek, UNKNOWN } from "../../lib/values";

/** Identifiers another resource may use to reference `r` (id, name inputs/outputs). */
function identities(r: PolicyResource, keys: string[]): Set<string> {
    const out = new Set<string>();
    for (const k of keys) {
        const v = peek(() => r.props[k]);
        if (typeof v === "string" && v !== "") out.add(v);
    }
    return out;
}

/** Does `ref` point at `target`: through a property dependency, a plain dependency, or a matching identifier? */
function references(ref: PolicyResource, prop: string, target: PolicyResource, ids: Set<string>): boolean | typeof UNKNOWN {
    if ((ref.propertyDependencies?.[prop] ?? []).some((d) => d.urn === target.urn)) return true;
    if (ref.dependencies.some((d) => d.urn === target.urn)) return true;
    const v = peek(() => ref.props[prop]);
    if (v === UNKNOWN) return UNKNOWN;
    return typeof v === "string" && ids.has(v);
}

export const ecrLifecyclePolicy = stackRule({
    name: "ecr-lifecycle-policy",
    description: "Every ECR repository must have a lifecycle policy (aws:ecr/lifecyclePolicy:LifecyclePolicy) expiring old images.",
    why: "Without a lifecycle policy every pushed image is stored, and paid for, forever.",
    defaultLevel: "advisory",
    types: ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"],
    check: (resources, _args, report) => {
        const repos = resources.filter((r) => r.type === "aws:ecr/repository:Repository");
        const lps = resources.filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy");
        for (const repo of repos) {
            const ids = identities(repo, ["name", "id", "repositoryName"]);
            const found = lps.map((lp) => references(lp, "repository", repo, ids));
            if (found.includes(true) || found.includes(UNKNOWN)) continue;
            report(`ECR repository '${repo.name}' has no lifecycle policy: untagged and old images accumulate.`, repo.urn);
        }
    },
});

const VPC_TYPES = ["aws:ec2/vpc:Vpc", "awsx:ec2:Vpc"];

export const vpcFlowLogs = stackRule({
    name: "vpc-flow-logs",
    description:
        "Every VPC (aws:ec2/vpc:Vpc or the awsx:ec2:Vpc component) must have a VPC-level flow log (aws:ec2/flowLog:FlowLog depending on it or naming its vpcId).",
    why: "Without flow logs there is no record of which traffic reached or left the network during an incident.",
    defaultLevel: "mandatory",
    types: [...VPC_TYPES, "aws:ec2/flowLog:FlowLog"],
    check: (resources, _args, report) => {
        const flowLogs = resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
        const vpcs = resources.filter((r) => VPC_TYPES.includes(r.type));
        const covered = (vpc: PolicyResource): boolean => {
            const ids = identities(vpc, ["id", "vpcId"]);
            return flowLogs.some((fl) => {
                const v = references(fl, "vpcId", vpc, ids);
                return v === true || v === UNKNOWN;
            });
        };
        for (const vpc of vpcs) {
            if (covered(vpc)) continue;
            // awsx:ec2:Vpc ↔ its child aws:ec2/vpc:Vpc: coverage of either counts for both.
            const relatives = vpcs.filter((o) => o !== vpc && (o.parent?.urn === vpc.urn || vpc.parent?.urn === o.urn));
            if (relatives.some(covered)) continue;
            report(`VPC '${vpc.name}' has no flow log.`, vpc.urn);
        }
    },
});

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = stackRule({
    name: "s3-public-access-block",
    description: "Every S3 bucket must have a BucketPublicAccessBlock with all four flags true.",
    why: "The account-independent public access block stops a later ACL or policy change from publishing the bucket.",
    defaultLevel: "mandatory",
    types: [...BUCKETS, PAB],
    check: (resources, _args, report) => {
        const pabs = resources.filter((r) => r.type === PAB);
        for (const b of resources.filter((r) => BUCKETS.includes(r.type))) {
            const ids = identities(b, ["bucket", "id"]);
            const mine = pabs.filter((p) => references(p, "bucket", b, ids) !== false);
            if (mine.length === 0) {
                report(`S3 bucket '${b.name}' has no public access block.`, b.urn);
                continue;
            }
            for (const p of mine) {
                const off = FLAGS.filter((f) => {
                    const v = peek(() => p.props[f]);
                    return v !== UNKNOWN && v !== true;
                });
                if (off.length) report(`The public access block of bucket '${b.name}' does not set ${off.join(", ")} to true.`, p.urn);
            }
        }
    },
});
