import * as assert from "node:assert/strict";
import { alloyConfig, Observability, ObservabilityArgs, REDACTIONS, telemetryBucketArgs } from "../../components/observability";
import { SecureBucket } from "../../components/storage";
import { runComponents } from "../../harness";
import { evaluate } from "../../policy/evaluate";
import { get, ofType } from "../helpers";
import { marker, provider } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";

function args(over: Partial<ObservabilityArgs> = {}): ObservabilityArgs {
    return {
        provider: provider(),
        namespace: "monitoring",
        clusterName: "shop-test",
        region: "eu-west-1",
        storageClassName: "gp3",
        placement: { nodeSelector: { role: "system" }, annotations: { "karpenter.sh/do-not-disrupt": "true" } },
        logRetentionDays: 14,
        traceRetentionDays: 7,
        traceSamplingPercent: 10,
        lokiStorageGiB: 10,
        tempoStorageGiB: 5,
        monitoringCrds: marker("crds"),
        ...over,
    };
}

/** What index.ts does in staging/prod: one SecureBucket per store, handed to the component. */
const withBuckets = (retain = false) => {
    const bucket = (store: "logs" | "traces", retentionDays: number) =>
        new SecureBucket(
            `telemetry-${store}`,
            telemetryBucketArgs({ store, prefix: "shop-test", accountId: "123456789012", retentionDays, kmsDeletionWindowDays: 7, retain }),
        );
    return args({ buckets: { logs: bucket("logs", 14), traces: bucket("traces", 7) } });
};

const release = (r: Awaited<ReturnType<typeof runComponents>>, chart: string) => {
    const found = ofType(r, RELEASE).filter((x) => x.inputs.chart === chart);
    assert.equal(found.length, 1, `one ${chart} release`);
    return found[0].inputs;
};

/** JavaScript reading of an RE2 pattern with a leading (?i) (same semantics for these patterns). */
const jsRegex = (re2: string) => (re2.startsWith("(?i)") ? new RegExp(re2.slice(4), "gi") : new RegExp(re2, "g"));
/** What stage.replace does: each match's capture group becomes [REDACTED]. */
const redact = (line: string) => REDACTIONS.reduce((l, r) => l.replace(jsRegex(r.regex), (m: string, g: string) => m.replace(g, "[REDACTED]")), line);

describe("component: Observability (Loki, Tempo, OpenTelemetry Collector, Alloy)", () => {
    it("dev shape: the four pinned charts, logs and traces on the pods' volumes, no bucket, retention from the args", async () => {
        const r = await runComponents(() => new Observability("observability", args()));
        assert.deepEqual(
            ofType(r, RELEASE)
                .map((x) => x.inputs.chart)
                .sort(),
            ["alloy", "loki", "opentelemetry-collector", "tempo"],
        );
        assert.equal(ofType(r, "aws:s3/bucket:Bucket").length, 0);
        assert.equal(ofType(r, "aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
        const loki = release(r, "loki");
        assert.equal(get(loki, "values.deploymentMode"), "Monolithic");
        assert.equal(get(loki, "values.loki.storage.type"), "filesystem");
        assert.equal(get(loki, "values.loki.limits_config.retention_period"), "336h");
        assert.equal(get(loki, "values.loki.compactor.retention_enabled"), true);
        assert.equal(get(loki, "values.singleBinary.persistence.size"), "10Gi");
        // validate.yaml refuses monolithic replicas next to scalable ones.
        for (const t of ["read", "write", "backend"]) assert.equal(get(loki, `values.${t}.replicas`), 0);
        const tempo = release(r, "tempo");
        assert.equal(get(tempo, "values.tempo.storage.trace.backend"), "local");
        assert.equal(get(tempo, "values.tempo.retention"), "168h");
        assert.match(get(tempo, "values.tempo.tag"), /^2\.10\.8@sha256:[0-9a-f]{64}$/);
    });

    it("staging/prod shape: one SecureBucket per store (versioning off, lifecycle = retention), Pod Identity scoped to that bucket", async () => {
        const r = await runComponents(() => new Observability("observability", withBuckets(true)));
        const buckets = ofType(r, "aws:s3/bucket:Bucket");
        assert.deepEqual(buckets.map((b) => String(b.inputs.bucket).replace(/\d{12}/, "<account>")).sort(), [
            "shop-test-<account>-logs",
            "shop-test-<account>-traces",
        ]);
        for (const b of buckets) assert.equal(b.protect, true);
        for (const v of ofType(r, "aws:s3/bucketVersioning:BucketVersioning")) assert.equal(get(v.inputs, "versioningConfiguration.status"), "Suspended");
        const days = ofType(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
            .map((l) => get(l.inputs, "rules.0.expiration.days"))
            .sort();
        assert.deepEqual(days, [14, 7]);
        const assoc = ofType(r, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => `${a.inputs.namespace}/${a.inputs.serviceAccount}`);
        assert.deepEqual(assoc.sort(), ["monitoring/loki", "monitoring/tempo"]);
        for (const p of ofType(r, "aws:iam/rolePolicy:RolePolicy")) {
            const doc = JSON.parse(String(p.inputs.policy));
            const resources = doc.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat());
            assert.ok(!resources.includes("*"), "no wildcard resource");
            const store = /logs/.test(p.name) ? "logs" : "traces";
            for (const res of resources.filter((x: string) => x.startsWith("arn:aws:s3"))) assert.match(res, new RegExp(`-${store}(/\\*)?$`));
        }
        const loki = release(r, "loki");
        assert.equal(get(loki, "values.loki.storage.type"), "s3");
        assert.match(get(loki, "values.loki.storage.bucketNames.chunks"), /-logs$/);
        assert.equal(get(loki, "values.loki.schemaConfig.configs.0.object_store"), "s3");
        assert.equal(get(release(r, "tempo"), "values.tempo.storage.trace.backend"), "s3");
        // Loki and Tempo start after their role is bound, so their first S3 call has credentials.
        const lokiRec = ofType(r, RELEASE).find((x) => x.inputs.chart === "loki")!;
        assert.ok(
            lokiRec.dependencies.some((d) => d.includes("PodIdentityAssociation")),
            "loki depends on its Pod Identity association",
        );
    });

    it("every container the four charts render has CPU and memory requests (the Loki rules sidecar included; Alloy's reloader by its chart default)", async () => {
        const r = await runComponents(() => new Observability("observability", args()));
        const need: [string, string][] = [
            ["loki", "values.singleBinary.resources"],
            ["loki", "values.sidecar.resources"],
            ["tempo", "values.tempo.resources"],
            ["opentelemetry-collector", "values.resources"],
            ["alloy", "values.alloy.resources"],
        ];
        for (const [chart, p] of need) {
            const res = get(release(r, chart), p) as { requests?: { cpu?: string; memory?: string } } | undefined;
            assert.ok(res?.requests?.cpu && res.requests.memory, `${chart} ${p}: no CPU/memory requests`);
        }
        // grafana/alloy helm-chart/1.11.1 values.yaml configReloader.resources.requests (10m, 50Mi): we leave it.
        assert.equal(get(release(r, "alloy"), "values.configReloader.resources"), undefined);
    });

    it("the buckets pass the policy pack's S3 and KMS rules", async () => {
        const r = await runComponents(() => new Observability("observability", withBuckets()));
        const vs = evaluate(r, { "aws-required-tags": "disabled" }, { stack: "test" }).filter((v) => /^(s3|kms)-/.test(v.policyName));
        assert.deepEqual(vs, []);
    });

    it("the collector keeps every error trace and the configured percentage of the rest, and forwards to Tempo", async () => {
        const r = await runComponents(() => new Observability("observability", args({ traceSamplingPercent: 25 })));
        const c = release(r, "opentelemetry-collector");
        assert.equal(get(c, "values.image.repository"), "otel/opentelemetry-collector-contrib");
        assert.match(get(c, "values.image.tag"), /^0\.161\.0@sha256:[0-9a-f]{64}$/); // the contrib image, from components/versions.json
        const cfg = get(c, "values.alternateConfig");
        const policies = cfg.processors.tail_sampling.policies;
        assert.deepEqual(policies[0], { name: "errors-always", type: "status_code", status_code: { status_codes: ["ERROR"] } });
        assert.equal(policies[1].probabilistic.sampling_percentage, 25);
        assert.deepEqual(cfg.service.pipelines.traces.processors, ["memory_limiter", "tail_sampling", "batch"]);
        assert.equal(cfg.exporters["otlp_grpc/tempo"].endpoint, "tempo.monitoring.svc.cluster.local:4317");
        assert.ok(cfg.extensions.health_check, "the chart's probes need health_check");
        assert.equal(get(c, "values.securityContext.readOnlyRootFilesystem"), true);
        assert.equal(get(c, "values.podSecurityContext.runAsNonRoot"), true);
    });

    it("restricted pod security for Loki, Tempo and the collector; Alloy drops every capability and reads /var/log read-only", async () => {
        const r = await runComponents(() => new Observability("observability", args()));
        for (const [chart, container] of [
            ["loki", "values.loki.containerSecurityContext"],
            ["tempo", "values.tempo.securityContext"],
            ["opentelemetry-collector", "values.securityContext"],
        ]) {
            const sc = get(release(r, chart), container);
            assert.deepEqual(
                [sc.allowPrivilegeEscalation, sc.readOnlyRootFilesystem, sc.capabilities.drop, sc.seccompProfile.type],
                [false, true, ["ALL"], "RuntimeDefault"],
                chart,
            );
        }
        const alloy = release(r, "alloy");
        assert.equal(get(alloy, "values.controller.type"), "daemonset");
        assert.deepEqual(get(alloy, "values.controller.tolerations"), [{ operator: "Exists" }]);
        assert.equal(get(alloy, "values.alloy.mounts.varlog"), true);
        const sc = get(alloy, "values.alloy.securityContext");
        assert.deepEqual([sc.allowPrivilegeEscalation, sc.readOnlyRootFilesystem, sc.capabilities.drop], [false, true, ["ALL"]]);
        // Least privilege: no Secret or ConfigMap reads (the chart's default Role has them).
        const rules = JSON.stringify(get(alloy, "values.rbac.rules"));
        assert.ok(!/secrets|configmaps/.test(rules), rules);
        assert.ok(get(alloy, "values.alloy.configMap.content").includes('url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"'));
    });

    it("with flows: ingress NetworkPolicies for Loki, Tempo and the collector", async () => {
        const flows = {
            grafanaPods: { "app.kubernetes.io/name": "grafana" },
            prometheusPods: { "app.kubernetes.io/name": "prometheus" },
            appsNamespace: "shop",
        };
        const r = await runComponents(() => new Observability("observability", args({ flows })));
        const nps = ofType(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.deepEqual(nps.map((n) => get(n.inputs, "metadata.name")).sort(), ["loki", "otel-collector", "tempo"]);
        for (const n of nps) assert.deepEqual(get(n.inputs, "spec.policyTypes"), ["Ingress"]);
        const collector = nps.find((n) => get(n.inputs, "metadata.name") === "otel-collector")!;
        assert.deepEqual(get(collector.inputs, "spec.ingress.0.from"), [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }]);
        const none = await runComponents(() => new Observability("observability", args()));
        assert.equal(ofType(none, "kubernetes:networking.k8s.io/v1:NetworkPolicy").length, 0);
    });

    it("alerts from logs: the rule files in a content-addressed ConfigMap for the rules sidecar; the ruler notifies the Alertmanager", async () => {
        const r = await runComponents(
            () =>
                new Observability(
                    "observability",
                    args({
                        lokiRulesDir: `${__dirname}/../../monitoring/loki-rules`,
                        alertmanagerUrl: "http://kps-alertmanager.monitoring.svc.cluster.local:9093",
                    }),
                ),
        );
        const [cm] = ofType(r, "kubernetes:core/v1:ConfigMap");
        assert.match(get(cm.inputs, "metadata.name"), /^loki-rules-[0-9a-f]{10}$/);
        assert.equal(get(cm.inputs, "metadata.labels.loki_rule"), "1");
        assert.ok(String(get(cm.inputs, "data")["apps.yaml"]).includes("ShopAppErrorLogBurst"));
        const loki = release(r, "loki");
        assert.equal(get(loki, "values.loki.rulerConfig.alertmanager_url"), "http://kps-alertmanager.monitoring.svc.cluster.local:9093");
        assert.equal(get(loki, "values.loki.rulerConfig.storage.type"), "local");
        // The sidecar writes where the local rule store reads tenant `fake` (auth_enabled false).
        assert.equal(get(loki, "values.sidecar.rules.folder"), `${get(loki, "values.loki.rulerConfig.storage.local.directory")}/fake`);
        assert.equal(get(loki, "values.loki.auth_enabled"), false);
    });

    it("the agent's pipeline labels every container's lines and lifts the apps' JSON fields", () => {
        const cfg = alloyConfig({ lokiPushUrl: "http://loki:3100/loki/api/v1/push" });
        for (const label of ["namespace", "pod", "container", "app"]) assert.ok(cfg.includes(`target_label  = "${label}"`), label);
        assert.ok(cfg.includes('field = "spec.nodeName=" + sys.env("HOSTNAME")'), "each agent reads its own node only");
        assert.ok(cfg.includes('replacement   = "/var/log/pods/*$1/*.log"'));
        for (const f of ["level", "route", "status", "duration_ms", "trace_id"]) assert.match(cfg, new RegExp(`${f}\\s+= "${f}"`), f);
        assert.match(cfg, /stage\.labels \{\s+values = \{ level = "" \}/);
        // Redaction comes before the JSON stage (nothing copies a secret into metadata first).
        assert.ok(cfg.indexOf("stage.replace") < cfg.indexOf("stage.json"));
        assert.equal((cfg.match(/stage\.replace/g) ?? []).length, REDACTIONS.length);
    });

    it("the redaction guard masks known secret shapes and leaves ordinary lines alone", () => {
        const cases: [string, string][] = [
            [
                '{"msg":"connect","dsn":"postgresql://shop:s3cr3t-pw@postgres.data:5432/shop"}',
                '{"msg":"connect","dsn":"postgresql://shop:[REDACTED]@postgres.data:5432/shop"}',
            ],
            ["redis://:hunter22@redis.data:6379/0", "redis://:[REDACTED]@redis.data:6379/0"],
            ["Authorization: Bearer abcdefghijklmnop.qrs", "Authorization: Bearer [REDACTED]"],
            ['{"password": "correct-horse"}', '{"password": "[REDACTED]"}'],
            ["aws key AKIAABCDEFGHIJKLMNOP leaked", "aws key [REDACTED] leaked"],
            ["https://hooks.slack.com/services/T000/B000/XXXXXXXX", "https://hooks.slack.com/services/[REDACTED]"],
        ];
        for (const [line, want] of cases) assert.equal(redact(line), want, line);
        const ordinary =
            '{"ts":"2026-12-02T10:00:00.000Z","level":"info","msg":"request","method":"GET","route":"/v1/products/{id}","status":200,"duration_ms":3.2}';
        assert.equal(redact(ordinary), ordinary);
    });
});
