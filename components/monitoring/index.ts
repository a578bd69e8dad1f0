import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { HELM_KEEP, helmRelease } from "../helm";
import { contentName, Placement, recommendedLabels } from "../k8s";
import { credentialsAnnotation, generatedPassword, SecretSink } from "../k8s/secrets";
import { fillTemplate } from "../template";
import { CHARTS } from "../versions";
import { operatorTls } from "./operatorTls";

/** The kube-prometheus-stack release name (fixed in the pin file) prefixes its Services: kps-grafana, kps-prometheus, kps-alertmanager. */
export const RELEASE_NAME = CHARTS.kubePrometheusStack.releaseName!;
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const ALERTMANAGER_RECEIVERS_SECRET = "alertmanager-receivers";
/** Where the deploy workflow pushes delivery metrics (PUSHGATEWAY_K8S_SERVICE=monitoring/pushgateway:9091). */
export const PUSHGATEWAY_SERVICE = CHARTS.pushgateway.releaseName!;

export interface MonitoringArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    stack: string;
    clusterName: string;
    retentionDays: number;
    storageGiB: number;
    /**
     * Replicas of Prometheus and of Alertmanager (config `monitoringReplicas`). Two or more are
     * spread across zones (a hard constraint: one zone's loss leaves a replica) and get a PDB.
     */
    replicas: number;
    storageClassName: string;
    /** Alert receivers: only configured ones exist. Secrets reach Alertmanager as files of a mounted Secret, never in values. */
    alerts: AlertReceivers;
    /** Where stateful and singleton pods run (Prometheus, Alertmanager, Pushgateway): nodes that are never consolidated or interrupted. */
    placement: Placement;
    /** Folder with rules/, dashboards/ and alertmanager/ (the repository's monitoring/). */
    contentDir: string;
    secretSink: SecretSink;
    /** Rotation counter: a new value regenerates the Grafana admin password and restarts Grafana. */
    credentialsGeneration: number;
    /** Mark the operator CRDs' release `protect` (config protectData): no `pulumi up` or destroy can delete it. Defaults to false. */
    protect?: boolean;
    /** Loki and Tempo (in-cluster URLs), provisioned as Grafana data sources. Defaults to none (metrics only). */
    logsAndTraces?: LogsAndTraces;
}

/** Where Grafana finds the stack's logs and traces. */
export interface LogsAndTraces {
    lokiUrl: string;
    tempoUrl: string;
}

/** Data source uids the dashboards and the derived links refer to. */
export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki", tempo: "tempo" } as const;

/**
 * Pure: Grafana's Loki and Tempo data sources, linked both ways (Grafana provisioning format,
 * grafana.com/docs/grafana/latest/administration/provisioning/#data-sources; the loki and tempo
 * `jsonData` keys as in Grafana 13's data source docs):
 * - Loki → Tempo: a derived field on the `trace_id` structured metadata the agent extracts
 *   (components/observability/alloy.ts), opening the trace in Tempo;
 * - Tempo → Loki (tracesToLogsV2): a span's log lines, by its trace id, within ±5 minutes;
 * - Tempo → Prometheus: the service graph and span metrics links use the Prometheus data source.
 * Exemplars are not configured: the apps' histograms do not export exemplars (apps/*: metrics).
 */
export function telemetryDataSources(t: LogsAndTraces): Record<string, unknown>[] {
    return [
        {
            name: "Loki",
            uid: DATASOURCE_UIDS.loki,
            type: "loki",
            access: "proxy",
            url: t.lokiUrl,
            jsonData: {
                maxLines: 1000,
                derivedFields: [
                    {
                        name: "trace_id",
                        matcherType: "label",
                        matcherRegex: "trace_id",
                        datasourceUid: DATASOURCE_UIDS.tempo,
                        url: "${__value.raw}",
                        urlDisplayLabel: "Open trace",
                    },
                ],
            },
        },
        {
            name: "Tempo",
            uid: DATASOURCE_UIDS.tempo,
            type: "tempo",
            access: "proxy",
            url: t.tempoUrl,
            jsonData: {
                tracesToLogsV2: {
                    datasourceUid: DATASOURCE_UIDS.loki,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    customQuery: true,
                    query: '{namespace="shop"} | trace_id="${__trace.traceId}"',
                },
                serviceMap: { datasourceUid: DATASOURCE_UIDS.prometheus },
                nodeGraph: { enabled: true },
                lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
            },
        },
    ];
}

/** The receivers a stack configures; each one that is unset is left out of Alertmanager's config. */
export interface AlertReceivers {
    email?: { to?: string; smarthost?: string; from?: string; username?: string; password?: pulumi.Output<string> };
    slackWebhookUrl?: pulumi.Output<string>;
    pagerDutyRoutingKey?: pulumi.Output<string>;
    deadMansSwitchUrl?: string;
}

/** Which receivers are configured (what {@link pruneReceivers} keeps). */
export function configuredReceivers(a: AlertReceivers): Set<string> {
    const on = new Set(["null"]);
    if (a.slackWebhookUrl) on.add("slack-critical").add("slack-warning");
    if (a.pagerDutyRoutingKey) on.add("pager");
    if (a.email?.to) on.add("email-info");
    if (a.deadMansSwitchUrl) on.add("deadmansswitch");
    return on;
}

type Route = { receiver?: string; routes?: Route[] } & Record<string, unknown>;
type AlertmanagerConfig = { global?: Record<string, unknown>; route: Route; receivers: { name: string }[] } & Record<string, unknown>;

/**
 * Pure: leaves out every receiver that is not configured, and the routes to it, so an
 * unconfigured receiver is absent instead of failing every send (which would fire
 * AlertmanagerFailedToSendAlerts forever). Global settings only a removed receiver used go too.
 */
export function pruneReceivers(config: AlertmanagerConfig, keep: Set<string>): AlertmanagerConfig {
    const prune = (routes: Route[] | undefined): Route[] | undefined =>
        routes?.filter((r) => r.receiver === undefined || keep.has(r.receiver)).map((r) => (r.routes ? { ...r, routes: prune(r.routes) } : r));
    const global = { ...config.global };
    if (!keep.has("slack-critical")) delete global.slack_api_url_file;
    if (!keep.has("email-info")) for (const k of Object.keys(global).filter((k) => k.startsWith("smtp_"))) delete global[k];
    return {
        ...config,
        global,
        route: { ...config.route, routes: prune(config.route.routes) },
        receivers: config.receivers.filter((r) => keep.has(r.name)),
    };
}

// Chart sources read for the kube-prometheus-stack values below: prometheus-community/helm-charts tag
// kube-prometheus-stack-88.5.3 (commit ea930baeebeba39f56d6b44e351f23b2a072a600), charts/kube-prometheus-stack
// (KPS below); its grafana subchart 12.11.1 = grafana-community/helm-charts tag grafana-12.11.1.

/**
 * Pure: spread and disruption budget of one operator-managed StatefulSet (Prometheus or Alertmanager).
 * The spread's selector is the one the chart's own PDB template uses for these pods
 * (KPS templates/{prometheus,alertmanager}/podDisruptionBudget.yaml); the PDB template
 * renders every key but `enabled` (`toYaml (omit ... "enabled")`), so unhealthyPodEvictionPolicy reaches it.
 */
export function replicaSpread(replicas: number, podLabels: Record<string, string>) {
    const ha = replicas > 1;
    return {
        // One replica must not block node drains; two or more keep one up through a drain.
        podDisruptionBudget: { enabled: ha, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        // DoNotSchedule: with nodes in a second zone the second replica must go there (its volume
        // then lives there too, WaitForFirstConsumer); with one zone only, skew is 0 and it still schedules.
        topologySpreadConstraints: ha
            ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: podLabels } }]
            : [],
    };
}

/** Requests (and a memory limit) for the small helper containers the charts leave best-effort. */
const SMALL = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } };

/** Pure: the chart values, right for EKS (its control plane is not scrapeable) and sized for small clusters. */
export function kubePrometheusStackValues(
    args: Pick<
        MonitoringArgs,
        "stack" | "clusterName" | "retentionDays" | "storageGiB" | "storageClassName" | "credentialsGeneration" | "placement" | "replicas" | "logsAndTraces"
    >,
    alertmanagerConfig: unknown,
    secrets: { grafanaAdmin: string; receivers: string; operatorCaBundle: string },
) {
    const volume = (size: string) => ({
        volumeClaimTemplate: { spec: { storageClassName: args.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } },
    });
    // Pod labels the operator sets, as the chart's PDBs select them (crname = fullnameOverride + "-prometheus"/"-alertmanager").
    const prometheus = replicaSpread(args.replicas, { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": `${RELEASE_NAME}-prometheus` });
    const alertmanager = replicaSpread(args.replicas, { "app.kubernetes.io/name": "alertmanager", alertmanager: `${RELEASE_NAME}-alertmanager` });
    return {
        fullnameOverride: RELEASE_NAME,
        crds: { enabled: false },
        // EKS runs these on the managed control plane: nothing to scrape, and their alerts would fire forever.
        kubeEtcd: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeProxy: { enabled: false },
        defaultRules: { create: true },
        prometheusOperator: {
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            // The webhooks' certificate comes from Pulumi (operatorTls.ts), not the chart's certgen Jobs:
            // patch.enabled false renders none of the job-patch/ templates (Jobs, their ServiceAccount and
            // (Cluster)Roles), and caBundle is rendered only then (validating/mutatingWebhookConfiguration.yaml).
            // failurePolicy Ignore is what the chart rendered with the patch Jobs: our rules are checked
            // by promtool in CI, and an operator that is down must not block a deploy's PrometheusRules.
            admissionWebhooks: { patch: { enabled: false }, caBundle: secrets.operatorCaBundle, failurePolicy: "Ignore" },
            // The config-reloader sidecar of every Prometheus and Alertmanager pod: the operator Deployment passes
            // --config-reloader-{cpu,memory}-{request,limit} from these, `| default 0` (= none) when unset
            // (templates/prometheus-operator/deployment.yaml).
            prometheusConfigReloader: { resources: SMALL },
        },
        prometheus: {
            prometheusSpec: {
                // Discover every ServiceMonitor/PodMonitor/PrometheusRule, not only the chart's own.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                retention: `${args.retentionDays}d`,
                // 80 % of the volume: Prometheus deletes old blocks before the disk fills.
                retentionSize: `${Math.floor(args.storageGiB * 0.8)}GB`,
                walCompression: true,
                scrapeInterval: "30s",
                externalLabels: { cluster: args.clusterName, env: args.stack },
                storageSpec: volume(`${args.storageGiB}Gi`),
                resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "2Gi" } },
                nodeSelector: args.placement.nodeSelector,
                podMetadata: { annotations: args.placement.annotations },
                // Each replica scrapes every target into its own volume under its own replica external label
                // (the operator's prometheus_replica). The operator's generated config drops that label from
                // alerts (`alert_relabel_configs: labeldrop prometheus_replica`, seen in operator test fixtures;
                // not read at the pinned operator version), so Alertmanager deduplicates the replicas' alerts.
                replicas: args.replicas,
                topologySpreadConstraints: prometheus.topologySpreadConstraints,
            },
            podDisruptionBudget: prometheus.podDisruptionBudget,
        },
        alertmanager: {
            config: alertmanagerConfig,
            alertmanagerSpec: {
                secrets: [secrets.receivers],
                storage: volume("2Gi"),
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                nodeSelector: args.placement.nodeSelector,
                podMetadata: { annotations: args.placement.annotations },
                // The operator clusters the replicas (gossip over its governing Service): a notification goes out once.
                replicas: args.replicas,
                topologySpreadConstraints: alertmanager.topologySpreadConstraints,
            },
            podDisruptionBudget: alertmanager.podDisruptionBudget,
        },
        grafana: {
            admin: { existingSecret: secrets.grafanaAdmin, userKey: "admin-user", passwordKey: "admin-password" },
            // No persistence: Grafana's state is provisioned; a restart after a rotation picks up the new admin password.
            persistence: { enabled: false },
            podAnnotations: credentialsAnnotation(args.credentialsGeneration),
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            // sidecar.resources applies to every sidecar container (grafana-community/helm-charts@grafana-12.11.1
            // charts/grafana/templates/_pod.tpl: `with .Values.sidecar.resources` on each; default {}).
            sidecar: {
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" },
            },
            // The chart's `helm test` pod (a test hook, never run by us): testFramework.resources and
            // containerSecurityContext default to {} (no requests, no restricted context).
            testFramework: { enabled: false },
            // Logs and traces (issue 17): next to the chart's own Prometheus data source.
            ...(args.logsAndTraces ? { additionalDataSources: telemetryDataSources(args.logsAndTraces) } : {}),
        },
        "kube-state-metrics": { resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
        "prometheus-node-exporter": { resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } } },
    };
}

/** Pure: the operator CRDs chart values: Helm keeps the CRDs (and every custom resource) whatever happens to the release. */
export function prometheusOperatorCrdsValues() {
    return { crds: { annotations: { ...HELM_KEEP } } };
}

/** Where the Pushgateway keeps its pushed groups (on its volume, mounted at persistentVolume.mountPath /data). */
export const PUSHGATEWAY_PERSISTENCE_FILE = "/data/pushgateway.data";

/**
 * Pure: the Pushgateway chart values. Checked against prometheus-community/helm-charts tag
 * prometheus-pushgateway-3.8.0 (commit 4fa56e1c264a2a7e8030af068dcccd4400dd620c), charts/prometheus-pushgateway:
 *  - the binary keeps pushed metrics in memory unless `--persistence.file` is given (values.yaml's own
 *    extraArgs example); the chart only mounts the volume (templates/_helpers.tpl podSpec: storage-volume
 *    at persistentVolume.mountPath);
 *  - runAsStatefulSet + persistentVolume.enabled render a volumeClaimTemplate (templates/statefulset.yaml),
 *    a claim the StatefulSet keeps when it or the release is deleted (a Deployment's claim would be a Helm
 *    object, deleted with the release);
 *  - containerSecurityContext is rendered as the container's securityContext (`with`, default {}: none,
 *    a Pod Security `restricted` warning); the pod-level securityContext default (uid/fsGroup 65534,
 *    runAsNonRoot) stays and makes the volume writable.
 */
export function pushgatewayValues(args: Pick<MonitoringArgs, "namespace" | "placement" | "storageClassName">) {
    return {
        fullnameOverride: PUSHGATEWAY_SERVICE,
        serviceMonitor: { enabled: true, honorLabels: true, namespace: args.namespace },
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        nodeSelector: args.placement.nodeSelector,
        podAnnotations: args.placement.annotations,
        runAsStatefulSet: true,
        persistentVolume: { enabled: true, storageClass: args.storageClassName, size: "1Gi" },
        // How often the file is rewritten (the flag pair of values.yaml's extraArgs example; 5m there): a crash loses at most a minute of pushes.
        extraArgs: [`--persistence.file=${PUSHGATEWAY_PERSISTENCE_FILE}`, "--persistence.interval=1m"],
        containerSecurityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 65534,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** Pure: the Alertmanager configuration from the repository's template, placeholders filled per stack. */
export function renderAlertmanagerConfig(template: string, values: Record<string, string>): unknown {
    return YAML.parse(fillTemplate(template, values, "alertmanager template"));
}

/** Rule files (each a plain Prometheus rule file) turned into PrometheusRule specs, one per file. */
export function loadRuleFiles(rulesDir: string): { name: string; spec: { groups: unknown[] } }[] {
    return fs
        .readdirSync(rulesDir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({
            name: `shop-${path.basename(f, ".yaml")}`,
            spec: { groups: (YAML.parse(fs.readFileSync(path.join(rulesDir, f), "utf8")) as { groups: unknown[] }).groups },
        }));
}

/**
 * kube-prometheus-stack with our rules, dashboards and alert routing. The operator CRDs come
 * from their own chart first, so a chart upgrade also upgrades CRDs (Helm never upgrades a
 * chart's crds/ directory) and our ServiceMonitors can depend on them.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The CRDs release: custom resources (ServiceMonitor, PrometheusRule) depend on it. */
    readonly crds: pulumi.Resource;
    readonly grafanaService: string;
    /** Grafana's pod labels (the grafana chart's selectorLabels: name grafana, instance = the release), for NetworkPolicies. */
    readonly grafanaPods = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASE_NAME };
    /** Alertmanager's in-cluster URL (the chart's Service `<fullnameOverride>-alertmanager`, port 9093): the Loki ruler sends here too. */
    readonly alertmanagerUrl = `http://${RELEASE_NAME}-alertmanager.monitoring.svc.cluster.local:9093`;
    /** The label prometheus-operator puts on every Prometheus pod, for NetworkPolicies. */
    readonly prometheusPods = { "app.kubernetes.io/name": "prometheus" };
    readonly prometheusService: string;
    /** The Secret holding Grafana's admin credentials (its name carries a content hash with plain Kubernetes Secrets). */
    readonly grafanaAdminSecret: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:monitoring:Monitoring", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = recommendedLabels(name, "monitoring");

        const secrets = createSecrets(this, name, args, labels);
        this.grafanaAdminSecret = secrets.grafana.name;
        // crds.annotations reaches every CRD (prometheus-community/helm-charts tag prometheus-operator-crds-31.0.1,
        // commit 4529d7bb4b4be3b2aa8ef0b4d40152d394213a61: values.yaml `crds.annotations`, rendered by each
        // charts/crds/templates/crd-*.yaml as `with .Values.annotations` of the crds subchart).
        this.crds = helmRelease(
            `${name}-crds`,
            { chart: "prometheusOperatorCrds", namespace: args.namespace, timeout: 300, values: prometheusOperatorCrdsValues() },
            { ...k8sOpts, protect: args.protect },
        );
        const template = fs.readFileSync(path.join(args.contentDir, "alertmanager", "alertmanager.yaml.tmpl"), "utf8");
        const operator = operatorTls(this, `${name}-operator`, {
            provider: args.provider,
            namespace: args.namespace,
            fullname: RELEASE_NAME,
            labels,
            secretSink: args.secretSink,
        });
        helmRelease(
            name,
            {
                chart: "kubePrometheusStack",
                namespace: args.namespace,
                skipCrds: true,
                timeout: 900,
                values: pulumi
                    .all([secrets.grafana.name, secrets.receivers.name, operator.caBundle])
                    .apply(([grafanaAdmin, receivers, operatorCaBundle]) =>
                        kubePrometheusStackValues(args, alertmanagerConfigFor(template, args, receivers), { grafanaAdmin, receivers, operatorCaBundle }),
                    ),
            },
            // The operator's pod mounts the certificate Secret: it must exist before the Deployment.
            { ...k8sOpts, dependsOn: [this.crds, secrets.grafana.ready, secrets.receivers.ready, operator.ready] },
        );
        // Delivery metrics (DORA) pushed by the deploy workflow; honorLabels keeps the pushed job/stack labels.
        helmRelease(
            `${name}-pushgateway`,
            { chart: "pushgateway", namespace: args.namespace, timeout: 300, values: pushgatewayValues(args) },
            { ...k8sOpts, dependsOn: [this.crds] },
        );
        createRules(this, args, this.crds);
        createDashboards(this, args);

        this.grafanaService = `${RELEASE_NAME}-grafana`;
        this.prometheusService = `${RELEASE_NAME}-prometheus`;
        this.registerOutputs({ grafanaService: this.grafanaService, prometheusService: this.prometheusService, grafanaAdminSecret: this.grafanaAdminSecret });
    }
}

/** The Grafana admin Secret and the Secret of receiver credentials Alertmanager reads as files (only the configured ones). */
function createSecrets(parent: pulumi.Resource, name: string, args: MonitoringArgs, labels: Record<string, string>) {
    const grafanaPassword = generatedPassword(parent, `${name}-grafana-admin`, { generation: args.credentialsGeneration });
    const grafana = args.secretSink.create(parent, args.provider, {
        name: GRAFANA_ADMIN_SECRET,
        namespace: args.namespace,
        labels,
        data: { "admin-user": "admin", "admin-password": grafanaPassword },
    });
    const a = args.alerts;
    const files: Record<string, pulumi.Input<string>> = {};
    if (a.slackWebhookUrl) files["slack-webhook-url"] = a.slackWebhookUrl;
    if (a.pagerDutyRoutingKey) files["pagerduty-routing-key"] = a.pagerDutyRoutingKey;
    // An empty file when e-mail needs no auth: Alertmanager then sends no AUTH.
    if (a.email?.to) files["smtp-password"] = a.email.password ?? "";
    // A Secret with no key is still mountable; it keeps the Alertmanager spec the same in every stack.
    if (Object.keys(files).length === 0) files["none"] = "";
    const receivers = args.secretSink.create(parent, args.provider, { name: ALERTMANAGER_RECEIVERS_SECRET, namespace: args.namespace, labels, data: files });
    return { grafana, receivers };
}

/** Alertmanager's configuration for this stack: the repository's template, filled, with the unconfigured receivers left out. */
function alertmanagerConfigFor(template: string, args: MonitoringArgs, receiversSecret: string): unknown {
    const e = args.alerts.email ?? {};
    const config = renderAlertmanagerConfig(template, {
        STACK: args.stack,
        SLACK_CRITICAL_CHANNEL: "#shop-alerts-critical",
        SLACK_WARNING_CHANNEL: "#shop-alerts",
        // Placeholders of receivers that are pruned below never reach Alertmanager.
        EMAIL_TO: e.to ?? "unset@invalid",
        EMAIL_FROM: e.from ?? "unset@invalid",
        SMTP_SMARTHOST: e.smarthost ?? "unset.invalid:587",
        SMTP_USERNAME: e.username ?? "",
        DEADMANSSWITCH_URL: args.alerts.deadMansSwitchUrl ?? "https://unset.invalid/",
        RECEIVERS_DIR: `/etc/alertmanager/secrets/${receiversSecret}`,
    }) as AlertmanagerConfig;
    return pruneReceivers(config, configuredReceivers(args.alerts));
}

/** One PrometheusRule per rule file, after the CRDs. */
function createRules(parent: pulumi.Resource, args: MonitoringArgs, crds: pulumi.Resource): void {
    for (const rule of loadRuleFiles(path.join(args.contentDir, "rules"))) {
        new k8s.apiextensions.CustomResource(
            rule.name,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: rule.name, namespace: args.namespace, labels: recommendedLabels(rule.name, "alerting-rules") },
                spec: rule.spec,
            },
            { parent, provider: args.provider, dependsOn: [crds] },
        );
    }
}

/** One labelled ConfigMap per dashboard (Grafana's sidecar loads them), content-addressed so an edit never leaves a gap. */
function createDashboards(parent: pulumi.Resource, args: MonitoringArgs): void {
    const dir = path.join(args.contentDir, "dashboards");
    for (const file of fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        const id = `dashboard-${path.basename(file, ".json")}`;
        const data = { [file]: fs.readFileSync(path.join(dir, file), "utf8") };
        new k8s.core.v1.ConfigMap(
            id,
            {
                metadata: { name: contentName(id, data), namespace: args.namespace, labels: { ...recommendedLabels(id, "dashboard"), grafana_dashboard: "1" } },
                data,
            },
            { parent, provider: args.provider },
        );
    }
}
