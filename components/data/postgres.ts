/**
 * PostgreSQL through CloudNativePG (components/addons/cloudnativePg.ts): one `Cluster` custom
 * resource replaces the StatefulSet, the bootstrap Job and the rotation we wrote by hand. The
 * operator runs `instances` PostgreSQL pods (one primary, streaming replicas, automatic failover),
 * creates the database and its owner at initdb, keeps the login roles as declared (managed roles,
 * passwords from our Secrets), grows the volumes in place, writes its own PDBs, and archives WAL
 * and takes base backups with barman-cloud into the stack's bucket (when backups are on).
 *
 * API sources (cloudnative-pg/cloudnative-pg at tag v1.30.0): api/v1/cluster_types.go,
 * api/v1/scheduledbackup_types.go, docs/src/declarative_role_management.md (the basic-auth Secret,
 * the cnpg.io/reload label), docs/src/appendixes/backup_barmanobjectstore.md, docs/src/database_import.md.
 * The in-tree `barmanObjectStore` still exists in 1.30 (deprecated since 1.26 in favour of the
 * Barman Cloud Plugin, docs/src/backup.md): it needs no cert-manager, which the plugin does.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityRole } from "../addons/common";
import { CNPG_STATUS_PORT } from "../addons/cloudnativePg";
import { PEERS, Placement, recommendedLabels } from "../k8s";
import { generatedPassword, SecretSink } from "../k8s/secrets";
import { IMAGES } from "../versions";
import { DatabaseRole, legacyPostgres } from "./legacyPostgres";

export type { DatabaseRole } from "./legacyPostgres";
export { bootstrapSql, POSTGRES_CLIENT_LABEL } from "./legacyPostgres";

/** The CloudNativePG Cluster's name: its Services are `<name>-rw` (primary), `<name>-ro` (replicas), `<name>-r` (any). */
export const DATABASE_CLUSTER = "shop-db";
const PORT = 5432;
/** The instance's metrics port (CNPG's built-in exporter). */
const METRICS_PORT = 9187;
/** Where barman-cloud writes under the bucket: the IAM policy is scoped to it. */
export const BACKUP_PREFIX = "postgres/";
/** Daily base backup at 03:00 UTC (CNPG's six-field cron, seconds first). */
export const BACKUP_SCHEDULE = "0 0 3 * * *";
/**
 * WAL segment switch at the latest every 5 minutes (CNPG's own default, set explicitly because the
 * RPO of an archive-only restore is this: docs/database.md).
 */
export const ARCHIVE_TIMEOUT = "5min";

/** The backup target: the stack's SecureBucket and how long backups are kept. */
export interface PostgresBackup {
    bucketName: pulumi.Input<string>;
    /** The bucket's least-privilege policy for {@link BACKUP_PREFIX} (SecureBucket.accessPolicy). */
    accessPolicy: pulumi.Input<string>;
    /** Barman recovery window, days (`retentionPolicy: <n>d`). */
    retentionDays: number;
    /** The EKS cluster and the database's namespace (the Pod Identity association). */
    clusterName: pulumi.Input<string>;
    namespace: string;
}

export interface PostgresArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    /** Database created at initdb, owned by the `owner` role. */
    database: string;
    /** Exactly one `owner` role, any number of `readonly` roles. */
    roles: readonly DatabaseRole[];
    /** PostgreSQL instances: 1 primary + (instances - 1) streaming replicas. */
    instances: number;
    storageGiB: number;
    storageClassName: string;
    /** Namespaces whose pods may connect on 5432. */
    clientNamespaces: string[];
    monitoringNamespace: string;
    /** The prometheus-operator CRDs: the PodMonitor is created after them. */
    monitoringCrds: pulumi.Resource;
    /** Where the credentials Secrets come from (Pulumi directly, or a vault through External Secrets). */
    secretSink: SecretSink;
    /** Nodes that are never consolidated or interrupted (the data must not move under load). */
    placement: Placement;
    /** Rotation counter: a new value regenerates the role passwords; CNPG's managed roles apply them (ALTER ROLE). */
    credentialsGeneration: number;
    /** The CloudNativePG operator release (its CRDs and webhooks come first). */
    operator: pulumi.Resource;
    /** The operator's namespace and pod labels (it reaches each instance's status port). */
    operatorNamespace: string;
    operatorPodLabels: Record<string, string>;
    /** The VPC's CIDR: the Kubernetes API endpoints (the instance manager watches its Cluster). */
    vpcCidr: string;
    /**
     * Keep the legacy StatefulSet and import its database into the new Cluster at creation (step 1
     * of the migration, docs/database.md). Defaults to false (a plain initdb).
     */
    legacy?: boolean;
    /** WAL archiving and scheduled base backups. Defaults to none. */
    backup?: PostgresBackup;
    /** `protect` the Cluster (deleting it deletes its volumes). Defaults to false. */
    protect?: boolean;
    /**
     * A second Cluster restored from the backups of {@link DATABASE_CLUSTER} (config
     * `postgresRecoveryCluster`/`postgresRecoveryTargetTime`): same spec, bootstrapped by
     * `recovery` instead of initdb, archiving under its own name. Needs `backup`. Defaults to none.
     */
    recovery?: { cluster?: string; targetTime?: string };
    /** The Cluster the apps connect to: {@link DATABASE_CLUSTER} or `recovery.cluster`. Defaults to {@link DATABASE_CLUSTER}. */
    servingCluster?: string;
}

export function validatePostgresArgs(args: PostgresArgs): void {
    const problems: string[] = [];
    if (!/^[a-z_][a-z0-9_]*$/.test(args.database)) problems.push(`database "${args.database}" must be a lowercase SQL identifier`);
    for (const r of args.roles) if (!/^[a-z_][a-z0-9_]*$/.test(r.name)) problems.push(`role "${r.name}" must be a lowercase SQL identifier`);
    if (args.roles.filter((r) => r.access === "owner").length !== 1) problems.push("exactly one role must have access: owner");
    if (args.storageGiB < 1) problems.push("storageGiB must be >= 1");
    if (!Number.isInteger(args.instances) || args.instances < 1) problems.push("instances must be an integer >= 1");
    if (args.backup && !(Number.isInteger(args.backup.retentionDays) && args.backup.retentionDays >= 1)) problems.push("backup.retentionDays must be >= 1");
    const recovery = args.recovery?.cluster;
    if (recovery && !args.backup) problems.push(`recovery cluster ${recovery} needs backup (it restores from ${DATABASE_CLUSTER}'s archive)`);
    if (recovery === DATABASE_CLUSTER) problems.push(`recovery cluster must differ from ${DATABASE_CLUSTER}`);
    if (args.recovery?.targetTime && !recovery) problems.push("recovery.targetTime needs recovery.cluster");
    const serving = args.servingCluster ?? DATABASE_CLUSTER;
    if (serving !== DATABASE_CLUSTER && serving !== recovery)
        problems.push(`servingCluster must be ${DATABASE_CLUSTER} or the recovery cluster, got ${serving}`);
    if (problems.length) throw new Error(`Postgres: ${problems.join("; ")}`);
}

/** Pure: the managed roles. The owner only logs in; a read-only role gets `pg_read_all_data` (SELECT on every table, now and later). */
export function managedRoles(roles: readonly DatabaseRole[], secretOf: (role: string) => pulumi.Input<string>): Record<string, unknown>[] {
    return roles.map((r) => ({
        name: r.name,
        ensure: "present",
        login: true,
        superuser: false,
        createdb: false,
        createrole: false,
        replication: false,
        passwordSecret: { name: secretOf(r.name) },
        ...(r.access === "readonly" ? { inRoles: ["pg_read_all_data"] } : {}),
    }));
}

/** Pure: spread across zones (hard: a second instance in a zone only when every zone with a node has one), one per node where possible. */
export function zoneSpread(instances: number, cluster: string = DATABASE_CLUSTER): Record<string, unknown>[] {
    if (instances < 2) return [];
    return [
        {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "DoNotSchedule",
            // Its own pods only: a restored Cluster's spread must not count the other Cluster's instances.
            labelSelector: { matchLabels: { "cnpg.io/cluster": cluster } },
        },
    ];
}

/**
 * Pure: how a Cluster restored from {@link DATABASE_CLUSTER}'s archive starts (CloudNativePG v1.30.0
 * api/v1/cluster_types.go `BootstrapRecovery`, `RecoveryTarget`, `ExternalCluster`;
 * docs/src/appendixes/backup_barmanobjectstore.md "Recovery from an object store"): the app
 * database and its owner as initdb made them, the owner's password Secret, and the archive read
 * through an external cluster whose `serverName` is the folder shop-db archives into. No target:
 * to the end of the archive.
 */
export function recoveryBootstrap(args: {
    database: string;
    owner: string;
    ownerSecret: pulumi.Input<string>;
    destinationPath: pulumi.Input<string>;
    targetTime?: string;
}): { bootstrap: Record<string, unknown>; externalClusters: Record<string, unknown>[] } {
    return {
        bootstrap: {
            recovery: {
                source: "origin",
                database: args.database,
                owner: args.owner,
                secret: { name: args.ownerSecret },
                ...(args.targetTime ? { recoveryTarget: { targetTime: args.targetTime } } : {}),
            },
        },
        externalClusters: [
            {
                name: "origin",
                barmanObjectStore: {
                    destinationPath: args.destinationPath,
                    serverName: DATABASE_CLUSTER,
                    s3Credentials: { inheritFromIAMRole: true },
                    // Parallel WAL fetch while replaying.
                    wal: { compression: "gzip", maxParallel: 8 },
                },
            },
        ],
    };
}

/**
 * PostgreSQL as a CloudNativePG Cluster: `instances` pods spread over the zones on the
 * never-disrupted nodes, gp3 volumes sized per stack (grown in place by the operator), the
 * database and its owner at initdb (or imported from the legacy StatefulSet), the login roles as
 * managed roles with our generated passwords, its firewall and PodMonitor, and (with `backup`) WAL
 * archiving plus a daily base backup to S3 through a Pod Identity role scoped to the prefix.
 */
export class Postgres extends pulumi.ComponentResource {
    /** In-cluster DNS name of the primary (`-rw`): the owner's writes. */
    readonly host: pulumi.Output<string>;
    /** Any instance (`-r`): the read-only role's reads, served by replicas too. */
    readonly readHost: pulumi.Output<string>;
    readonly port = PORT;
    /** Labels of the database pods: clients' egress policies select them. */
    readonly podLabels: Record<string, string>;
    readonly database: string;
    /** Generated password per role (secret outputs). */
    readonly rolePasswords: Record<string, pulumi.Output<string>>;
    /** Completes when the Cluster reports Ready: workloads that connect depend on it. */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:data:Postgres", name, {}, opts);
        validatePostgresArgs(args);
        const cluster = DATABASE_CLUSTER;
        const labels = recommendedLabels(cluster, "database");
        this.database = args.database;
        // Same resource names as before the operator: the passwords (and so the apps' Secrets) survive the migration.
        this.rolePasswords = Object.fromEntries(
            args.roles.map((r) => [r.name, generatedPassword(this, `${name}-${r.name}`, { generation: args.credentialsGeneration })]),
        );
        // One basic-auth Secret per role (username must equal the role), labelled so that CNPG applies a new password at once.
        const roleSecrets = Object.fromEntries(
            args.roles.map((r) => [
                r.name,
                args.secretSink.create(this, args.provider, {
                    name: `${cluster}-${r.name}`,
                    namespace: args.namespace,
                    labels: { ...labels, "cnpg.io/reload": "true" },
                    type: "kubernetes.io/basic-auth",
                    data: { username: r.name, password: this.rolePasswords[r.name] },
                }),
            ]),
        );
        const owner = args.roles.find((r) => r.access === "owner")!.name;
        // The instances and the operator's Jobs (initdb, import, join) all carry cnpg.io/cluster.
        const clusterPods = { podSelector: { matchLabels: { "cnpg.io/cluster": cluster } } };
        const legacy = args.legacy
            ? legacyPostgres(this, name, {
                  ...args,
                  rolePasswords: this.rolePasswords,
                  extraClients: [clusterPods],
              })
            : undefined;

        const instance = (c: string, start: ClusterStart) => this.cluster(name, c, start, args, roleSecrets);
        const primary = instance(DATABASE_CLUSTER, {
            bootstrap: {
                initdb: {
                    database: args.database,
                    owner,
                    secret: { name: roleSecrets[owner].name },
                    dataChecksums: true,
                    // Microservice import: one database, its objects re-owned by `owner` (docs/src/database_import.md).
                    ...(legacy ? { import: { type: "microservice", databases: [args.database], source: { externalCluster: "legacy" } } } : {}),
                },
            },
            externalClusters: legacy
                ? [
                      {
                          name: "legacy",
                          connectionParameters: { host: legacy.host, user: "postgres", dbname: "postgres", sslmode: "disable" },
                          password: { name: legacy.superuserSecret, key: "superuser-password" },
                      },
                  ]
                : undefined,
            legacy,
        });
        const recovery =
            args.recovery?.cluster && args.backup
                ? instance(args.recovery.cluster, {
                      ...recoveryBootstrap({
                          database: args.database,
                          owner,
                          ownerSecret: roleSecrets[owner].name,
                          destinationPath: backupPath(args.backup),
                          targetTime: args.recovery.targetTime,
                      }),
                      // Created after shop-db: it reads the archive shop-db writes.
                      after: primary,
                  })
                : undefined;
        const serving = args.servingCluster ?? cluster;
        // The clients' egress. With a restored Cluster beside shop-db, every instance of either (CNPG's
        // podRole label, the one the PodMonitors select too: v1.30.0 pkg/specs/pods.go sets cnpg.io/podRole=instance): the policy then changes with the restore,
        // and the switch itself only rolls the apps, which never lose the Cluster they are leaving.
        this.podLabels = recovery ? { "cnpg.io/podRole": "instance" } : { "cnpg.io/cluster": cluster };

        const svc = (suffix: string) => pulumi.interpolate`${serving}-${suffix}.${args.namespace}.svc.cluster.local`;
        this.host = svc("rw");
        this.readHost = svc("r");
        this.ready = serving === cluster ? primary : recovery!;
        this.registerOutputs({ host: this.host, readHost: this.readHost, database: this.database });
    }

    /**
     * One CloudNativePG Cluster and what it needs: its bucket access (a Pod Identity role for the
     * service account CNPG names after the Cluster), its firewall, the Cluster, its daily base
     * backup and its PodMonitor. Resource names carry the Cluster's name (shop-db's are the ones it
     * always had), so a second Cluster never touches the first.
     */
    private cluster(
        name: string,
        cluster: string,
        start: ClusterStart,
        args: PostgresArgs,
        roleSecrets: Record<string, { name: pulumi.Output<string>; ready: pulumi.Resource }>,
    ): pulumi.Resource {
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = recommendedLabels(cluster, "database");
        const podLabels = { "cnpg.io/cluster": cluster };
        const clusterPods = { podSelector: { matchLabels: podLabels } };
        const backupRole = args.backup
            ? podIdentityRole(this, `${cluster}-backups`, {
                  clusterName: args.backup.clusterName,
                  namespace: args.backup.namespace,
                  serviceAccount: cluster,
                  policy: args.backup.accessPolicy,
              })
            : undefined;

        // Who may talk to the instances (and the operator's Jobs, which carry the same cnpg.io/cluster label).
        const policy = new k8s.networking.v1.NetworkPolicy(
            cluster,
            {
                metadata: { name: cluster, namespace: args.namespace, labels },
                spec: {
                    podSelector: { matchLabels: podLabels },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        { from: [...args.clientNamespaces.map(PEERS.namespace), clusterPods], ports: [{ protocol: "TCP", port: PORT }] },
                        {
                            from: [PEERS.pods(args.operatorNamespace, args.operatorPodLabels), clusterPods],
                            ports: [{ protocol: "TCP", port: CNPG_STATUS_PORT }],
                        },
                        { from: [PEERS.namespace(args.monitoringNamespace)], ports: [{ protocol: "TCP", port: METRICS_PORT }] },
                    ],
                    egress: [
                        PEERS.dns(),
                        // Streaming replication, pg_rewind and the instance managers' status between the instances.
                        {
                            to: [clusterPods],
                            ports: [
                                { protocol: "TCP", port: PORT },
                                { protocol: "TCP", port: CNPG_STATUS_PORT },
                            ],
                        },
                        // The instance manager watches its Cluster through the Kubernetes API (the control plane's ENIs are in the VPC).
                        { to: [{ ipBlock: { cidr: args.vpcCidr } }], ports: [{ protocol: "TCP", port: 443 }] },
                        // barman-cloud to S3 (public endpoints: a NetworkPolicy cannot name them, so HTTPS anywhere).
                        ...(args.backup ? [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] : []),
                        // The one-time import reads the legacy StatefulSet.
                        ...(start.legacy
                            ? [
                                  {
                                      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name } } }],
                                      ports: [{ protocol: "TCP", port: PORT }],
                                  },
                              ]
                            : []),
                    ],
                },
            },
            k8sOpts,
        );

        const spec: Record<string, unknown> = {
            instances: args.instances,
            imageName: IMAGES.cnpgPostgres,
            // Failover by the operator; a planned switchover first when the primary's pod must be replaced.
            primaryUpdateStrategy: "unsupervised",
            storage: { size: `${args.storageGiB}Gi`, storageClass: args.storageClassName, resizeInUseVolumes: true },
            resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
            postgresql: { parameters: { archive_timeout: ARCHIVE_TIMEOUT } },
            // The never-consolidated, on-demand node group; its pods (and everything CNPG creates) carry do-not-disrupt.
            affinity: { nodeSelector: args.placement.nodeSelector, enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname" },
            topologySpreadConstraints: zoneSpread(args.instances, cluster),
            inheritedMetadata: { labels: { "app.kubernetes.io/part-of": "shop-platform" }, annotations: args.placement.annotations },
            // CNPG's own PDBs: the primary's (minAvailable 1) and the replicas' (all but one).
            enablePDB: true,
            enableSuperuserAccess: false,
            bootstrap: start.bootstrap,
            managed: { roles: managedRoles(args.roles, (r) => roleSecrets[r].name) },
            ...(start.externalClusters ? { externalClusters: start.externalClusters } : {}),
            ...(args.backup
                ? {
                      backup: {
                          retentionPolicy: `${args.backup.retentionDays}d`,
                          // No serverName: the Cluster's name is the folder, so every Cluster archives into its
                          // own (CNPG refuses a used one: "Expected empty archive", docs/src/recovery.md).
                          barmanObjectStore: {
                              destinationPath: backupPath(args.backup),
                              // Credentials from EKS Pod Identity (the SDK's container credential provider), no keys in a Secret.
                              s3Credentials: { inheritFromIAMRole: true },
                              wal: { compression: "gzip", maxParallel: 2 },
                              data: { compression: "gzip" },
                          },
                      },
                  }
                : {}),
        };
        const db = new k8s.apiextensions.CustomResource(
            cluster,
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Cluster",
                metadata: { name: cluster, namespace: args.namespace, labels, annotations: { "pulumi.com/waitFor": "condition=Ready" } },
                spec,
            },
            {
                ...k8sOpts,
                dependsOn: [
                    args.operator,
                    policy,
                    ...Object.values(roleSecrets).map((s) => s.ready),
                    ...(start.legacy ? [start.legacy.ready] : []),
                    ...(backupRole ? [backupRole.association] : []),
                    ...(start.after ? [start.after] : []),
                ],
                protect: args.protect,
                // bootstrap is read at creation only: turning the legacy import off later (step 2), or
                // editing a restored Cluster's target time, must not touch the Cluster.
                ignoreChanges: ["spec.bootstrap"],
                customTimeouts: { create: "60m", update: "30m" },
            },
        );
        if (args.backup)
            new k8s.apiextensions.CustomResource(
                `${cluster}-daily`,
                {
                    apiVersion: "postgresql.cnpg.io/v1",
                    kind: "ScheduledBackup",
                    metadata: { name: `${cluster}-daily`, namespace: args.namespace, labels },
                    spec: {
                        schedule: BACKUP_SCHEDULE,
                        cluster: { name: cluster },
                        method: "barmanObjectStore",
                        // The first base backup at once: WAL archiving is useless for PITR until one exists.
                        immediate: true,
                        // Backups belong to the ScheduledBackup; barman's retention deletes the objects.
                        backupOwnerReference: "self",
                    },
                },
                { ...k8sOpts, dependsOn: [db] },
            );
        new k8s.apiextensions.CustomResource(
            `${cluster}-metrics`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: cluster, namespace: args.namespace, labels },
                spec: {
                    selector: { matchLabels: { ...podLabels, "cnpg.io/podRole": "instance" } },
                    podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
                },
            },
            { ...k8sOpts, dependsOn: [args.monitoringCrds] },
        );
        return db;
    }
}

/** How a Cluster starts: initdb (shop-db, maybe importing the legacy server) or recovery from the archive. */
interface ClusterStart {
    bootstrap: Record<string, unknown>;
    externalClusters?: Record<string, unknown>[];
    /** The legacy StatefulSet the import reads (shop-db only). */
    legacy?: { ready: pulumi.Resource };
    /** Created after this one (a restored Cluster after the Cluster whose archive it reads). */
    after?: pulumi.Resource;
}

/** Where barman-cloud writes: one folder per Cluster (its name) under the prefix the IAM policy allows. */
function backupPath(backup: PostgresBackup): pulumi.Output<string> {
    return pulumi.interpolate`s3://${backup.bucketName}/${BACKUP_PREFIX}`;
}
