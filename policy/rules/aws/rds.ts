import { resourceRule } from "../../lib/policy";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";

function isReplica(props: Record<string, any>): boolean {
    return typeof props.replicateSourceDb === "string" && props.replicateSourceDb !== "";
}

/** Row 18. */
export const rdsStorageEncrypted = resourceRule({
    name: "rds-storage-encrypted",
    description: "RDS instances and clusters must encrypt storage at rest (read replicas inherit it).",
    rows: [18],
    defaultLevel: "mandatory",
    types: [INSTANCE, CLUSTER],
    params: { requireKmsKey: { type: "boolean", default: false, description: "Also require a customer-managed kmsKeyId." } },
    check: (props, args, report, cfg) => {
        if (args.type === INSTANCE && isReplica(props)) return;
        if (props.storageEncrypted !== true) report("storageEncrypted must be true.");
        else if (cfg.requireKmsKey && !props.kmsKeyId) report("kmsKeyId must name a customer-managed KMS key.");
    },
});

/** Row 19. */
export const rdsNotPublic = resourceRule({
    name: "rds-not-public",
    description: "RDS instances must not be publicly accessible.",
    rows: [19],
    defaultLevel: "mandatory",
    types: [INSTANCE],
    check: (props, _args, report) => {
        if (props.publiclyAccessible === true) report("publiclyAccessible must not be true.");
    },
});

/** Row 20. */
export const rdsBackups = resourceRule({
    name: "rds-backups",
    description: "RDS instances and clusters must keep automated backups for at least the configured number of days.",
    rows: [20],
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

/** Row 21. */
export const rdsMultiAz = resourceRule({
    name: "rds-multi-az",
    description: "RDS instances must be Multi-AZ.",
    rows: [21],
    defaultLevel: "mandatory",
    types: [INSTANCE],
    check: (props, _args, report) => {
        if (isReplica(props)) return;
        if (props.multiAz !== true) report("multiAz must be true.");
    },
});

/** Row 22. */
export const rdsDeletionProtection = resourceRule({
    name: "rds-deletion-protection",
    description: "RDS instances and clusters must enable deletion protection and keep a final snapshot.",
    rows: [22],
    defaultLevel: "mandatory",
    types: [INSTANCE, CLUSTER],
    check: (props, _args, report) => {
        if (props.deletionProtection !== true) report("deletionProtection must be true.");
        if (props.skipFinalSnapshot === true) report("skipFinalSnapshot must not be true.");
    },
});
