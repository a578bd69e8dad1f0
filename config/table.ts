/**
 * THE configuration table: one row per stack key (`shop-platform:<key>`), the only place a key
 * is declared. Pulumi.yaml, the README's per-stack table and docs/configuration.md are generated
 * from it (`npm run gen:config`; tests fail while they are stale), the loader reads exactly these
 * keys, and a key in a stack file that is not here is reported as unknown (a typo guard).
 *
 * Adding a setting: add a row here (schema, default or per-environment defaults, the option it
 * feeds), then use that option in the one component that needs it.
 */
import { z } from "zod";
import { ENVIRONMENTS, Environment, row } from "./rows";
import eksVersions from "./eks-versions.json";
import { cidr, iamPrincipalArn, instanceType, isOpenCidr, LOG_RETENTION_DAYS, parseCidr, positiveInt, retention, tagValue } from "./validators";

export const PROJECT = "shop-platform";

const ttl = z.number().int().min(0, "must be 0 (no cache) or more").max(86400, "must be at most 86400");
const replicas = positiveInt;

export const CONFIG_TABLE = {
    // --- stack identity and tags
    environment: row({
        type: "string",
        description: "Environment of this stack: dev, staging or prod. Selects the per-environment defaults.",
        schema: z.enum(ENVIRONMENTS, { message: `must be one of ${ENVIRONMENTS.join(", ")}` }),
        required: true,
        feeds: "environment",
    }),
    owner: row({
        type: "string",
        description: "Owner tag on every AWS resource (team or person accountable).",
        schema: tagValue,
        required: true,
        feeds: "tags.Owner",
    }),
    costCenter: row({ type: "string", description: "CostCenter tag on every AWS resource.", schema: tagValue, required: true, feeds: "tags.CostCenter" }),

    // --- network
    vpcCidr: row({
        type: "string",
        description: "IPv4 CIDR of the VPC (/16 to /20).",
        schema: cidr.refine((s) => {
            const p = parseCidr(s);
            return p !== undefined && p.bits >= 16 && p.bits <= 20;
        }, "must be a /16 to /20 block (room for public and private subnets in every AZ)"),
        default: "10.0.0.0/16",
        feeds: "network.cidr",
    }),
    azCount: row({
        type: "integer",
        description: "Availability zones to spread subnets over (2-6).",
        schema: z.number().int().min(2, "must be at least 2 (EKS needs subnets in two AZs)").max(6, "must be at most 6"),
        defaults: { dev: 2, staging: 2, prod: 3 },
        feeds: "network.azCount",
    }),
    natGateways: row({
        type: "string",
        description: "NAT gateway strategy: Single or OnePerAz.",
        schema: z.enum(["Single", "OnePerAz"], { message: "must be Single or OnePerAz (private nodes need egress)" }),
        defaults: { dev: "Single", staging: "OnePerAz", prod: "OnePerAz" },
        feeds: "network.natGateways",
    }),
    flowLogs: row({
        type: "boolean",
        description: "Send VPC flow logs to CloudWatch.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "network.flowLogs.enabled",
    }),
    flowLogRetentionDays: row({
        type: "integer",
        description: "Retention of the flow-log group (a CloudWatch retention value).",
        schema: retention,
        defaults: { dev: 14, staging: 30, prod: 90 },
        feeds: "network.flowLogs.retentionDays",
    }),

    // --- cluster
    kubernetesVersion: row({
        type: "string",
        description:
            "EKS Kubernetes minor version of the control plane and the managed nodes (they follow it). Upgrade one minor at a time; a version past its EKS end of standard support (config/eks-versions.json) is refused.",
        schema: z
            .string()
            .regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.36")
            .refine((v) => eksVersions.versions.some((e) => e.version === v), {
                message: `must be a version listed in config/eks-versions.json (${eksVersions.versions.map((e) => e.version).join(", ")})`,
            }),
        default: "1.36",
        feeds: "cluster.version",
    }),
    nodeInstanceTypes: row({
        type: "array",
        description: "Instance types of the managed node group (non-empty).",
        schema: z.array(instanceType).min(1, "must list at least one instance type"),
        defaults: { dev: ["t3.large"], staging: ["m6i.large"], prod: ["m6i.large", "m6a.large"] },
        feeds: "cluster.nodeGroup.instanceTypes",
    }),
    nodeCapacityType: row({
        type: "string",
        description: "ON_DEMAND or SPOT (SPOT is refused in prod).",
        schema: z.enum(["ON_DEMAND", "SPOT"], { message: "must be ON_DEMAND or SPOT" }),
        default: "ON_DEMAND",
        feeds: "cluster.nodeGroup.capacityType",
    }),
    nodeMinSize: row({
        type: "integer",
        description: "Managed node group minimum size.",
        schema: z.number().int().min(1, "must be at least 1 (the system add-ons need a node)"),
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "cluster.nodeGroup.minSize",
    }),
    nodeDesiredSize: row({
        type: "integer",
        description: "Managed node group desired size (min <= desired <= max).",
        schema: positiveInt,
        defaults: { dev: 2, staging: 2, prod: 3 },
        feeds: "cluster.nodeGroup.desiredSize",
    }),
    nodeMaxSize: row({
        type: "integer",
        description: "Managed node group maximum size.",
        schema: positiveInt.max(100, "must be at most 100"),
        defaults: { dev: 3, staging: 4, prod: 6 },
        feeds: "cluster.nodeGroup.maxSize",
    }),
    nodeDiskSizeGiB: row({
        type: "integer",
        description: "Encrypted gp3 root volume size of each node, GiB.",
        schema: z.number().int().min(20, "must be at least 20 GiB").max(1000, "must be at most 1000 GiB"),
        defaults: { dev: 20, staging: 40, prod: 50 },
        feeds: "cluster.nodeGroup.diskSizeGiB",
    }),
    endpointPublicAccess: row({
        type: "boolean",
        description: "Expose the EKS API endpoint publicly (restricted to publicAccessCidrs). The private endpoint is always on.",
        schema: z.boolean(),
        defaults: { dev: true, staging: true, prod: false },
        feeds: "cluster.publicAccess",
    }),
    publicAccessCidrs: row({
        type: "array",
        description: "CIDRs allowed to reach the public EKS endpoint; required when endpointPublicAccess is true; never 0.0.0.0/0.",
        schema: z.array(cidr),
        default: [],
        feeds: "cluster.publicAccessCidrs",
    }),
    adminPrincipalArns: row({
        type: "array",
        description: "IAM role/user ARNs given cluster-admin through EKS access entries.",
        schema: z.array(iamPrincipalArn),
        default: [],
        feeds: "cluster.adminPrincipalArns",
    }),
    deployRoleArn: row({
        type: "string",
        description:
            "IAM role that runs `pulumi up` for this stack (CI's deploy role, or an operator's). It gets cluster-admin through an explicit access entry; the cluster is created without the creator's implicit admin, so nobody else is admin by accident. Required to deploy.",
        schema: iamPrincipalArn,
        feeds: "cluster.deployRoleArn",
    }),
    previewRoleArn: row({
        type: "string",
        description:
            "Optional IAM role that runs `pulumi preview --refresh` on pull requests: a read-only access entry (AmazonEKSAdminViewPolicy, which can read the Secrets where Helm keeps release state).",
        schema: iamPrincipalArn,
        feeds: "cluster.previewRoleArn",
    }),
    clusterLogRetentionDays: row({
        type: "integer",
        description: "Retention of the EKS control-plane log group (a CloudWatch retention value).",
        schema: retention,
        defaults: { dev: 7, staging: 30, prod: 90 },
        feeds: "cluster.logRetentionDays",
    }),
    clusterDeletionProtection: row({
        type: "boolean",
        description: "EKS deletion protection: `pulumi destroy` (or a replacement) of the control plane is refused until it is turned off.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "cluster.deletionProtection",
    }),
    kmsDeletionWindowDays: row({
        type: "integer",
        description: "Waiting period before a deleted KMS key (EKS secrets, Secrets Manager entries) is destroyed, days (7-30).",
        schema: z.number().int().min(7, "must be at least 7 (the KMS minimum)").max(30, "must be at most 30 (the KMS maximum)"),
        defaults: { dev: 7, staging: 7, prod: 30 },
        feeds: "kms.deletionWindowDays",
    }),

    protectData: row({
        type: "boolean",
        description:
            "Mark what holds data (the EKS cluster, KMS keys, ECR repositories, Secrets Manager entries, backup buckets) `protect`: no `pulumi destroy` or replacement can delete them until the flag is lifted.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "protectData",
    }),

    // --- images
    ecrKeepImages: row({
        type: "integer",
        description: "How many images each ECR repository keeps (lifecycle policy).",
        schema: positiveInt.max(1000, "must be at most 1000"),
        defaults: { dev: 10, staging: 20, prod: 50 },
        feeds: "images.keepImages",
    }),
    ecrForceDelete: row({
        type: "boolean",
        description: "Allow deleting an ECR repository that still holds images (on `pulumi destroy`).",
        schema: z.boolean(),
        defaults: { dev: true, staging: true, prod: false },
        feeds: "images.forceDelete",
    }),

    // --- apps
    storefrontReplicas: row({
        type: "integer",
        description: "Storefront Deployment replicas at creation (the HPA then moves between its bounds).",
        schema: replicas,
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "apps.storefront.replicas",
    }),
    storefrontMinReplicas: row({
        type: "integer",
        description: "Storefront HPA minimum.",
        schema: replicas,
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "apps.storefront.minReplicas",
    }),
    storefrontMaxReplicas: row({
        type: "integer",
        description: "Storefront HPA maximum.",
        schema: replicas,
        defaults: { dev: 2, staging: 4, prod: 10 },
        feeds: "apps.storefront.maxReplicas",
    }),
    storefrontCacheTtlSeconds: row({
        type: "integer",
        description: "Storefront Redis cache TTL, seconds (the write-ups' 10 s).",
        schema: ttl,
        default: 10,
        feeds: "apps.storefront.cacheTtlSeconds",
    }),
    catalogReplicas: row({
        type: "integer",
        description: "Catalog Deployment replicas at creation (the HPA then moves between its bounds).",
        schema: replicas,
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "apps.catalog.replicas",
    }),
    catalogMinReplicas: row({
        type: "integer",
        description: "Catalog HPA minimum.",
        schema: replicas,
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "apps.catalog.minReplicas",
    }),
    catalogMaxReplicas: row({
        type: "integer",
        description: "Catalog HPA maximum.",
        schema: replicas,
        defaults: { dev: 2, staging: 4, prod: 10 },
        feeds: "apps.catalog.maxReplicas",
    }),
    catalogCacheTtlSeconds: row({
        type: "integer",
        description: "Catalog Redis cache TTL, seconds (the write-ups' 60 s).",
        schema: ttl,
        default: 60,
        feeds: "apps.catalog.cacheTtlSeconds",
    }),

    // --- data services
    postgresStorageGiB: row({
        type: "integer",
        description: "PostgreSQL volume size, GiB (gp3).",
        schema: positiveInt.max(16384, "must be at most 16384 GiB"),
        defaults: { dev: 5, staging: 20, prod: 50 },
        feeds: "data.postgres.storageGiB",
    }),
    postgresInstances: row({
        type: "integer",
        description:
            "PostgreSQL instances of the CloudNativePG Cluster: one primary plus streaming replicas, spread over the zones (failover needs at least 2).",
        schema: z.number().int().min(1, "must be at least 1").max(9, "must be at most 9"),
        defaults: { dev: 1, staging: 2, prod: 3 },
        feeds: "data.postgres.instances",
    }),
    postgresLegacyStatefulSet: row({
        type: "boolean",
        description:
            "Keep the pre-operator PostgreSQL StatefulSet and import its database into the CloudNativePG Cluster when the Cluster is created (migration step 1, docs/database.md). Turn off (step 2) once the Cluster serves the apps: that deletes the StatefulSet, a non-routine change the change plan flags.",
        schema: z.boolean(),
        default: true,
        feeds: "data.postgres.legacy",
    }),
    postgresBackups: row({
        type: "boolean",
        description: "Continuous backups: WAL archiving and a daily base backup (barman-cloud) to the stack's S3 bucket, for point-in-time recovery.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "data.postgres.backups",
    }),
    postgresBackupRetentionDays: row({
        type: "integer",
        description:
            "Recovery window of the backups, days: barman keeps every base backup and WAL file needed to restore to any point in it; the bucket's lifecycle deletes objects 2 days after it (a backstop that never cuts into the window).",
        schema: z.number().int().min(1, "must be at least 1").max(3650, "must be at most 3650"),
        defaults: { dev: 7, staging: 14, prod: 30 },
        feeds: "data.postgres.backupRetentionDays",
    }),
    postgresRecoveryCluster: row({
        type: "string",
        description:
            "Name (shop-db-<suffix>, e.g. shop-db-pitr) of a second CloudNativePG Cluster to restore from shop-db's backups (point-in-time recovery, docs/runbooks/postgres-pitr-bad-migration.md): created next to shop-db, which is not touched, with its own NetworkPolicy, bucket access, metrics and backups under its own name. Read at creation only: to restore again, use a new name. Needs postgresBackups.",
        // shop-db-<suffix>: the alerts and the dashboard select shop-db's Clusters by that prefix (PVCs
        // <cluster>-<n>, monitoring/rules/cnpg.yaml); a purely numeric suffix would read as one of shop-db's PVCs.
        schema: z
            .string()
            .regex(
                /^shop-db-[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/,
                "must be shop-db-<suffix>, lowercase letters, digits and dashes, at most 50 characters (CloudNativePG appends -rw, -1, ...; the alerts select shop-db-*)",
            )
            .refine((s) => !/^shop-db-[0-9]+$/.test(s), "must not be shop-db-<number>: that is the name of one of shop-db's own volumes"),
        feeds: "data.postgres.recovery.cluster",
    }),
    postgresRecoveryTargetTime: row({
        type: "string",
        description:
            "Restore postgresRecoveryCluster up to this time (RFC 3339 with its zone, e.g. 2026-12-02T13:49:23Z), just before the damage; unset: to the end of the archive (everything archived).",
        schema: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, "must be an RFC 3339 time with its zone, e.g. 2026-12-02T13:49:23Z"),
        feeds: "data.postgres.recovery.targetTime",
    }),
    postgresServingCluster: row({
        type: "string",
        description:
            "The CloudNativePG Cluster the apps connect to: shop-db, or postgresRecoveryCluster once it is checked (the switch rolls both apps; shop-db stays, protected, until it is removed on purpose).",
        schema: z.string().min(1),
        default: "shop-db",
        feeds: "data.postgres.servingCluster",
    }),
    redisPersistence: row({
        type: "boolean",
        description: "Redis AOF persistence on a volume (off: a cache that starts empty after a restart).",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "data.redis.persistence",
    }),
    redisStorageGiB: row({
        type: "integer",
        description: "Redis volume size, GiB, when persistence is on.",
        schema: positiveInt,
        defaults: { dev: 1, staging: 2, prod: 5 },
        feeds: "data.redis.storageGiB",
    }),
    redisMaxMemoryMb: row({
        type: "integer",
        description: "Redis maxmemory (allkeys-lru), MiB.",
        schema: z.number().int().min(32, "must be at least 32 MiB"),
        defaults: { dev: 128, staging: 256, prod: 512 },
        feeds: "data.redis.maxMemoryMb",
    }),

    // --- monitoring
    prometheusRetentionDays: row({
        type: "integer",
        description: "Prometheus retention, days.",
        schema: positiveInt.max(365, "must be at most 365"),
        defaults: { dev: 3, staging: 7, prod: 15 },
        feeds: "monitoring.retentionDays",
    }),
    prometheusStorageGiB: row({
        type: "integer",
        description: "Prometheus volume size, GiB (gp3); retentionSize is 80 % of it.",
        schema: z.number().int().min(5, "must be at least 5 GiB"),
        defaults: { dev: 10, staging: 20, prod: 50 },
        feeds: "monitoring.storageGiB",
    }),
    monitoringReplicas: row({
        type: "integer",
        description:
            "Replicas of Prometheus and of Alertmanager (clustered). Two or more are spread across zones and get a PodDisruptionBudget (minAvailable 1); each Prometheus replica scrapes everything and has its own volume.",
        schema: positiveInt.max(3, "must be at most 3"),
        defaults: { dev: 1, staging: 1, prod: 2 },
        feeds: "monitoring.replicas",
    }),
    alertEmailTo: row({
        type: "string",
        description: "Optional e-mail address receiving info-level alert digests (needs alertSmtpSmarthost and alertSmtpFrom). Unset: no e-mail receiver.",
        schema: z.email("must be an e-mail address"),
        feeds: "monitoring.alerts.email.to",
    }),
    alertSmtpSmarthost: row({
        type: "string",
        description: "SMTP relay (host:port) Alertmanager sends e-mail through; required with alertEmailTo.",
        schema: z.string().regex(/^[a-z0-9.-]+:\d{2,5}$/, "must be host:port, e.g. email-smtp.eu-west-1.amazonaws.com:587"),
        feeds: "monitoring.alerts.email.smarthost",
    }),
    alertSmtpFrom: row({
        type: "string",
        description: "Sender address of alert e-mail; required with alertEmailTo.",
        schema: z.email("must be an e-mail address"),
        feeds: "monitoring.alerts.email.from",
    }),
    alertSmtpUsername: row({
        type: "string",
        description: "SMTP auth user (optional: a relay that accepts the cluster's egress needs none).",
        schema: z.string().min(1, "must not be empty"),
        feeds: "monitoring.alerts.email.username",
    }),
    alertSmtpPassword: row({
        type: "string",
        description: "SMTP auth password. Secret: set with --secret.",
        schema: z.string().min(1, "must not be empty"),
        secret: true,
        feeds: "monitoring.alerts.email.password",
    }),
    alertSlackWebhookUrl: row({
        type: "string",
        description: "Optional Slack incoming-webhook URL for critical and warning alerts. Secret: set with --secret. Unset: no Slack receiver.",
        schema: z.string().regex(/^https:\/\/hooks\.slack\.com\/services\/\S+$/, "must be a Slack incoming-webhook URL (https://hooks.slack.com/services/…)"),
        secret: true,
        feeds: "monitoring.alerts.slackWebhookUrl",
    }),
    alertPagerDutyRoutingKey: row({
        type: "string",
        description: "Optional PagerDuty Events v2 routing key: critical alerts page. Secret: set with --secret. Unset: no pager.",
        schema: z.string().regex(/^[A-Za-z0-9]{32}$/, "must be a 32-character PagerDuty integration key"),
        secret: true,
        feeds: "monitoring.alerts.pagerDutyRoutingKey",
    }),
    alertDeadMansSwitchUrl: row({
        type: "string",
        description:
            "Optional heartbeat URL (healthchecks.io-style) the always-firing Watchdog alert pings every minute; the checker alerts when pings stop. Not a secret: it can only send heartbeats. Unset: no heartbeat.",
        schema: z.url({ protocol: /^https$/, message: "must be an https URL" }),
        feeds: "monitoring.alerts.deadMansSwitchUrl",
    }),

    // --- logs and traces (issue 17): Loki, Tempo, the OpenTelemetry Collector, the Alloy node agent
    lokiRetentionDays: row({
        type: "integer",
        description: "Days Loki keeps log lines (compactor retention; with telemetryObjectStorage also the bucket's lifecycle).",
        schema: positiveInt.max(400, "must be at most 400"),
        defaults: { dev: 7, staging: 14, prod: 30 },
        feeds: "observability.logRetentionDays",
    }),
    tempoRetentionDays: row({
        type: "integer",
        description: "Days Tempo keeps traces (compactor block retention; with telemetryObjectStorage also the bucket's lifecycle).",
        schema: positiveInt.max(400, "must be at most 400"),
        defaults: { dev: 3, staging: 7, prod: 14 },
        feeds: "observability.traceRetentionDays",
    }),
    traceSamplingPercent: row({
        type: "integer",
        description: "Percentage of traces the collector keeps (tail sampling, 1-100); traces with an error span are always kept.",
        schema: z.number().int().min(1, "must be at least 1").max(100, "must be at most 100"),
        defaults: { dev: 100, staging: 50, prod: 10 },
        feeds: "observability.traceSamplingPercent",
    }),
    appTraceRecordPercent: row({
        type: "integer",
        description:
            "Percentage of new traces the apps record at all (head sampling, 1-100; 100 = every trace, and the collector's tail sampling keeps every error). Lower it only when recording every trace costs too much CPU: the errors of the traces not recorded are lost too.",
        schema: z.number().int().min(1, "must be at least 1 (to turn tracing off, run no collector)").max(100, "must be at most 100"),
        default: 100,
        feeds: "observability.appTraceRecordPercent",
    }),
    telemetryObjectStorage: row({
        type: "boolean",
        description: "Keep logs and traces in one S3 bucket per store (KMS, TLS only, lifecycle = retention) instead of on the pods' volumes only.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "observability.objectStorage",
    }),
    lokiStorageGiB: row({
        type: "integer",
        description: "Loki volume, GiB (gp3): every log line without object storage; WAL and index cache with it.",
        schema: z.number().int().min(2, "must be at least 2 GiB"),
        defaults: { dev: 10, staging: 10, prod: 20 },
        feeds: "observability.lokiStorageGiB",
    }),
    tempoStorageGiB: row({
        type: "integer",
        description: "Tempo volume, GiB (gp3): every trace without object storage; WAL with it.",
        schema: z.number().int().min(2, "must be at least 2 GiB"),
        defaults: { dev: 5, staging: 10, prod: 20 },
        feeds: "observability.tempoStorageGiB",
    }),

    // --- credentials
    credentialsGeneration: row({
        type: "integer",
        description:
            "Bump (2, 3, …) to rotate every generated password and token except the PostgreSQL superuser's: database roles are altered, dependent pods restart.",
        schema: positiveInt.max(100000, "must be at most 100000"),
        default: 1,
        feeds: "credentialsGeneration",
    }),

    // --- add-ons
    addonReplicas: row({
        type: "integer",
        description: "Replicas of each add-on controller (metrics-server, Karpenter, load balancer controller, External Secrets).",
        schema: positiveInt.max(5, "must be at most 5"),
        defaults: { dev: 1, staging: 2, prod: 2 },
        feeds: "addons.replicas",
    }),
    karpenterInstanceFamilies: row({
        type: "array",
        description: "EC2 instance families Karpenter may launch, e.g. [m6i, c6i].",
        schema: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, "must be an instance family such as m6i")).min(1, "must list at least one family"),
        default: ["m6i", "m6a", "m7i", "c6i", "c7i"],
        feeds: "addons.karpenter.instanceFamilies",
    }),
    karpenterCapacityTypes: row({
        type: "array",
        description: "Karpenter capacity types: spot and/or on-demand (spot is refused in prod).",
        schema: z.array(z.enum(["spot", "on-demand"], { message: "must be spot or on-demand" })).min(1, "must list at least one capacity type"),
        defaults: { dev: ["spot", "on-demand"], staging: ["spot", "on-demand"], prod: ["on-demand"] },
        feeds: "addons.karpenter.capacityTypes",
    }),
    karpenterCpuLimit: row({
        type: "integer",
        description: "Total vCPUs Karpenter may provision (a cost ceiling).",
        schema: positiveInt,
        defaults: { dev: 16, staging: 32, prod: 64 },
        feeds: "addons.karpenter.cpuLimit",
    }),
    karpenterMemoryLimitGiB: row({
        type: "integer",
        description: "Total memory Karpenter may provision, GiB.",
        schema: positiveInt,
        defaults: { dev: 64, staging: 128, prod: 256 },
        feeds: "addons.karpenter.memoryLimitGiB",
    }),
    createSpotServiceLinkedRole: row({
        type: "boolean",
        description:
            "Create the account's AWSServiceRoleForEC2Spot (needed to launch spot instances; Karpenter cannot create it). Off: the program checks it exists and fails with the command to create it. Only one stack per account may set it.",
        schema: z.boolean(),
        default: false,
        feeds: "addons.karpenter.createSpotServiceLinkedRole",
    }),
    karpenterConsolidateAfterMinutes: row({
        type: "integer",
        description: "How long a node must be empty or underused before Karpenter consolidates it.",
        schema: z.number().int().min(0, "must be 0 or more").max(1440, "must be at most 1440"),
        defaults: { dev: 1, staging: 5, prod: 10 },
        feeds: "addons.karpenter.consolidateAfterMinutes",
    }),
    karpenterExpireAfterHours: row({
        type: "integer",
        description: "Maximum node lifetime: older nodes are replaced (fresh AMIs, no drift).",
        schema: z.number().int().min(1, "must be at least 1").max(8760, "must be at most 8760"),
        defaults: { dev: 168, staging: 720, prod: 720 },
        feeds: "addons.karpenter.expireAfterHours",
    }),
    ingressEnabled: row({
        type: "boolean",
        description: "Expose the apps through one internet-facing ALB (HTTPS only); off: use kubectl port-forward.",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "addons.ingress.enabled",
    }),
    ingressHost: row({
        type: "string",
        description: "Host name served by the ALB (storefront at /, catalog at /v1); required when ingressEnabled.",
        schema: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a DNS host name such as shop.example.com"),
        feeds: "addons.ingress.host",
    }),
    certificateArn: row({
        type: "string",
        description:
            "ACM certificate ARN for ingressHost (same region as the stack); required when ingressEnabled and hostedZoneName is not set. Given together with hostedZoneName, this certificate is used and none is issued.",
        schema: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, "must be an ACM certificate ARN"),
        feeds: "addons.ingress.certificateArn",
    }),
    hostedZoneName: row({
        type: "string",
        description:
            "DNS name of the public Route 53 hosted zone that contains ingressHost (e.g. example.com, no trailing dot). When set and ingressEnabled: ExternalDNS points ingressHost at the ALB, and, unless certificateArn is given, the program issues a DNS-validated ACM certificate for it.",
        schema: z
            .string()
            .regex(
                /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
                "must be a DNS zone name such as example.com (lower case, no trailing dot)",
            ),
        feeds: "addons.ingress.hostedZoneName",
    }),
    ingressTlsPolicy: row({
        type: "string",
        description: "ALB TLS security policy.",
        schema: z.string().regex(/^ELBSecurityPolicy-/, "must be an ALB security policy name (ELBSecurityPolicy-…)"),
        default: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        feeds: "addons.ingress.tlsPolicy",
    }),
    externalSecrets: row({
        type: "boolean",
        description: "Keep generated passwords in AWS Secrets Manager and sync them with External Secrets (off: plain Kubernetes Secrets).",
        schema: z.boolean(),
        defaults: { dev: false, staging: true, prod: true },
        feeds: "addons.externalSecrets.enabled",
    }),
    secretsRefreshMinutes: row({
        type: "integer",
        description: "How often External Secrets re-reads Secrets Manager (rotation delay).",
        schema: z.number().int().min(1, "must be at least 1").max(1440, "must be at most 1440"),
        default: 60,
        feeds: "addons.externalSecrets.refreshMinutes",
    }),
    secretsRecoveryWindowDays: row({
        type: "integer",
        description: "Secrets Manager recovery window on delete, days (0 = delete at once, so a destroyed stack can be re-created under the same names).",
        schema: z
            .number()
            .int()
            .refine((d) => d === 0 || (d >= 7 && d <= 30), "must be 0 or 7-30 (the Secrets Manager range)"),
        defaults: { dev: 0, staging: 0, prod: 30 },
        feeds: "addons.externalSecrets.recoveryWindowDays",
    }),

    // --- cost estimate (plan/cost). The CrossGuard pack cannot read stack config: cost-budget reads its budget and
    // assumptions from policy/config/<env>.json, and a test keeps those equal to these rows for every committed stack.
    monthlyBudgetUsd: row({
        type: "integer",
        description: "Monthly budget in USD the cost estimate is checked against (policy cost-budget; 0 = none).",
        schema: z.number().int().min(0, "must be 0 (no budget) or more"),
        defaults: { dev: 300, staging: 500, prod: 800 },
        feeds: "cost.monthlyBudgetUsd",
    }),
    costNatProcessedGbPerMonth: row({
        type: "integer",
        description: "Cost estimate assumption: GB a month processed by the NAT gateways, in total.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 50, staging: 100, prod: 300 },
        feeds: "cost.assumptions.natProcessedGbPerMonth",
    }),
    costInternetEgressGbPerMonth: row({
        type: "integer",
        description: "Cost estimate assumption: GB a month sent to the internet.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 20, staging: 50, prod: 500 },
        feeds: "cost.assumptions.internetEgressGbPerMonth",
    }),
    costAlbLcuAverage: row({
        type: "integer",
        description: "Cost estimate assumption: average load balancer capacity units per ALB-hour.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 1, staging: 1, prod: 2 },
        feeds: "cost.assumptions.albLcuAverage",
    }),
    costControlPlaneLogGbPerTypeMonth: row({
        type: "integer",
        description: "Cost estimate assumption: GB a month ingested per enabled EKS control-plane log type.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 1, staging: 1, prod: 2 },
        feeds: "cost.assumptions.controlPlaneLogGbPerTypeMonth",
    }),
    costFlowLogGbPerMonth: row({
        type: "integer",
        description: "Cost estimate assumption: GB a month of VPC flow-log records.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 5, staging: 10, prod: 30 },
        feeds: "cost.assumptions.flowLogGbPerMonth",
    }),
    costS3GbPerBucket: row({
        type: "integer",
        description: "Cost estimate assumption: GB stored per S3 bucket.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 10, staging: 20, prod: 50 },
        feeds: "cost.assumptions.s3GbPerBucket",
    }),
    costKarpenterBaselineNodes: row({
        type: "integer",
        description: "Cost estimate assumption: average nodes Karpenter runs beyond the managed node group.",
        schema: z.number().int().min(0, "must be 0 or more"),
        defaults: { dev: 0, staging: 1, prod: 1 },
        feeds: "cost.assumptions.karpenterBaselineNodes",
    }),
} as const;

export type ConfigKey = keyof typeof CONFIG_TABLE;

/** Values of every key after defaults, as the cross-key checks see them. */
export type ConfigValues = { [K in ConfigKey]: (typeof CONFIG_TABLE)[K] extends { schema: z.ZodType<infer V> } ? V : never };

/** What the checks may know besides the values: the date (versions expire). */
export interface CheckContext {
    /** YYYY-MM-DD, UTC. */
    today: string;
}

/** The EKS calendar entry of a Kubernetes minor version. */
export function eksVersion(version: string) {
    return eksVersions.versions.find((e) => e.version === version);
}

/** Rules that span keys or depend on the environment (a terraform `validation` that reads several variables). */
export function crossChecks(
    v: Partial<ConfigValues> & { environment: Environment },
    ctx: CheckContext,
    problem: (key: ConfigKey, message: string) => void,
): void {
    const x = v as ConfigValues;
    const eks = eksVersion(x.kubernetesVersion);
    if (eks && ctx.today >= eks.endOfStandardSupport)
        problem(
            "kubernetesVersion",
            `${x.kubernetesVersion} left EKS standard support on ${eks.endOfStandardSupport} (EKS auto-upgrades such clusters): upgrade one minor version at a time to ${eksVersions.versions.find((e) => ctx.today < e.endOfStandardSupport)?.version ?? "a supported version"}`,
        );
    if (x.nodeMinSize > x.nodeMaxSize) problem("nodeMinSize", `must be <= nodeMaxSize (${x.nodeMinSize} > ${x.nodeMaxSize})`);
    if (x.nodeDesiredSize < x.nodeMinSize || x.nodeDesiredSize > x.nodeMaxSize)
        problem("nodeDesiredSize", `must be between nodeMinSize and nodeMaxSize (${x.nodeMinSize}..${x.nodeMaxSize}), got ${x.nodeDesiredSize}`);
    for (const app of ["storefront", "catalog"] as const) {
        const min = x[`${app}MinReplicas`];
        const max = x[`${app}MaxReplicas`];
        const count = x[`${app}Replicas`];
        if (min > max) problem(`${app}MinReplicas`, `must be <= ${app}MaxReplicas (${min} > ${max})`);
        if (count < min || count > max) problem(`${app}Replicas`, `must be between ${app}MinReplicas and ${app}MaxReplicas (${min}..${max}), got ${count}`);
        if (x.environment === "prod" && min < 2) problem(`${app}MinReplicas`, "must be at least 2 in prod (one pod is not highly available)");
    }
    if (x.publicAccessCidrs.some(isOpenCidr)) {
        problem(
            "publicAccessCidrs",
            x.environment === "prod" ? "must not contain 0.0.0.0/0 in prod" : "must not contain 0.0.0.0/0 (list your office or VPN ranges)",
        );
    }
    if (x.environment === "prod") {
        if (x.nodeCapacityType === "SPOT") problem("nodeCapacityType", "must be ON_DEMAND in prod (spot interruptions take the system node group down)");
        if (x.azCount < 3) problem("azCount", "must be at least 3 in prod");
        if (x.natGateways !== "OnePerAz") problem("natGateways", "must be OnePerAz in prod (a single NAT gateway is a single point of failure)");
        if (!x.flowLogs) problem("flowLogs", "must be true in prod");
        if (x.karpenterCapacityTypes.includes("spot")) problem("karpenterCapacityTypes", "must not include spot in prod");
        if (x.addonReplicas < 2) problem("addonReplicas", "must be at least 2 in prod");
        if (x.monitoringReplicas < 2)
            problem("monitoringReplicas", "must be at least 2 in prod (one Prometheus and one Alertmanager go blind and silent with their node or zone)");
        if (!x.clusterDeletionProtection) problem("clusterDeletionProtection", "must be true in prod");
        if (x.ecrForceDelete) problem("ecrForceDelete", "must be false in prod (a destroy would delete every released image)");
    }
    if (x.alertEmailTo) {
        if (!x.alertSmtpSmarthost) problem("alertSmtpSmarthost", "must be set when alertEmailTo is set (Alertmanager needs a relay)");
        if (!x.alertSmtpFrom) problem("alertSmtpFrom", "must be set when alertEmailTo is set");
    }
    // One access entry per principal: EKS refuses a second one for the same ARN.
    if (x.deployRoleArn && x.adminPrincipalArns.includes(x.deployRoleArn))
        problem("adminPrincipalArns", "must not list deployRoleArn: it already has its own cluster-admin access entry");
    if (x.previewRoleArn && x.previewRoleArn === x.deployRoleArn) problem("previewRoleArn", "must differ from deployRoleArn (the preview role is read-only)");
    if (x.previewRoleArn && x.adminPrincipalArns.includes(x.previewRoleArn)) problem("previewRoleArn", "must not also be in adminPrincipalArns");
    if (x.environment === "prod" && !x.protectData) problem("protectData", "must be true in prod");
    if (x.environment === "prod") {
        if (x.postgresInstances < 3) problem("postgresInstances", "must be at least 3 in prod (a primary and a replica in each of two other zones)");
        if (!x.postgresBackups) problem("postgresBackups", "must be true in prod (no backup, no point-in-time recovery)");
    }
    // Contradiction only (missing values are deploy gaps, below): the host must be in the zone its records go to.
    if (x.ingressEnabled && x.ingressHost && x.hostedZoneName && !isInZone(x.ingressHost, x.hostedZoneName))
        problem(
            "ingressHost",
            `must be inside hostedZoneName ${x.hostedZoneName} (the certificate's validation record and the host's record go into that zone), got ${x.ingressHost}`,
        );
    if (x.postgresRecoveryCluster && !x.postgresBackups)
        problem("postgresRecoveryCluster", "needs postgresBackups: it restores from the backups shop-db archives");
    if (x.postgresRecoveryTargetTime && !x.postgresRecoveryCluster)
        problem("postgresRecoveryTargetTime", "needs postgresRecoveryCluster (the Cluster that is restored to this time)");
    if (x.postgresServingCluster !== "shop-db" && x.postgresServingCluster !== x.postgresRecoveryCluster)
        problem(
            "postgresServingCluster",
            `must be shop-db or postgresRecoveryCluster (${x.postgresRecoveryCluster ?? "unset"}), got ${x.postgresServingCluster}: the apps can only use a Cluster this stack runs`,
        );
    if (x.redisPersistence && x.redisStorageGiB * 1024 < x.redisMaxMemoryMb * 2)
        problem("redisStorageGiB", `must hold at least twice redisMaxMemoryMb for AOF rewrites (${x.redisStorageGiB} GiB < 2 x ${x.redisMaxMemoryMb} MiB)`);
}

/** Whether `host` is the zone's apex or a name below it (label-wise: `shopexample.com` is not in `example.com`). */
export function isInZone(host: string, zone: string): boolean {
    return host === zone || host.endsWith(`.${zone}`);
}

export { LOG_RETENTION_DAYS };

/** The documentation ranges (RFC 5737) and AWS's documentation account: placeholders that must never reach AWS. */
const DOCUMENTATION_CIDRS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];
const DOCUMENTATION_ACCOUNT = "123456789012";

/**
 * What a real deploy needs that the stack does not say (yet): each is a problem `pulumi up` refuses
 * before creating anything, while the offline plan stands in an example value and lists it as a
 * note. A committed stack file therefore either deploys as-is or names every value to set.
 */
export function deployGaps(v: ConfigValues, problem: (key: ConfigKey, message: string) => void): void {
    if (!v.deployRoleArn) problem("deployRoleArn", "must be set to the IAM role that runs `pulumi up` (it gets the cluster-admin access entry)");
    for (const key of ["deployRoleArn", "previewRoleArn"] as const)
        if (v[key]?.includes(`::${DOCUMENTATION_ACCOUNT}:`)) problem(key, `is in AWS's documentation account ${DOCUMENTATION_ACCOUNT} (a placeholder)`);
    if (v.adminPrincipalArns.some((a) => a.includes(`::${DOCUMENTATION_ACCOUNT}:`)))
        problem(
            "adminPrincipalArns",
            `lists an ARN in AWS's documentation account ${DOCUMENTATION_ACCOUNT} (a placeholder): CreateAccessEntry would refuse it after the cluster exists`,
        );
    if (v.endpointPublicAccess && v.publicAccessCidrs.length === 0)
        problem(
            "publicAccessCidrs",
            "must list the CIDRs that reach the public EKS endpoint (your runners' and operators' egress ranges) when endpointPublicAccess is true",
        );
    const placeholders = v.publicAccessCidrs.filter((c) => DOCUMENTATION_CIDRS.includes(c));
    if (placeholders.length)
        problem(
            "publicAccessCidrs",
            `lists documentation ranges (${placeholders.join(", ")}): nobody's runner is there, so every Kubernetes resource would time out`,
        );
    if (v.ingressEnabled) {
        if (!v.ingressHost) problem("ingressHost", "must be set when ingressEnabled is true (the host name the ALB serves)");
        if (!v.certificateArn && !v.hostedZoneName)
            problem(
                "certificateArn",
                "must be set when ingressEnabled is true and hostedZoneName is not: an ACM certificate for ingressHost in the stack's region (HTTPS only), or name the Route 53 zone so the program issues one",
            );
        if (v.certificateArn?.includes(`:${DOCUMENTATION_ACCOUNT}:`) || /certificate\/0{8}-/.test(v.certificateArn ?? ""))
            problem("certificateArn", "is a placeholder ARN");
    }
}

/** Example values the offline plan stands in for deploy gaps (never sent anywhere: the plan runs under mocks). */
export function offlineStandIns(v: ConfigValues, stack: string, region: string): Partial<ConfigValues> {
    const out: Partial<ConfigValues> = {};
    if (!v.deployRoleArn) out.deployRoleArn = `arn:aws:iam::${DOCUMENTATION_ACCOUNT}:role/offline-placeholder-deploy`;
    if (v.endpointPublicAccess && v.publicAccessCidrs.length === 0) out.publicAccessCidrs = [DOCUMENTATION_CIDRS[0]];
    if (v.ingressEnabled && !v.ingressHost) out.ingressHost = `shop-${stack}.${v.hostedZoneName ?? "example.com"}`;
    // With a zone and no ARN the program issues the certificate itself: nothing to stand in.
    if (v.ingressEnabled && !v.certificateArn && !v.hostedZoneName)
        out.certificateArn = `arn:aws:acm:${region}:${DOCUMENTATION_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`;
    return out;
}
