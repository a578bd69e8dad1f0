/**
 * The key per-environment settings, read from the resources' inputs where the program has
 * registered them, and from the typed, validated config otherwise. Each setting says where its
 * value came from, so a reader can tell "what the program will send" from "what the stack asks".
 */
import type { ParsedShopConfig } from "../config";
import type { ResourceRecord } from "../harness/types";
import { isRedactedSecret } from "../harness/types";

export interface Setting {
    group: string;
    key: string;
    value: string;
    /** `resource <type> <name>: <input path>` or `config <key>`. */
    source: string;
}

export function getPath(obj: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function show(v: unknown): string {
    if (isRedactedSecret(v)) return "[secret]";
    if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map(show).join(", ");
    if (v === undefined) return "(unset)";
    if (typeof v === "object" && v !== null) return JSON.stringify(v);
    return String(v);
}

const short = (type: string) => type.split(":").pop()!;

export function extractSettings(resources: ResourceRecord[], config: ParsedShopConfig | undefined, region?: string): Setting[] {
    const out: Setting[] = [];
    const byType = (t: string) => resources.filter((r) => r.type === t);
    const first = (t: string, pred: (r: ResourceRecord) => boolean = () => true) => byType(t).find(pred);
    /** Adds a setting from a resource input when present, else from the config. */
    const add = (group: string, key: string, r: ResourceRecord | undefined, path: string | null, fromConfig: unknown, configKey: string) => {
        const v = r && path ? getPath(r.inputs, path) : undefined;
        if (r && path && v !== undefined) out.push({ group, key, value: show(v), source: `resource ${short(r.type)} ${r.name}: ${path}` });
        else if (config) out.push({ group, key, value: show(fromConfig), source: `config ${configKey}` });
    };
    const c = config;

    out.push({ group: "stack", key: "region", value: region ?? c?.region ?? "(unset)", source: "config aws:region" });
    if (c) out.push({ group: "stack", key: "environment", value: c.environment, source: "config environment" });

    const vpc = first("awsx:ec2:Vpc");
    add("network", "VPC CIDR", vpc, "cidrBlock", c?.network.cidr, "vpcCidr");
    add("network", "availability zones", vpc, "numberOfAvailabilityZones", c?.network.azCount, "azCount");
    add("network", "NAT gateways", vpc, "natGateways.strategy", c?.network.natGateways, "natGateways");
    const flowLogs = byType("aws:ec2/flowLog:FlowLog");
    out.push({
        group: "network",
        key: "flow logs",
        value: flowLogs.length > 0 ? `on (${flowLogs.length} FlowLog)` : "off (no FlowLog)",
        source: "resource count aws:ec2/flowLog:FlowLog",
    });
    if (flowLogs.length > 0)
        add(
            "network",
            "flow-log retention (days)",
            first("aws:cloudwatch/logGroup:LogGroup", (r) => /flow/.test(r.name)),
            "retentionInDays",
            c?.network.flowLogs.retentionDays,
            "flowLogRetentionDays",
        );

    const eks = first("aws:eks/cluster:Cluster");
    add("cluster", "Kubernetes version", eks, "version", c?.cluster.version, "kubernetesVersion");
    add("cluster", "endpoint public access", eks, "vpcConfig.endpointPublicAccess", c?.cluster.publicAccess, "endpointPublicAccess");
    add("cluster", "endpoint private access", eks, "vpcConfig.endpointPrivateAccess", true, "(always on)");
    add("cluster", "public access CIDRs", eks, "vpcConfig.publicAccessCidrs", c?.cluster.publicAccessCidrs, "publicAccessCidrs");
    add("cluster", "deletion protection", eks, "deletionProtection", c?.cluster.deletionProtection, "environment");
    add(
        "cluster",
        "control-plane log retention (days)",
        first("aws:cloudwatch/logGroup:LogGroup", (r) => /control-plane|\/aws\/eks/.test(r.name + String(r.inputs.name ?? ""))),
        "retentionInDays",
        c?.cluster.logRetentionDays,
        "clusterLogRetentionDays",
    );

    const ng = first("aws:eks/nodeGroup:NodeGroup");
    add("nodes", "instance types", ng, "instanceTypes", c?.cluster.nodeGroup.instanceTypes, "nodeInstanceTypes");
    add("nodes", "capacity type", ng, "capacityType", c?.cluster.nodeGroup.capacityType, "nodeCapacityType");
    add("nodes", "min size", ng, "scalingConfig.minSize", c?.cluster.nodeGroup.minSize, "nodeMinSize");
    add("nodes", "desired size", ng, "scalingConfig.desiredSize", c?.cluster.nodeGroup.desiredSize, "nodeDesiredSize");
    add("nodes", "max size", ng, "scalingConfig.maxSize", c?.cluster.nodeGroup.maxSize, "nodeMaxSize");
    add(
        "nodes",
        "root volume (GiB)",
        first("aws:ec2/launchTemplate:LaunchTemplate"),
        "blockDeviceMappings.0.ebs.volumeSize",
        c?.cluster.nodeGroup.diskSizeGiB,
        "nodeDiskSizeGiB",
    );

    for (const app of ["storefront", "catalog"] as const) {
        const dep = first("kubernetes:apps/v1:Deployment", (r) => r.name.includes(app) || getPath(r.inputs, "metadata.name") === app);
        const hpa = resources.find((r) => r.type.endsWith(":HorizontalPodAutoscaler") && (r.name.includes(app) || getPath(r.inputs, "metadata.name") === app));
        const s = c?.apps[app];
        add("apps", `${app} replicas`, dep, "spec.replicas", s?.replicas, `${app}Replicas`);
        add("apps", `${app} HPA min`, hpa, "spec.minReplicas", s?.minReplicas, `${app}MinReplicas`);
        add("apps", `${app} HPA max`, hpa, "spec.maxReplicas", s?.maxReplicas, `${app}MaxReplicas`);
    }

    const sts = (needle: string) => resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name.includes(needle));
    // PostgreSQL: the CloudNativePG Cluster (topology, storage, backups) and, until migration step 2, the legacy StatefulSet.
    const isRestore = (r: ResourceRecord) => getPath(r.inputs, "spec.bootstrap.recovery") !== undefined;
    const pg = first("kubernetes:postgresql.cnpg.io/v1:Cluster", (r) => !isRestore(r));
    const restore = first("kubernetes:postgresql.cnpg.io/v1:Cluster", isRestore);
    add("data", "PostgreSQL instances (CloudNativePG)", pg, "spec.instances", c?.data.postgres.instances, "postgresInstances");
    if (pg) {
        const spread = getPath(pg.inputs, "spec.topologySpreadConstraints") as { topologyKey?: string; whenUnsatisfiable?: string }[] | undefined;
        const zonal = (spread ?? []).find((t) => t.topologyKey === "topology.kubernetes.io/zone");
        out.push({
            group: "data",
            key: "PostgreSQL zone spread",
            value: zonal ? `one instance per zone (${zonal.whenUnsatisfiable ?? "?"})` : "none (one instance)",
            source: `resource Cluster ${pg.name}: spec.topologySpreadConstraints`,
        });
    }
    add("data", "PostgreSQL storage", pg, "spec.storage.size", c ? `${c.data.postgres.storageGiB}Gi` : undefined, "postgresStorageGiB");
    if (restore) {
        const rec = getPath(restore.inputs, "spec.bootstrap.recovery") as { source?: string; recoveryTarget?: { targetTime?: string } };
        const ext = ((getPath(restore.inputs, "spec.externalClusters") ?? []) as { name: string; barmanObjectStore?: { serverName?: string } }[]).find(
            (e) => e.name === rec.source,
        );
        out.push({
            group: "data",
            key: "PostgreSQL restore (point in time)",
            value: `${show(getPath(restore.inputs, "metadata.name"))} from ${show(ext?.barmanObjectStore?.serverName ?? rec.source)}'s archive, to ${rec.recoveryTarget?.targetTime ?? "the end of the archive"}`,
            source: `resource Cluster ${restore.name}: spec.bootstrap.recovery`,
        });
    }
    if (c) out.push({ group: "data", key: "PostgreSQL Cluster the apps use", value: c.data.postgres.servingCluster, source: "config postgresServingCluster" });
    const legacyPg = sts("postgres");
    if (legacyPg)
        add(
            "data",
            "legacy PostgreSQL StatefulSet storage (until migration step 2)",
            legacyPg,
            "spec.volumeClaimTemplates.0.spec.resources.requests.storage",
            undefined,
            "postgresLegacyStatefulSet",
        );
    const schedule = first("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup");
    const retention = pg ? getPath(pg.inputs, "spec.backup.retentionPolicy") : undefined;
    const archiveTimeout = pg ? getPath(pg.inputs, "spec.postgresql.parameters.archive_timeout") : undefined;
    if (pg || c)
        out.push({
            group: "data",
            key: "PostgreSQL backups (recovery window)",
            value: retention !== undefined ? `on: WAL archiving + base backups, window ${show(retention)}` : "off: no WAL archive, no point-in-time recovery",
            source: pg ? `resource Cluster ${pg.name}: spec.backup.retentionPolicy` : "config postgresBackups",
        });
    if (schedule) add("data", "PostgreSQL base backup schedule (UTC)", schedule, "spec.schedule", undefined, "(program)");
    if (retention !== undefined)
        out.push({
            group: "data",
            key: "PostgreSQL RPO / RTO",
            value: `RPO ≤ archive_timeout ${show(archiveTimeout)} if every instance is lost (replication lag on a failover); RTO = a restore from the bucket (docs/database.md)`,
            source: pg ? `resource Cluster ${pg.name}: spec.postgresql.parameters.archive_timeout` : "config",
        });
    else if (pg || c)
        out.push({
            group: "data",
            key: "PostgreSQL RPO / RTO",
            value: "no backups: losing the instances loses the data (docs/database.md)",
            source: "config postgresBackups",
        });
    if (c) out.push({ group: "data", key: "Redis persistence", value: show(c.data.redis.persistence), source: "config redisPersistence" });
    if (!c || c.data.redis.persistence)
        add(
            "data",
            "Redis storage",
            sts("redis"),
            "spec.volumeClaimTemplates.0.spec.resources.requests.storage",
            c ? `${c.data.redis.storageGiB}Gi` : undefined,
            "redisStorageGiB",
        );
    if (c) out.push({ group: "data", key: "Redis maxmemory (MiB)", value: show(c.data.redis.maxMemoryMb), source: "config redisMaxMemoryMb" });

    const prom = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && getPath(r.inputs, "values.prometheus") !== undefined);
    add(
        "monitoring",
        "Prometheus retention",
        prom,
        "values.prometheus.prometheusSpec.retention",
        c ? `${c.monitoring.retentionDays}d` : undefined,
        "prometheusRetentionDays",
    );
    add(
        "monitoring",
        "Prometheus storage",
        prom,
        "values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage",
        c ? `${c.monitoring.storageGiB}Gi` : undefined,
        "prometheusStorageGiB",
    );
    add("images", "ECR images kept", undefined, null, c?.images.keepImages, "ecrKeepImages");

    const nodePool = first("kubernetes:karpenter.sh/v1:NodePool");
    const requirement = (key: string) =>
        ((getPath(nodePool?.inputs, "spec.template.spec.requirements") as { key: string; values: string[] }[] | undefined) ?? []).find((r) => r.key === key);
    if (nodePool) {
        out.push({
            group: "add-ons",
            key: "Karpenter capacity types",
            value: show(requirement("karpenter.sh/capacity-type")?.values),
            source: `resource NodePool ${nodePool.name}: spec.template.spec.requirements`,
        });
    } else if (c)
        out.push({ group: "add-ons", key: "Karpenter capacity types", value: show(c.addons.karpenter.capacityTypes), source: "config karpenterCapacityTypes" });
    add("add-ons", "Karpenter CPU limit", nodePool, "spec.limits.cpu", c?.addons.karpenter.cpuLimit, "karpenterCpuLimit");
    const ingress = first("kubernetes:networking.k8s.io/v1:Ingress");
    out.push(
        ingress
            ? {
                  group: "add-ons",
                  key: "internet access",
                  value: `https://${show(getPath(ingress.inputs, "spec.rules.0.host"))}/ (ALB)`,
                  source: `resource Ingress ${ingress.name}: spec.rules.0.host`,
              }
            : {
                  group: "add-ons",
                  key: "internet access",
                  value: "none (kubectl port-forward)",
                  source: "resource count kubernetes:networking.k8s.io/v1:Ingress",
              },
    );
    const externalSecrets = byType("kubernetes:external-secrets.io/v1:ExternalSecret").length;
    out.push({
        group: "add-ons",
        key: "secrets",
        value: externalSecrets > 0 ? `Secrets Manager + External Secrets (${externalSecrets})` : "Kubernetes Secrets",
        source: "resource count kubernetes:external-secrets.io/v1:ExternalSecret",
    });
    return out;
}

export function renderSettings(settings: Setting[]): string {
    const kw = Math.max(...settings.map((s) => s.key.length));
    const vw = Math.min(40, Math.max(...settings.map((s) => s.value.length)));
    const lines: string[] = [];
    let group = "";
    for (const s of settings) {
        if (s.group !== group) {
            group = s.group;
            lines.push(`  ${group}`);
        }
        lines.push(`    ${s.key.padEnd(kw)}  ${s.value.padEnd(vw)}  (${s.source})`);
    }
    return lines.join("\n");
}
