import { Environment } from "./keys";

/**
 * Per-environment defaults: what a stack gets when its file does not set a key.
 * dev is cheap and disposable, staging mirrors prod's shape at a smaller size, prod is
 * highly available (3 AZs, a NAT gateway per AZ, private API endpoint, longer retention).
 */
export interface EnvironmentDefaults {
    vpcCidr: string;
    azCount: number;
    natGateways: "Single" | "OnePerAz";
    flowLogs: boolean;
    flowLogRetentionDays: number;
    kubernetesVersion: string;
    nodeInstanceTypes: string[];
    nodeCapacityType: "ON_DEMAND" | "SPOT";
    nodeMinSize: number;
    nodeDesiredSize: number;
    nodeMaxSize: number;
    nodeDiskSizeGiB: number;
    endpointPublicAccess: boolean;
    publicAccessCidrs: string[];
    adminPrincipalArns: string[];
    clusterLogRetentionDays: number;
    ecrKeepImages: number;
    storefrontReplicas: number;
    storefrontMinReplicas: number;
    storefrontMaxReplicas: number;
    storefrontCacheTtlSeconds: number;
    catalogReplicas: number;
    catalogMinReplicas: number;
    catalogMaxReplicas: number;
    catalogCacheTtlSeconds: number;
    postgresStorageGiB: number;
    redisPersistence: boolean;
    redisStorageGiB: number;
    redisMaxMemoryMb: number;
    prometheusRetentionDays: number;
    prometheusStorageGiB: number;
    addonReplicas: number;
    karpenterInstanceFamilies: string[];
    karpenterCapacityTypes: ("spot" | "on-demand")[];
    karpenterCpuLimit: number;
    karpenterMemoryLimitGiB: number;
    karpenterConsolidateAfterMinutes: number;
    karpenterExpireAfterHours: number;
    ingressEnabled: boolean;
    ingressTlsPolicy: string;
    externalSecrets: boolean;
    secretsRefreshMinutes: number;
    credentialsGeneration: number;
}

const common = {
    vpcCidr: "10.0.0.0/16",
    kubernetesVersion: "1.34",
    nodeCapacityType: "ON_DEMAND",
    publicAccessCidrs: [],
    adminPrincipalArns: [],
    storefrontCacheTtlSeconds: 10,
    catalogCacheTtlSeconds: 60,
    karpenterInstanceFamilies: ["m6i", "m6a", "m7i", "c6i", "c7i"],
    karpenterExpireAfterHours: 720,
    ingressTlsPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    secretsRefreshMinutes: 60,
    credentialsGeneration: 1,
} as const;

export const ENVIRONMENT_DEFAULTS: Record<Environment, EnvironmentDefaults> = {
    dev: {
        ...common,
        publicAccessCidrs: [],
        adminPrincipalArns: [],
        azCount: 2,
        natGateways: "Single",
        flowLogs: false,
        flowLogRetentionDays: 14,
        nodeInstanceTypes: ["t3.large"],
        nodeMinSize: 1,
        nodeDesiredSize: 2,
        nodeMaxSize: 3,
        nodeDiskSizeGiB: 20,
        endpointPublicAccess: true,
        clusterLogRetentionDays: 7,
        ecrKeepImages: 10,
        storefrontReplicas: 1,
        storefrontMinReplicas: 1,
        storefrontMaxReplicas: 2,
        catalogReplicas: 1,
        catalogMinReplicas: 1,
        catalogMaxReplicas: 2,
        postgresStorageGiB: 5,
        redisPersistence: false,
        redisStorageGiB: 1,
        redisMaxMemoryMb: 128,
        prometheusRetentionDays: 3,
        prometheusStorageGiB: 10,
        addonReplicas: 1,
        karpenterInstanceFamilies: [...common.karpenterInstanceFamilies],
        karpenterCapacityTypes: ["spot", "on-demand"],
        karpenterCpuLimit: 16,
        karpenterMemoryLimitGiB: 64,
        karpenterConsolidateAfterMinutes: 1,
        karpenterExpireAfterHours: 168,
        ingressEnabled: false,
        externalSecrets: false,
    },
    staging: {
        ...common,
        publicAccessCidrs: [],
        adminPrincipalArns: [],
        azCount: 2,
        natGateways: "OnePerAz",
        flowLogs: true,
        flowLogRetentionDays: 30,
        nodeInstanceTypes: ["m6i.large"],
        nodeMinSize: 2,
        nodeDesiredSize: 2,
        nodeMaxSize: 4,
        nodeDiskSizeGiB: 40,
        endpointPublicAccess: true,
        clusterLogRetentionDays: 30,
        ecrKeepImages: 20,
        storefrontReplicas: 2,
        storefrontMinReplicas: 2,
        storefrontMaxReplicas: 4,
        catalogReplicas: 2,
        catalogMinReplicas: 2,
        catalogMaxReplicas: 4,
        postgresStorageGiB: 20,
        redisPersistence: true,
        redisStorageGiB: 2,
        redisMaxMemoryMb: 256,
        prometheusRetentionDays: 7,
        prometheusStorageGiB: 20,
        addonReplicas: 2,
        karpenterInstanceFamilies: [...common.karpenterInstanceFamilies],
        karpenterCapacityTypes: ["spot", "on-demand"],
        karpenterCpuLimit: 32,
        karpenterMemoryLimitGiB: 128,
        karpenterConsolidateAfterMinutes: 5,
        ingressEnabled: true,
        externalSecrets: true,
    },
    prod: {
        ...common,
        publicAccessCidrs: [],
        adminPrincipalArns: [],
        azCount: 3,
        natGateways: "OnePerAz",
        flowLogs: true,
        flowLogRetentionDays: 90,
        nodeInstanceTypes: ["m6i.large", "m6a.large"],
        nodeMinSize: 3,
        nodeDesiredSize: 3,
        nodeMaxSize: 6,
        nodeDiskSizeGiB: 50,
        endpointPublicAccess: false,
        clusterLogRetentionDays: 90,
        ecrKeepImages: 50,
        storefrontReplicas: 3,
        storefrontMinReplicas: 3,
        storefrontMaxReplicas: 10,
        catalogReplicas: 3,
        catalogMinReplicas: 3,
        catalogMaxReplicas: 10,
        postgresStorageGiB: 50,
        redisPersistence: true,
        redisStorageGiB: 5,
        redisMaxMemoryMb: 512,
        prometheusRetentionDays: 15,
        prometheusStorageGiB: 50,
        addonReplicas: 2,
        karpenterInstanceFamilies: [...common.karpenterInstanceFamilies],
        karpenterCapacityTypes: ["on-demand"],
        karpenterCpuLimit: 64,
        karpenterMemoryLimitGiB: 256,
        karpenterConsolidateAfterMinutes: 10,
        ingressEnabled: true,
        externalSecrets: true,
    },
};
