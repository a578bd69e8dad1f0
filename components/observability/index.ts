/**
 * Logs and traces next to the metrics (issue 17): Loki (logs), Tempo (traces), an OpenTelemetry
 * Collector (OTLP from the apps, tail sampling, to Tempo) and Grafana Alloy on every node (container
 * logs to Loki). Four pinned charts (components/versions.json) through the one Helm helper.
 *
 * Storage: dev keeps logs and traces on the volume of the single-binary pod; staging and prod on one
 * S3 bucket per store and stack (SecureBucket: KMS, public access blocked, TLS only, lifecycle =
 * retention), reached through EKS Pod Identity with a policy naming that bucket only.
 *
 * Chart sources (every values key we set is listed in components/addons/data/chart-keys/):
 * - loki 18.11.0: grafana-community/helm-charts tag loki-18.11.0 (3386a115), charts/loki/values.yaml,
 *   templates/validate.yaml, templates/_helpers.tpl (loki.monolithicReplicas). The OSS chart moved there
 *   from grafana/loki (production/helm/loki/README.md at helm-loki-7.3.0: "now maintained for Grafana
 *   Enterprise Logs (GEL) users only").
 * - tempo 2.2.4: grafana-community/helm-charts tag tempo-2.2.4 (7d2a00b3), charts/tempo/values.yaml,
 *   templates/statefulset.yaml.
 * - alloy 1.11.1: grafana/alloy tag helm-chart/1.11.1 (233907cf), operations/helm/charts/alloy/values.yaml,
 *   templates/containers/_agent.yaml, templates/controllers/_pod.yaml.
 * - opentelemetry-collector 0.170.0: open-telemetry/opentelemetry-helm-charts tag
 *   opentelemetry-collector-0.170.0 (f5178cb9), charts/opentelemetry-collector/values.yaml.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityRole } from "../addons/common";
import { helmRelease } from "../helm";
import { iamPolicy } from "../iam";
import { contentName, NAMESPACES, partOfLabels, PEERS, Placement, restrictedContainerSecurity, restrictedPodSecurity } from "../k8s";
import { SecureBucket, SecureBucketArgs } from "../storage";
import { CHARTS } from "../versions";
import { alloyConfig } from "./alloy";

export { alloyConfig, REDACTIONS } from "./alloy";

/** In-cluster service names (fixed release names in components/versions.json). */
export const LOKI_SERVICE = CHARTS.loki.releaseName!;
export const TEMPO_SERVICE = CHARTS.tempo.releaseName!;
/** Set as the chart's fullnameOverride (it would otherwise name its objects `<release>-opentelemetry-collector`). */
export const COLLECTOR_SERVICE = CHARTS.otelCollector.releaseName!;
export const LOKI_PORT = 3100;
export const TEMPO_PORT = 3200;
/** OTLP ports: gRPC (collector → Tempo) and HTTP/protobuf (the apps' exporters, apps/*: tracing). */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

const svcHost = (service: string) => `${service}.${NAMESPACES.monitoring}.svc.cluster.local`;

/** The in-cluster URLs of the stores (fixed release names): what Grafana's data sources and the apps use. */
export const TELEMETRY_URLS = {
    lokiUrl: `http://${svcHost(CHARTS.loki.releaseName!)}:3100`,
    tempoUrl: `http://${svcHost(CHARTS.tempo.releaseName!)}:3200`,
    /** OTEL_EXPORTER_OTLP_ENDPOINT of the apps (OTLP/HTTP, port 4318). */
    otlpEndpoint: `http://${svcHost(CHARTS.otelCollector.releaseName!)}:4318`,
} as const;

/** The charts' selector labels (each chart's `<name>.selectorLabels` helper: app.kubernetes.io/name = chart name, instance = release). */
export function chartPods(chart: string, release: string): Record<string, string> {
    return { "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release };
}
const COLLECTOR_CHART = CHARTS.otelCollector.chart;

/** Loki's and Tempo's images run as uid/gid 10001 (both charts' default security contexts). */
const GRAFANA_UID = 10001;
/** The collector image's user (otel/opentelemetry-collector-contrib runs as 10001 too). */
const COLLECTOR_UID = 10001;

// Images: every one these charts render is pinned by digest in components/versions.json
// (charts.<key>.images), which helmRelease merges over the values below.

export interface ObservabilitySettings {
    /** Days Loki keeps log lines (compactor retention and, with object storage, the bucket lifecycle). */
    logRetentionDays: number;
    /** Days Tempo keeps traces (compactor block retention and the bucket lifecycle). */
    traceRetentionDays: number;
    /** Percentage of traces the collector keeps (tail sampling); traces with an error are always kept. */
    traceSamplingPercent: number;
    /** Volume of the Loki pod, GiB: all logs without object storage, WAL and index cache with it. */
    lokiStorageGiB: number;
    /** Volume of the Tempo pod, GiB: all traces without object storage, WAL with it. */
    tempoStorageGiB: number;
    /**
     * Percentage of new traces the apps record at all (head sampling, before the collector's tail
     * sampling sees them). Defaults to 100: every trace, so every error trace can be kept.
     */
    appTraceRecordPercent?: number;
}

export interface ObservabilityArgs extends ObservabilitySettings {
    provider: k8s.Provider;
    /** The monitoring namespace (Grafana, Prometheus and these share it; service names below assume `monitoring`). */
    namespace: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    region: string;
    storageClassName: string;
    /** Where the stateful single binaries and the collector run. */
    placement: Placement;
    /**
     * Object storage (staging/prod): one bucket per store, made by the caller with
     * {@link telemetryBucketArgs}. Defaults to none: logs and traces stay on the pods' volumes (dev).
     */
    buckets?: { logs: TelemetryBucket; traces: TelemetryBucket };
    /** The prometheus-operator CRDs release: with it, the charts' ServiceMonitors are created (after it). */
    monitoringCrds?: pulumi.Resource;
    /** Ingress NetworkPolicies of Loki, Tempo and the collector. Defaults to none (component tests). */
    flows?: TelemetryFlows;
    /** Folder of Loki rule files (LogQL alerts, the repository's monitoring/loki-rules). Defaults to none. */
    lokiRulesDir?: string;
    /** Where the Loki ruler sends alerts. Defaults to none. */
    alertmanagerUrl?: string;
}

/** Rule files of a folder (`*.yaml`), by file name: one ConfigMap for the rules sidecar. */
export function loadLokiRules(dir: string): Record<string, string> {
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".yaml"))
            .sort()
            .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
    );
}

/** What the stores need of a bucket (a SecureBucket). */
export type TelemetryBucket = Pick<SecureBucket, "bucket" | "arn" | "kmsKeyArn">;

/**
 * Pure: the SecureBucket of one store. Versioning off: Loki and Tempo write each chunk or block once
 * and delete it themselves at retention; versions would keep every deleted object (cost, and a
 * retention that does not really delete). Lifecycle = the store's retention (a backstop for anything
 * the compactor leaves behind).
 */
export function telemetryBucketArgs(a: {
    store: "logs" | "traces";
    /** `<prefix>-<account>-<store>`, e.g. shop-prod-123456789012-logs. */
    prefix: string;
    accountId: pulumi.Input<string>;
    retentionDays: number;
    kmsDeletionWindowDays: number;
    retain: boolean;
}): SecureBucketArgs {
    return {
        bucketName: pulumi.interpolate`${a.prefix}-${a.accountId}-${a.store}`,
        purpose: `${a.store} of ${a.prefix} (${a.store === "logs" ? "Loki" : "Tempo"})`,
        expireAfterDays: a.retentionDays,
        versioning: false,
        kmsDeletionWindowDays: a.kmsDeletionWindowDays,
        retain: a.retain,
    };
}

/** Pure: a role policy for one telemetry bucket (the store owns the whole bucket: list, read, write, delete; its key via S3 only). */
export function telemetryBucketPolicy(bucketArn: string, keyArn: string, region: string): string {
    return iamPolicy([
        { Sid: "ListTheBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
        {
            Sid: "ObjectsOfTheBucket",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: `${bucketArn}/*`,
        },
        {
            Sid: "TheBucketKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: keyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
        },
    ]);
}

const restrictedContainer = () => restrictedContainerSecurity();

/** The Loki ruler's tenant directory: with auth_enabled false every request is tenant `fake`. */
const RULES_DIR = "/rules";
const RULES_TENANT_DIR = `${RULES_DIR}/fake`;
/** The label the chart's rules sidecar watches (sidecar.rules.label, chart default loki_rule). */
export const LOKI_RULE_LABEL = "loki_rule";

/** What Loki's and Tempo's single binaries both need: where they store, and where they run. */
interface SingleBinaryValuesArgs {
    /** S3 bucket (object storage) or none (filesystem on the volume). */
    bucket?: string;
    region: string;
    storageClassName: string;
    placement: Placement;
    serviceMonitor: boolean;
}

export interface LokiValuesArgs extends SingleBinaryValuesArgs, Pick<ObservabilitySettings, "logRetentionDays" | "lokiStorageGiB"> {
    /** Where the ruler sends alerts (the stack's Alertmanager). Defaults to none: no ruler notifications. */
    alertmanagerUrl?: string;
}

/** Pure: Loki in monolithic mode (one StatefulSet, the chart's `Monolithic` deploymentMode). */
export function lokiValues(a: LokiValuesArgs): Record<string, unknown> {
    const s3 = a.bucket !== undefined;
    return {
        deploymentMode: "Monolithic",
        loki: {
            // One tenant: Grafana and the agent talk to Loki without an X-Scope-OrgID.
            auth_enabled: false,
            commonConfig: { replication_factor: 1 },
            storage: s3
                ? { type: "s3", bucketNames: { chunks: a.bucket, ruler: a.bucket, admin: a.bucket }, s3: { region: a.region } }
                : { type: "filesystem" },
            // TSDB index, schema v13 (the chart refuses to render without a schema: templates/validate.yaml).
            schemaConfig: {
                configs: [
                    { from: "2026-12-01", store: "tsdb", object_store: s3 ? "s3" : "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
                ],
            },
            // Retention is applied by the compactor (it deletes chunks older than the period).
            limits_config: { retention_period: `${a.logRetentionDays * 24}h`, allow_structured_metadata: true, volume_enabled: true },
            compactor: { retention_enabled: true, delete_request_store: s3 ? "s3" : "filesystem" },
            // Alerts from logs: the ruler (part of the monolithic binary) evaluates the LogQL rules the
            // rules sidecar writes from ConfigMaps labelled loki_rule into /rules/fake (local rule store,
            // templates/_helpers.tpl loki.rulerStorageConfig), and notifies the same Alertmanager.
            rulerConfig: {
                storage: { type: "local", local: { directory: RULES_DIR } },
                rule_path: "/var/loki/ruler-scratch",
                enable_api: true,
                ...(a.alertmanagerUrl ? { alertmanager_url: a.alertmanagerUrl } : {}),
            },
            analytics: { reporting_enabled: false },
            podSecurityContext: restrictedPodSecurity(GRAFANA_UID),
            containerSecurityContext: restrictedContainer(),
        },
        singleBinary: {
            replicas: 1,
            persistence: { enabled: true, size: `${a.lokiStorageGiB}Gi`, storageClass: a.storageClassName },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            nodeSelector: a.placement.nodeSelector,
            podAnnotations: a.placement.annotations,
            // One replica renders no PDB (templates/_pdb.tpl: only with more than one); set for when it does.
            podDisruptionBudget: { unhealthyPodEvictionPolicy: "AlwaysAllow" },
        },
        // The other modes' targets: zero replicas, or validate.yaml refuses the monolithic mix.
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        // memcached caches (GiBs of requests by default) are for scalable installs; nginx gateway not needed in-cluster.
        sidecar: {
            rules: { enabled: true, label: LOKI_RULE_LABEL, folder: RULES_TENANT_DIR },
            // The chart's default is `resources: {}` (grafana-community/helm-charts loki-18.11.0
            // charts/loki/values.yaml sidecar.resources): every chart container gets requests (issue 21).
            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        gateway: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        serviceAccount: { create: true, name: CHARTS.loki.releaseName },
        monitoring: { serviceMonitor: { enabled: a.serviceMonitor } },
    };
}

export type TempoValuesArgs = SingleBinaryValuesArgs & Pick<ObservabilitySettings, "traceRetentionDays" | "tempoStorageGiB">;

/** Pure: Tempo single binary (the `tempo` chart), OTLP receivers only. */
export function tempoValues(a: TempoValuesArgs): Record<string, unknown> {
    const s3 = a.bucket !== undefined;
    return {
        replicas: 1,
        tempo: {
            reportingEnabled: false,
            retention: `${a.traceRetentionDays * 24}h`,
            storage: {
                trace: s3
                    ? { backend: "s3", s3: { bucket: a.bucket, endpoint: `s3.${a.region}.amazonaws.com`, region: a.region }, wal: { path: "/var/tempo/wal" } }
                    : { backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } },
            },
            // OTLP only (the collector forwards over gRPC); no Jaeger listeners.
            receivers: {
                jaeger: null,
                otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } },
            },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            securityContext: restrictedContainer(),
        },
        securityContext: restrictedPodSecurity(GRAFANA_UID),
        persistence: { enabled: true, size: `${a.tempoStorageGiB}Gi`, storageClassName: a.storageClassName },
        serviceAccount: { create: true, name: CHARTS.tempo.releaseName },
        nodeSelector: a.placement.nodeSelector,
        podAnnotations: a.placement.annotations,
        serviceMonitor: { enabled: a.serviceMonitor },
    };
}

export interface CollectorConfigArgs {
    traceSamplingPercent: number;
    /** Tempo's OTLP gRPC endpoint, host:port. */
    tempoEndpoint: string;
}

/**
 * Pure: the collector's whole configuration (the chart's `alternateConfig`, which replaces the
 * chart's default config instead of being merged with it). Tail sampling decides per trace once
 * its spans have arrived (decision_wait): a trace with an error span is always kept, the rest by
 * the stack's percentage. One replica: tail sampling needs all spans of a trace in one collector
 * (several replicas would need a load-balancing tier in front).
 * Processors: tail_sampling (contrib processor/tailsamplingprocessor), memory_limiter, batch. The gRPC
 * exporter is `otlp_grpc`: collector v0.144.0 renamed `otlp` to it and keeps `otlp` only as a deprecated
 * alias (open-telemetry/opentelemetry-collector#14403).
 */
export function collectorConfig(a: CollectorConfigArgs): Record<string, unknown> {
    return {
        extensions: { health_check: { endpoint: "${env:MY_POD_IP}:13133" } },
        receivers: {
            otlp: {
                protocols: {
                    grpc: { endpoint: `\${env:MY_POD_IP}:${OTLP_GRPC_PORT}` },
                    http: { endpoint: `\${env:MY_POD_IP}:${OTLP_HTTP_PORT}` },
                },
            },
        },
        processors: {
            memory_limiter: { check_interval: "5s", limit_percentage: 80, spike_limit_percentage: 25 },
            tail_sampling: {
                decision_wait: "10s",
                num_traces: 50000,
                policies: [
                    { name: "errors-always", type: "status_code", status_code: { status_codes: ["ERROR"] } },
                    { name: "percentage", type: "probabilistic", probabilistic: { sampling_percentage: a.traceSamplingPercent } },
                ],
            },
            batch: {},
        },
        exporters: { "otlp_grpc/tempo": { endpoint: a.tempoEndpoint, tls: { insecure: true } } },
        service: {
            extensions: ["health_check"],
            telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "${env:MY_POD_IP}", port: 8888 } } } }] } },
            pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter", "tail_sampling", "batch"], exporters: ["otlp_grpc/tempo"] } },
        },
    };
}

export interface CollectorValuesArgs extends CollectorConfigArgs {
    placement: Placement;
}

/** Pure: the OpenTelemetry Collector chart as one Deployment replica. */
export function collectorValues(a: CollectorValuesArgs): Record<string, unknown> {
    return {
        mode: "deployment",
        fullnameOverride: COLLECTOR_SERVICE,
        replicaCount: 1,
        // The contrib image's entrypoint binary.
        command: { name: "otelcol-contrib" },
        alternateConfig: collectorConfig(a),
        // Ports the apps use (OTLP/HTTP) and Tempo gets (OTLP/gRPC); the chart's Jaeger and Zipkin ports off.
        ports: {
            "jaeger-compact": { enabled: false },
            "jaeger-thrift": { enabled: false },
            "jaeger-grpc": { enabled: false },
            zipkin: { enabled: false },
            metrics: { enabled: true },
        },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        podSecurityContext: restrictedPodSecurity(COLLECTOR_UID),
        securityContext: restrictedContainer(),
        nodeSelector: a.placement.nodeSelector,
        podAnnotations: a.placement.annotations,
    };
}

export interface AlloyValuesArgs {
    lokiPushUrl: string;
}

/**
 * Pure: Grafana Alloy as a DaemonSet on every node (system nodes and Karpenter's alike: it tolerates
 * every taint). It needs the node's /var/log read-only (a hostPath: the kubelet's /var/log/pods),
 * so it runs in the `monitoring` namespace, whose Pod Security level is privileged already for
 * node-exporter; it is as restricted as reading those files allows: uid 0 (the log files are
 * root-owned 0640), no capability at all, no privilege escalation, read-only root filesystem,
 * RuntimeDefault seccomp, and the host paths mounted read-only.
 */
export function alloyValues(a: AlloyValuesArgs): Record<string, unknown> {
    return {
        controller: {
            type: "daemonset",
            tolerations: [{ operator: "Exists" }],
            // Alloy keeps its positions (how far each file was read) under storagePath: a writable emptyDir.
            volumes: { extra: [{ name: "storage", emptyDir: { sizeLimit: "256Mi" } }] },
        },
        alloy: {
            configMap: { create: true, content: alloyConfig({ lokiPushUrl: a.lokiPushUrl }) },
            storagePath: "/var/lib/alloy",
            enableReporting: false,
            mounts: { varlog: true, dockercontainers: false, extra: [{ name: "storage", mountPath: "/var/lib/alloy" }] },
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
            securityContext: {
                runAsUser: 0,
                runAsGroup: 0,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
        },
        // Least privilege: the chart's default Role also reads secrets and configmaps cluster-wide; the
        // pipeline above only discovers pods (and their namespaces).
        rbac: {
            create: true,
            rules: [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }],
            clusterRules: [],
        },
        serviceAccount: { create: true },
    };
}

/** Who may reach what (ingress; egress stays open: S3, DNS and the Alertmanager). */
export interface TelemetryFlows {
    /** Pod labels of Grafana (kube-prometheus-stack's grafana subchart: name grafana, instance kps). */
    grafanaPods: Record<string, string>;
    /** Pod labels of Prometheus (set by prometheus-operator on every Prometheus pod). */
    prometheusPods: Record<string, string>;
    /** The namespace whose pods send OTLP (the apps). */
    appsNamespace: string;
}

/**
 * Pure: the NetworkPolicies of the three stores, ingress only, in the monitoring namespace (which has
 * no default-deny: node-exporter and the charts' own pods are not ours to firewall). Loki: the agent
 * (push), Grafana (queries), Prometheus (metrics), Loki itself (memberlist/gRPC between its modules).
 * Tempo: the collector (OTLP gRPC), Grafana, Prometheus, itself. The collector: the apps (OTLP), Prometheus.
 */
export function telemetryNetworkPolicies(f: TelemetryFlows): { name: string; spec: k8s.types.input.networking.v1.NetworkPolicySpec }[] {
    const ns = NAMESPACES.monitoring;
    const pods = (labels: Record<string, string>) => PEERS.pods(ns, labels);
    const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
    const loki = chartPods(CHARTS.loki.chart, LOKI_SERVICE);
    const tempo = chartPods(CHARTS.tempo.chart, TEMPO_SERVICE);
    const alloy = chartPods(CHARTS.alloy.chart, CHARTS.alloy.releaseName!);
    const collector = chartPods(COLLECTOR_CHART, COLLECTOR_SERVICE);
    return [
        {
            name: "loki",
            spec: {
                podSelector: { matchLabels: loki },
                policyTypes: ["Ingress"],
                ingress: [{ from: [pods(alloy), pods(f.grafanaPods), pods(f.prometheusPods)], ports: tcp(LOKI_PORT) }, { from: [pods(loki)] }],
            },
        },
        {
            name: "tempo",
            spec: {
                podSelector: { matchLabels: tempo },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [pods(collector)], ports: tcp(OTLP_GRPC_PORT) },
                    { from: [pods(f.grafanaPods), pods(f.prometheusPods)], ports: tcp(TEMPO_PORT) },
                    { from: [pods(tempo)] },
                ],
            },
        },
        {
            name: "otel-collector",
            spec: {
                podSelector: { matchLabels: collector },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [PEERS.namespace(f.appsNamespace)], ports: tcp(OTLP_HTTP_PORT, OTLP_GRPC_PORT) },
                    { from: [pods(f.prometheusPods)], ports: tcp(8888) },
                ],
            },
        },
    ];
}

/**
 * Loki, Tempo, the OpenTelemetry Collector and Alloy, with their buckets and Pod Identity roles
 * when the stack keeps telemetry on object storage.
 */
export class Observability extends pulumi.ComponentResource {
    /** In-cluster URLs Grafana's data sources and the apps use. */
    readonly lokiUrl: string;
    readonly tempoUrl: string;
    /** OTEL_EXPORTER_OTLP_ENDPOINT for the apps (OTLP/HTTP). */
    readonly otlpEndpoint: string;
    /** The collector's pods and OTLP/HTTP port: an egress dependency of every app that sends traces. */
    readonly collector = { namespace: NAMESPACES.monitoring, podLabels: chartPods(COLLECTOR_CHART, COLLECTOR_SERVICE), port: OTLP_HTTP_PORT };
    /** What an app needs to send traces here: the endpoint, the collector as a dependency, the share of traces to record. */
    readonly appTelemetry: { otlpEndpoint: string; collector: Observability["collector"]; headSampleRatio: number };

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:observability:Observability", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const svc = svcHost;
        this.lokiUrl = TELEMETRY_URLS.lokiUrl;
        this.tempoUrl = TELEMETRY_URLS.tempoUrl;
        this.otlpEndpoint = TELEMETRY_URLS.otlpEndpoint;
        this.appTelemetry = { otlpEndpoint: this.otlpEndpoint, collector: this.collector, headSampleRatio: (args.appTraceRecordPercent ?? 100) / 100 };
        const serviceMonitor = args.monitoringCrds !== undefined;
        const crds = args.monitoringCrds ? [args.monitoringCrds] : [];

        const storage = (bucket: TelemetryBucket | undefined, store: string, serviceAccount: string) => {
            if (!bucket) return undefined;
            const iam = podIdentityRole(this, `${name}-${store}`, {
                clusterName: args.clusterName,
                namespace: NAMESPACES.monitoring,
                serviceAccount,
                policy: pulumi.all([bucket.arn, bucket.kmsKeyArn]).apply(([arn, key]) => telemetryBucketPolicy(arn, key, args.region)),
            });
            return { bucket, association: iam.association };
        };
        const logs = storage(args.buckets?.logs, "logs", CHARTS.loki.releaseName!);
        const traces = storage(args.buckets?.traces, "traces", CHARTS.tempo.releaseName!);
        const common = { region: args.region, storageClassName: args.storageClassName, placement: args.placement, serviceMonitor };

        const loki = helmRelease(
            `${name}-loki`,
            {
                chart: "loki",
                namespace: args.namespace,
                timeout: 600,
                values: pulumi.output(logs?.bucket.bucket).apply((bucket) =>
                    lokiValues({
                        ...common,
                        bucket,
                        logRetentionDays: args.logRetentionDays,
                        lokiStorageGiB: args.lokiStorageGiB,
                        alertmanagerUrl: args.alertmanagerUrl,
                    }),
                ),
            },
            { ...k8sOpts, dependsOn: [...crds, ...(logs ? [logs.association] : [])] },
        );
        const tempo = helmRelease(
            `${name}-tempo`,
            {
                chart: "tempo",
                namespace: args.namespace,
                timeout: 600,
                values: pulumi
                    .output(traces?.bucket.bucket)
                    .apply((bucket) => tempoValues({ ...common, bucket, traceRetentionDays: args.traceRetentionDays, tempoStorageGiB: args.tempoStorageGiB })),
            },
            { ...k8sOpts, dependsOn: [...crds, ...(traces ? [traces.association] : [])] },
        );
        helmRelease(
            `${name}-collector`,
            {
                chart: "otelCollector",
                namespace: args.namespace,
                timeout: 300,
                values: collectorValues({
                    traceSamplingPercent: args.traceSamplingPercent,
                    tempoEndpoint: `${svc(TEMPO_SERVICE)}:${OTLP_GRPC_PORT}`,
                    placement: args.placement,
                }),
            },
            { ...k8sOpts, dependsOn: [tempo] },
        );
        helmRelease(
            `${name}-alloy`,
            { chart: "alloy", namespace: args.namespace, timeout: 300, values: alloyValues({ lokiPushUrl: `${this.lokiUrl}/loki/api/v1/push` }) },
            { ...k8sOpts, dependsOn: [loki] },
        );
        if (args.lokiRulesDir) {
            const data = loadLokiRules(args.lokiRulesDir);
            new k8s.core.v1.ConfigMap(
                `${name}-loki-rules`,
                {
                    metadata: {
                        // Content-addressed: a changed rule file is a new ConfigMap the sidecar picks up.
                        name: contentName("loki-rules", data),
                        namespace: args.namespace,
                        labels: { ...partOfLabels("loki-rules", "rules"), [LOKI_RULE_LABEL]: "1" },
                    },
                    data,
                },
                k8sOpts,
            );
        }
        for (const p of args.flows ? telemetryNetworkPolicies(args.flows) : [])
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${p.name}`,
                { metadata: { name: p.name, namespace: args.namespace, labels: partOfLabels(p.name, "network-policy") }, spec: p.spec },
                k8sOpts,
            );
        this.registerOutputs({});
    }
}
