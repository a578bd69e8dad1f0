/**
 * Logs and traces in every stack (issue 17): the four add-ons with the stack's retention, sampling
 * and storage; the apps' OTEL_* environment and their way through the NetworkPolicies to the collector.
 */
import * as assert from "node:assert/strict";
import { defaultsFor } from "../config";
import { ResourceRecord, runStack } from "../harness";
import { otelEnv } from "../components/apps";
import { get, ofType, STACKS, stackRun } from "./helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";

for (const stack of STACKS) {
    describe(`observability (${stack})`, () => {
        let resources: ResourceRecord[] = [];
        const d = defaultsFor(stack);
        before(async () => {
            resources = (await stackRun(stack)).resources;
        });
        const release = (chart: string) => {
            const found = ofType(resources, RELEASE).filter((r) => r.inputs.chart === chart);
            assert.equal(found.length, 1, chart);
            return found[0].inputs;
        };

        it("Loki, Tempo, the collector and Alloy, with the stack's retention and sampling", () => {
            assert.equal(get(release("loki"), "values.loki.limits_config.retention_period"), `${d.lokiRetentionDays * 24}h`);
            assert.equal(get(release("tempo"), "values.tempo.retention"), `${d.tempoRetentionDays * 24}h`);
            const policies = get(release("opentelemetry-collector"), "values.alternateConfig.processors.tail_sampling.policies");
            assert.equal(policies[1].probabilistic.sampling_percentage, d.traceSamplingPercent);
            assert.equal(get(release("alloy"), "values.controller.type"), "daemonset");
        });

        it(`storage: ${d.telemetryObjectStorage ? "one S3 bucket per store" : "the pods' volumes, no bucket"}`, () => {
            const buckets = ofType(resources, "aws:s3/bucket:Bucket").filter((b) => /-(logs|traces)$/.test(String(b.inputs.bucket)));
            assert.equal(buckets.length, d.telemetryObjectStorage ? 2 : 0);
            assert.equal(get(release("loki"), "values.loki.storage.type"), d.telemetryObjectStorage ? "s3" : "filesystem");
            assert.equal(get(release("tempo"), "values.tempo.storage.trace.backend"), d.telemetryObjectStorage ? "s3" : "local");
        });

        it("both apps get the standard OTEL_* variables and may reach the collector's OTLP/HTTP port, nothing more", () => {
            for (const app of ["storefront", "catalog"]) {
                const cm = resources.find(
                    (r) => r.type === "kubernetes:core/v1:ConfigMap" && new RegExp(`^${app}-config-[0-9a-f]{10}$`).test(String(get(r.inputs, "metadata.name"))),
                );
                assert.ok(cm, `${app} ConfigMap`);
                assert.equal(get(cm.inputs, "data.OTEL_EXPORTER_OTLP_ENDPOINT"), "http://otel-collector.monitoring.svc.cluster.local:4318");
                assert.equal(get(cm.inputs, "data.OTEL_SERVICE_NAME"), app);
                assert.equal(get(cm.inputs, "data.OTEL_TRACES_SAMPLER"), "parentbased_always_on");
                const np = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
                    (r) => get(r.inputs, "metadata.name") === app && get(r.inputs, "metadata.namespace") === "shop",
                );
                assert.ok(np, `${app} NetworkPolicy`);
                const toCollector = (get(np.inputs, "spec.egress") as { to: unknown[]; ports: { port: number }[] }[]).filter((e) =>
                    JSON.stringify(e.to).includes('"app.kubernetes.io/name":"opentelemetry-collector"'),
                );
                assert.deepEqual(
                    toCollector.map((e) => e.ports.map((p) => p.port)),
                    [[4318]],
                );
            }
        });

        it("Loki, Tempo and the collector admit only their clients", () => {
            const byName = (n: string) =>
                ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
                    (r) => get(r.inputs, "metadata.name") === n && get(r.inputs, "metadata.namespace") === "monitoring",
                );
            for (const n of ["loki", "tempo", "otel-collector"]) assert.ok(byName(n), n);
            const lokiFrom = JSON.stringify(get(byName("loki")!.inputs, "spec.ingress.0.from"));
            for (const client of ["alloy", "grafana", "prometheus"]) assert.ok(lokiFrom.includes(`"app.kubernetes.io/name":"${client}"`), client);
            const tempo = get(byName("tempo")!.inputs, "spec.ingress.0");
            assert.ok(JSON.stringify(tempo.from).includes("opentelemetry-collector"));
            assert.deepEqual(
                tempo.ports.map((p: { port: number }) => p.port),
                [4317],
            );
        });
    });
}

describe("head sampling in the apps (appTraceRecordPercent)", function () {
    this.timeout(300_000);
    const t = { otlpEndpoint: "http://c:4318", collector: { namespace: "monitoring", podLabels: {}, port: 4318 }, environment: "prod" };

    it("by default every trace is recorded: the collector's tail sampling needs to see the errors", () => {
        assert.deepEqual([otelEnv(t, "x").OTEL_TRACES_SAMPLER, otelEnv(t, "x").OTEL_TRACES_SAMPLER_ARG], ["parentbased_always_on", undefined]);
        assert.equal(otelEnv({ ...t, headSampleRatio: 1 }, "x").OTEL_TRACES_SAMPLER, "parentbased_always_on");
    });

    it("below 100 % the SDKs' parent-based trace-id ratio sampler, with the ratio as its argument", () => {
        const env = otelEnv({ ...t, headSampleRatio: 0.25 }, "x");
        assert.deepEqual([env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG], ["parentbased_traceidratio", "0.25"]);
    });

    it("prod with appTraceRecordPercent 25: both apps' config carries it", async () => {
        const { resources } = await runStack("prod", { configOverrides: { appTraceRecordPercent: 25 } });
        for (const app of ["storefront", "catalog"]) {
            const cm = resources.find(
                (r) => r.type === "kubernetes:core/v1:ConfigMap" && new RegExp(`^${app}-config-[0-9a-f]{10}$`).test(String(get(r.inputs, "metadata.name"))),
            )!;
            assert.equal(get(cm.inputs, "data.OTEL_TRACES_SAMPLER"), "parentbased_traceidratio");
            assert.equal(get(cm.inputs, "data.OTEL_TRACES_SAMPLER_ARG"), "0.25");
        }
    });
});
