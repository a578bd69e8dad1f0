import type * as aws from "@pulumi/aws";
import { typedResourceRule } from "../../lib/policy";
import { asArray, isOpaque } from "../../lib/values";

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

export const elasticacheEncryption = typedResourceRule<aws.elasticache.ReplicationGroupArgs>({
    name: "elasticache-encryption",
    description: "ElastiCache replication groups must encrypt at rest and in transit and require authentication (authToken or RBAC user groups).",
    why: "Cache contents (sessions, carts) are customer data in transit and at rest.",
    defaultLevel: "mandatory",
    types: [RG],
    params: { requireAuth: { type: "boolean", default: true, description: "Require authToken or userGroupIds." } },
    check: (props, _args, report, cfg) => {
        // State written by older providers (v5 and before) holds this as the string "true".
        if (props.atRestEncryptionEnabled !== true && (props.atRestEncryptionEnabled as unknown) !== "true") report("atRestEncryptionEnabled must be true.");
        if (props.transitEncryptionEnabled !== true) report("transitEncryptionEnabled must be true.");
        if (cfg.requireAuth) {
            // authToken is normally a secret: present-but-opaque counts as set.
            const hasToken =
                Object.prototype.hasOwnProperty.call(props, "authToken") &&
                (isOpaqueProp(props, "authToken") || (typeof props.authToken === "string" && props.authToken !== ""));
            if (!hasToken && asArray(props.userGroupIds).length === 0) report("Set authToken or userGroupIds so clients must authenticate.");
        }
    },
});

function isOpaqueProp(props: Record<string, any>, key: string): boolean {
    try {
        return isOpaque(props[key]);
    } catch {
        return true; // unknown at preview
    }
}

export const elasticacheHa = typedResourceRule<aws.elasticache.ReplicationGroupArgs>({
    name: "elasticache-ha",
    description: "ElastiCache replication groups must have automatic failover and Multi-AZ with at least one replica.",
    why: "A single cache node is a single point of failure for every request that reads it.",
    defaultLevel: "mandatory",
    types: [RG],
    check: (props, _args, report) => {
        if (props.automaticFailoverEnabled !== true) report("automaticFailoverEnabled must be true.");
        if (props.multiAzEnabled !== true) report("multiAzEnabled must be true.");
        const nodes = typeof props.numCacheClusters === "number" ? props.numCacheClusters : undefined;
        const replicas = typeof props.replicasPerNodeGroup === "number" ? props.replicasPerNodeGroup : undefined;
        if ((nodes ?? 0) < 2 && (replicas ?? 0) < 1) report("At least two nodes are required (numCacheClusters >= 2 or replicasPerNodeGroup >= 1).");
    },
});
