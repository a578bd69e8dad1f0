import type * as aws from "@pulumi/aws";
import { resourceRule, typedResourceRule } from "../../lib/policy";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";

function isReplica(props: Record<string, any>): boolean {
    return typeof props.replicateSourceDb === "string" && props.replicateSourceDb !== "";
}

export const rdsStorageEncrypted = resourceRule({
    name: "rds-storage-encrypted",
    description: "RDS instances and clusters must encrypt storage at rest (read replicas inherit it).",
    why: "Database volumes and snapshots hold customer orders.",
    defaultLevel: "mandatory",
    types: [INSTANCE, CLUSTER],
    params: { requireKmsKey: { type: "boolean", default: false, description: "Also require a customer-managed kmsKeyId." } },
    check: (props, args, report, cfg) => {
        if (args.type === INSTANCE && isReplica(props)) return;
        if (props.storageEncrypted !== true) report("storageEncrypted must be true.");
        else if (cfg.requireKmsKey && !props.kmsKeyId) report("kmsKeyId must name a customer-managed KMS key.");
    },
});

export const rdsNotPublic = typedResourceRule<aws.rds.InstanceArgs>({
    name: "rds-not-public",
    description: "RDS instances must not be publicly accessible.",
    why: "A publicly reachable database is one leaked password away from a breach.",
    defaultLevel: "mandatory",
    types: [INSTANCE],
    check: (props, _args, report) => {
        if (props.publiclyAccessible === true) report("publiclyAccessible must not be true.");
    },
});

export const rdsBackups = resourceRule({
    name: "rds-backups",
    description: "RDS instances and clusters must keep automated backups for at least the configured number of days.",
    why: "Without automated backups a bad migration or a deleted instance loses orders for good.",
    defaultLevel: "mandatory",
    types: [INSTANCE, CLUSTER],
    params: { minRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Minimum backupRetentionPeriod." } },
    check: (props, args, report, cfg) => {
        if (args.type === INSTANCE && isReplica(props)) return;
        const days = typeof props.backupRetentionPeriod === "number" ? props.backupRetentionPeriod : 1; // AWS default 1
        if (days < (cfg.minRetentionDays as number))
            report(
                `backupRetentionPeriod is ${days}${props.backupRetentionPeriod === undefined ? " (default)" : ""}; at least ${cfg.minRetentionDays} days required.`,
            );
    },
});

export const rdsMultiAz = typedResourceRule<aws.rds.InstanceArgs>({
    name: "rds-multi-az",
    description: "RDS instances must be Multi-AZ.",
    why: "A single-AZ database stops the shop when its zone does.",
    defaultLevel: "mandatory",
    types: [INSTANCE],
    check: (props, _args, report) => {
        if (isReplica(props)) return;
        if (props.multiAz !== true) report("multiAz must be true.");
    },
});

export const rdsDeletionProtection = resourceRule({
    name: "rds-deletion-protection",
    description: "RDS instances and clusters must enable deletion protection and keep a final snapshot.",
    why: "A destroy or a replacement must never silently delete the orders database.",
    defaultLevel: "mandatory",
    types: [INSTANCE, CLUSTER],
    check: (props, _args, report) => {
        if (props.deletionProtection !== true) report("deletionProtection must be true.");
        if (props.skipFinalSnapshot === true) report("skipFinalSnapshot must not be true.");
    },
});
