/**
 * Every stack configuration key the program reads, in the project namespace
 * (`shop-platform:<key>`). This table is the one place a key is declared: the loader reads
 * exactly these keys, `Pulumi.yaml` must declare each of them (a test keeps the two in sync),
 * and a key in a stack file that is not here is reported as unknown (a typo guard).
 */

export type KeyKind = "string" | "integer" | "boolean" | "array";

export interface KeySpec {
    kind: KeyKind;
    description: string;
    /** Must be set with `pulumi config set --secret`; a plaintext value is an error. */
    secret?: boolean;
}

export const PROJECT = "shop-platform";

export const CONFIG_KEYS = {
    environment: { kind: "string", description: "Environment of this stack: dev, staging or prod. Selects the per-environment defaults." },
    owner: { kind: "string", description: "Owner tag on every AWS resource (team or person accountable)." },
    costCenter: { kind: "string", description: "CostCenter tag on every AWS resource." },

    vpcCidr: { kind: "string", description: "IPv4 CIDR of the VPC (/16 to /20)." },
    azCount: { kind: "integer", description: "Availability zones to spread subnets over (2-6). Default: dev 2, staging 2, prod 3." },
    natGateways: { kind: "string", description: "NAT gateway strategy: Single or OnePerAz. Default: dev Single, staging/prod OnePerAz." },
    flowLogs: { kind: "boolean", description: "Send VPC flow logs to CloudWatch. Default: dev false, staging/prod true." },
    flowLogRetentionDays: { kind: "integer", description: "Retention of the flow-log group (a CloudWatch retention value). Default: 30 staging, 90 prod." },

    kubernetesVersion: { kind: "string", description: "EKS Kubernetes minor version, e.g. 1.34." },
    nodeInstanceTypes: { kind: "array", description: "Instance types of the managed node group (non-empty)." },
    nodeCapacityType: { kind: "string", description: "ON_DEMAND or SPOT (SPOT is refused in prod)." },
    nodeMinSize: { kind: "integer", description: "Managed node group minimum size." },
    nodeDesiredSize: { kind: "integer", description: "Managed node group desired size (min <= desired <= max)." },
    nodeMaxSize: { kind: "integer", description: "Managed node group maximum size." },
    nodeDiskSizeGiB: { kind: "integer", description: "Encrypted gp3 root volume size of each node, GiB." },
    endpointPublicAccess: {
        kind: "boolean",
        description: "Expose the EKS API endpoint publicly (restricted to publicAccessCidrs). The private endpoint is always on. Default: off in prod.",
    },
    publicAccessCidrs: {
        kind: "array",
        description: "CIDRs allowed to reach the public EKS endpoint; required when endpointPublicAccess is true; never 0.0.0.0/0 in prod.",
    },
    adminPrincipalArns: { kind: "array", description: "IAM role/user ARNs given cluster-admin through EKS access entries." },
    clusterLogRetentionDays: { kind: "integer", description: "Retention of the EKS control-plane log group (a CloudWatch retention value)." },
    ecrKeepImages: { kind: "integer", description: "How many images each ECR repository keeps (lifecycle policy)." },

    storefrontReplicas: { kind: "integer", description: "Storefront Deployment replicas (the HPA then moves between its bounds)." },
    storefrontMinReplicas: { kind: "integer", description: "Storefront HPA minimum." },
    storefrontMaxReplicas: { kind: "integer", description: "Storefront HPA maximum." },
    storefrontCacheTtlSeconds: { kind: "integer", description: "Storefront Redis cache TTL, seconds (the write-ups' 10 s)." },
    catalogReplicas: { kind: "integer", description: "Catalog Deployment replicas." },
    catalogMinReplicas: { kind: "integer", description: "Catalog HPA minimum." },
    catalogMaxReplicas: { kind: "integer", description: "Catalog HPA maximum." },
    catalogCacheTtlSeconds: { kind: "integer", description: "Catalog Redis cache TTL, seconds (the write-ups' 60 s)." },

    postgresStorageGiB: { kind: "integer", description: "PostgreSQL volume size, GiB (gp3)." },
    redisPersistence: { kind: "boolean", description: "Redis AOF persistence on a volume. Default: off in dev." },
    redisStorageGiB: { kind: "integer", description: "Redis volume size, GiB, when persistence is on." },
    redisMaxMemoryMb: { kind: "integer", description: "Redis maxmemory (allkeys-lru), MiB." },

    prometheusRetentionDays: { kind: "integer", description: "Prometheus retention, days." },
    prometheusStorageGiB: { kind: "integer", description: "Prometheus volume size, GiB (gp3); retentionSize is 80 % of it." },
    credentialsGeneration: {
        kind: "integer",
        description:
            "Bump (2, 3, …) to rotate every generated password and token except the PostgreSQL superuser's: database roles are altered, dependent pods restart.",
    },
    alertEmailTo: { kind: "string", description: "Optional e-mail address receiving critical alerts." },
    alertSlackWebhookUrl: { kind: "string", secret: true, description: "Optional Slack incoming-webhook URL for alerts. Secret: set with --secret." },

    addonReplicas: {
        kind: "integer",
        description:
            "Replicas of each add-on controller (metrics-server, Karpenter, load balancer controller, External Secrets). Default: dev 1, staging/prod 2.",
    },
    karpenterInstanceFamilies: { kind: "array", description: "EC2 instance families Karpenter may launch, e.g. [m6i, c6i]." },
    karpenterCapacityTypes: { kind: "array", description: "Karpenter capacity types: spot and/or on-demand (spot is refused in prod)." },
    karpenterCpuLimit: { kind: "integer", description: "Total vCPUs Karpenter may provision (a cost ceiling)." },
    karpenterMemoryLimitGiB: { kind: "integer", description: "Total memory Karpenter may provision, GiB." },
    karpenterConsolidateAfterMinutes: { kind: "integer", description: "How long a node must be empty or underused before Karpenter consolidates it." },
    karpenterExpireAfterHours: { kind: "integer", description: "Maximum node lifetime: older nodes are replaced (fresh AMIs, no drift)." },
    ingressEnabled: {
        kind: "boolean",
        description: "Expose the apps through one internet-facing ALB (HTTPS only). Default: off in dev (use kubectl port-forward).",
    },
    ingressHost: { kind: "string", description: "Host name served by the ALB (storefront at /, catalog at /v1); required when ingressEnabled." },
    certificateArn: { kind: "string", description: "ACM certificate ARN for ingressHost; required when ingressEnabled." },
    ingressTlsPolicy: { kind: "string", description: "ALB TLS security policy." },
    externalSecrets: {
        kind: "boolean",
        description: "Keep generated passwords in AWS Secrets Manager and sync them with External Secrets. Default: off in dev, on in staging/prod.",
    },
    secretsRefreshMinutes: { kind: "integer", description: "How often External Secrets re-reads Secrets Manager (rotation delay)." },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Keys whose value is decided per environment when the stack file does not set them. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
