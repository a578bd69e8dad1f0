import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { helmRelease } from "../helm";
import { recommendedLabels } from "../k8s";
import { credentialsAnnotation, generatedPassword, SecretSink } from "../k8s/secrets";
import { fillTemplate } from "../template";
import { CHARTS } from "../versions";

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
    storageClassName: string;
    /** Alert receivers; secrets reach Alertmanager as files of a mounted Secret, never in values. */
    alerts: { emailTo?: string; slackWebhookUrl?: pulumi.Output<string> };
    /** Folder with rules/, dashboards/ and alertmanager/ (the repository's monitoring/). */
    contentDir: string;
    secretSink: SecretSink;
    /** Rotation counter: a new value regenerates the Grafana admin password and restarts Grafana. */
    credentialsGeneration: number;
}

/** Pure: the chart values, right for EKS (its control plane is not scrapeable) and sized for small clusters. */
export function kubePrometheusStackValues(
    args: Pick<MonitoringArgs, "stack" | "clusterName" | "retentionDays" | "storageGiB" | "storageClassName" | "credentialsGeneration">,
    alertmanagerConfig: unknown,
) {
    const volume = (size: string) => ({
        volumeClaimTemplate: { spec: { storageClassName: args.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } },
    });
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
            },
        },
        alertmanager: {
            config: alertmanagerConfig,
            alertmanagerSpec: {
                secrets: [ALERTMANAGER_RECEIVERS_SECRET],
                storage: volume("2Gi"),
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
            },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            // No persistence: Grafana's state is provisioned; a restart after a rotation picks up the new admin password.
            persistence: { enabled: false },
            podAnnotations: credentialsAnnotation(args.credentialsGeneration),
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" } },
        },
        "kube-state-metrics": { resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
        "prometheus-node-exporter": { resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } } },
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
    readonly prometheusService: string;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:monitoring:Monitoring", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = recommendedLabels(name, "monitoring");

        const grafanaPassword = generatedPassword(this, `${name}-grafana-admin`, { generation: args.credentialsGeneration });
        const grafanaSecret = args.secretSink.create(this, args.provider, {
            name: GRAFANA_ADMIN_SECRET,
            namespace: args.namespace,
            labels,
            data: { "admin-user": "admin", "admin-password": grafanaPassword },
        });
        // Files Alertmanager reads (slack_api_url_file, …). Unset receivers get an inert value and are documented.
        const receiversSecret = args.secretSink.create(this, args.provider, {
            name: ALERTMANAGER_RECEIVERS_SECRET,
            namespace: args.namespace,
            labels,
            data: {
                "slack-webhook-url": args.alerts.slackWebhookUrl ?? "https://hooks.slack.com/services/UNSET",
                "pagerduty-routing-key": "unset",
                "smtp-password": "unset",
            },
        });

        this.crds = helmRelease(`${name}-crds`, { chart: "prometheusOperatorCrds", namespace: args.namespace, timeout: 300 }, k8sOpts);

        const template = fs.readFileSync(path.join(args.contentDir, "alertmanager", "alertmanager.yaml.tmpl"), "utf8");
        const alertmanagerConfig = renderAlertmanagerConfig(template, {
            STACK: args.stack,
            SLACK_CRITICAL_CHANNEL: "#shop-alerts-critical",
            SLACK_WARNING_CHANNEL: "#shop-alerts",
            EMAIL_TO: args.alerts.emailTo ?? "alerts@example.invalid",
            EMAIL_FROM: `alertmanager-${args.stack}@example.invalid`,
            SMTP_SMARTHOST: "smtp.example.invalid:587",
            SMTP_USERNAME: "alertmanager",
            DEADMANSSWITCH_URL: "http://127.0.0.1:9/deadmansswitch-not-configured",
        });
        helmRelease(
            name,
            {
                chart: "kubePrometheusStack",
                namespace: args.namespace,
                skipCrds: true,
                timeout: 900,
                values: kubePrometheusStackValues(args, alertmanagerConfig),
            },
            { ...k8sOpts, dependsOn: [this.crds, grafanaSecret.ready, receiversSecret.ready] },
        );

        // Delivery metrics (DORA) pushed by the deploy workflow; honorLabels keeps the pushed job/stack labels.
        helmRelease(
            `${name}-pushgateway`,
            {
                chart: "pushgateway",
                namespace: args.namespace,
                timeout: 300,
                values: {
                    fullnameOverride: PUSHGATEWAY_SERVICE,
                    serviceMonitor: { enabled: true, honorLabels: true, namespace: args.namespace },
                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                },
            },
            { ...k8sOpts, dependsOn: [this.crds] },
        );

        for (const rule of loadRuleFiles(path.join(args.contentDir, "rules"))) {
            new k8s.apiextensions.CustomResource(
                rule.name,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { name: rule.name, namespace: args.namespace, labels: recommendedLabels(rule.name, "alerting-rules") },
                    spec: rule.spec,
                },
                { ...k8sOpts, dependsOn: [this.crds] },
            );
        }
        const dashboardsDir = path.join(args.contentDir, "dashboards");
        for (const file of fs
            .readdirSync(dashboardsDir)
            .filter((f) => f.endsWith(".json"))
            .sort()) {
            const id = `dashboard-${path.basename(file, ".json")}`;
            new k8s.core.v1.ConfigMap(
                id,
                {
                    metadata: { name: id, namespace: args.namespace, labels: { ...recommendedLabels(id, "dashboard"), grafana_dashboard: "1" } },
                    data: { [file]: fs.readFileSync(path.join(dashboardsDir, file), "utf8") },
                },
                k8sOpts,
            );
        }

        this.grafanaService = `${RELEASE_NAME}-grafana`;
        this.prometheusService = `${RELEASE_NAME}-prometheus`;
        this.registerOutputs({ grafanaService: this.grafanaService, prometheusService: this.prometheusService });
    }
}
