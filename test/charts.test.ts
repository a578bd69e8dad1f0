/**
 * What the charts render, hardened like our own objects (issue 21), asserted on the values each
 * stack passes to each release. What a value does inside the chart was read in the chart's
 * templates at the pinned version (or the nearest stored one); the comments next to each value in
 * components/ cite where.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { ConfigError, defaultsFor, parseShopConfig } from "../config";
import { ESO_WEBHOOK_POD_LABELS } from "../components/addons/externalSecrets";
import { LBC_CRDS_APPLIED_FOR, LBC_POD_LABELS } from "../components/addons/loadBalancerController";
import { HELM_KEEP } from "../components/helm";
import { PUSHGATEWAY_PERSISTENCE_FILE } from "../components/monitoring";
import { CHARTS } from "../components/versions";
import { loadStackConfig, ResourceRecord } from "../harness";
import { statefulReason } from "../plan/change";
import { get, ofType, STACKS, stackRun } from "./helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const chartOf = (r: ResourceRecord) => String(r.inputs.chart).split("/").pop();
const release = (rs: ResourceRecord[], chart: string) => ofType(rs, RELEASE).find((r) => chartOf(r) === chart);
const values = (r: ResourceRecord | undefined) => (r?.inputs.values ?? {}) as Record<string, any>;

/** Pod Security `restricted` for a container securityContext (what the admission check reads). */
function assertRestricted(sc: any, what: string) {
    assert.equal(sc?.allowPrivilegeEscalation, false, `${what}: allowPrivilegeEscalation`);
    assert.equal(sc?.runAsNonRoot, true, `${what}: runAsNonRoot`);
    assert.deepEqual(sc?.capabilities?.drop, ["ALL"], `${what}: capabilities.drop`);
    assert.equal(sc?.seccompProfile?.type, "RuntimeDefault", `${what}: seccompProfile`);
    assert.equal(sc?.readOnlyRootFilesystem, true, `${what}: readOnlyRootFilesystem`);
}

/** Every container `resources` map anywhere in a release's values (a volume claim's storage request is not one). */
function resourcesMaps(v: unknown, path = ""): [string, any][] {
    if (!v || typeof v !== "object" || Array.isArray(v)) return [];
    return Object.entries(v).flatMap(([k, x]) =>
        k === "volumeClaimTemplate" ? [] : k === "resources" ? [[`${path}${k}`, x] as [string, any]] : resourcesMaps(x, `${path}${k}.`),
    );
}

for (const stack of STACKS) {
    const d = defaultsFor(stack);
    describe(`charts hardened (${stack})`, () => {
        let rs: ResourceRecord[] = [];
        before(async () => {
            rs = (await stackRun(stack)).resources;
        });

        it("1. Pushgateway: a restricted container, and a volume its pushes survive a restart on", () => {
            const v = values(release(rs, CHARTS.pushgateway.chart));
            assertRestricted(v.containerSecurityContext, "pushgateway");
            assert.equal(v.runAsStatefulSet, true, "a StatefulSet: its claim outlives the pod and the release");
            assert.equal(v.persistentVolume.enabled, true);
            assert.equal(v.persistentVolume.storageClass, "gp3");
            assert.match(v.persistentVolume.size, /^\d+Gi$/);
            // The binary persists only with --persistence.file, and the file must be on the volume (mountPath, chart default /data).
            assert.ok(v.extraArgs.includes(`--persistence.file=${PUSHGATEWAY_PERSISTENCE_FILE}`), JSON.stringify(v.extraArgs));
            assert.ok(PUSHGATEWAY_PERSISTENCE_FILE.startsWith(`${v.persistentVolume.mountPath ?? "/data"}/`));
            assert.ok(v.nodeSelector, "stateful: placed on the nodes that are never consolidated");
        });

        it("2. webhooks that fail closed: ESO's webhook and the LB controller get a PDB (AlwaysAllow) and a zone spread with 2+ replicas", () => {
            const ha = d.addonReplicas > 1;
            const eso = release(rs, CHARTS.externalSecrets.chart);
            if (d.externalSecrets) {
                const v = values(eso);
                assert.equal(v.webhook.replicaCount, d.addonReplicas);
                const pdbs = (v.extraObjects as any[]).filter((o) => o.kind === "PodDisruptionBudget");
                assert.equal(pdbs.length, ha ? 1 : 0, "one replica must not block drains; two must keep one");
                if (ha) {
                    assert.equal(pdbs[0].spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
                    assert.equal(pdbs[0].spec.minAvailable, 1);
                    assert.deepEqual(pdbs[0].spec.selector.matchLabels, ESO_WEBHOOK_POD_LABELS);
                    assert.equal(pdbs[0].metadata.namespace, eso!.inputs.namespace);
                    const zone = (v.webhook.topologySpreadConstraints as any[]).find((c) => c.topologyKey === "topology.kubernetes.io/zone");
                    assert.deepEqual(zone?.labelSelector.matchLabels, ESO_WEBHOOK_POD_LABELS);
                }
                // The chart's own webhook PDB cannot carry unhealthyPodEvictionPolicy: it stays off.
                assert.notEqual(get(v, "webhook.podDisruptionBudget.enabled"), true);
            } else assert.equal(eso, undefined);
            const lbc = release(rs, CHARTS.awsLoadBalancerController.chart);
            if (d.ingressEnabled) {
                const v = values(lbc);
                // templates/pdb.yaml renders it only with replicaCount > 1.
                assert.deepEqual(v.podDisruptionBudget, { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
                assert.equal(v.replicaCount, d.addonReplicas);
                const zone = (v.topologySpreadConstraints as any[]).find((c) => c.topologyKey === "topology.kubernetes.io/zone");
                if (ha) assert.deepEqual(zone?.labelSelector.matchLabels, LBC_POD_LABELS);
                else assert.equal(zone, undefined);
            } else assert.equal(lbc, undefined);
        });

        it("3. CRD releases: Helm keeps their CRDs, Pulumi protects them outside dev, and the change plan calls them stateful", () => {
            const crdReleases: [string, unknown][] = [
                [CHARTS.prometheusOperatorCrds.chart, get(values(release(rs, CHARTS.prometheusOperatorCrds.chart)), "crds.annotations")],
                ["karpenter-crd", values(release(rs, "karpenter-crd")).additionalAnnotations],
                ...(d.externalSecrets
                    ? [[CHARTS.externalSecrets.chart, values(release(rs, CHARTS.externalSecrets.chart)).crds.annotations] as [string, unknown]]
                    : []),
            ];
            for (const [chart, annotations] of crdReleases) {
                assert.deepEqual(annotations, HELM_KEEP, `${chart}: helm.sh/resource-policy: keep on every CRD`);
                const r = release(rs, chart)!;
                assert.equal(r.protect, d.protectData, `${chart}: protect follows protectData`);
                assert.ok(statefulReason({ ...r, protect: false }), `${chart}: stateful in the change plan even unprotected`);
            }
        });

        it("4. every resources map we set on a chart has CPU and memory requests (Grafana sidecars, config-reloaders included)", () => {
            const kps = values(release(rs, CHARTS.kubePrometheusStack.chart));
            for (const p of ["grafana.sidecar.resources", "prometheusOperator.prometheusConfigReloader.resources"])
                assert.ok(get(kps, p)?.requests, `kube-prometheus-stack ${p}`);
            // The admission certificate Jobs are not rendered (Pulumi makes the certificate: operator-tls.test.ts).
            assert.equal(get(kps, "prometheusOperator.admissionWebhooks.patch.enabled"), false);
            assert.equal(get(kps, "grafana.testFramework.enabled"), false, "no helm-test pod without requests");
            for (const r of ofType(rs, RELEASE))
                for (const [p, res] of resourcesMaps(r.inputs.values)) {
                    assert.ok(res?.requests?.cpu && res?.requests?.memory, `${r.name}: ${p} has no cpu/memory requests`);
                    assert.ok(res?.limits?.memory, `${r.name}: ${p} has no memory limit`);
                }
        });

        it(`5. Prometheus and Alertmanager: monitoringReplicas (${d.monitoringReplicas}) each, spread across zones with a PDB when 2+`, () => {
            const v = values(release(rs, CHARTS.kubePrometheusStack.chart));
            const ha = d.monitoringReplicas > 1;
            if (stack === "prod") assert.ok(d.monitoringReplicas >= 2);
            for (const [spec, name, labels] of [
                ["prometheus.prometheusSpec", "prometheus", { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "kps-prometheus" }],
                ["alertmanager.alertmanagerSpec", "alertmanager", { "app.kubernetes.io/name": "alertmanager", alertmanager: "kps-alertmanager" }],
            ] as const) {
                assert.equal(get(v, `${spec}.replicas`), d.monitoringReplicas, `${name} replicas`);
                assert.deepEqual(get(v, `${name}.podDisruptionBudget`), { enabled: ha, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
                const tsc = get(v, `${spec}.topologySpreadConstraints`) as any[];
                if (ha)
                    assert.deepEqual(tsc, [
                        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: labels } },
                    ]);
                else assert.deepEqual(tsc, []);
            }
        });

        it("6. metrics-server: the API server verifies its certificate (no insecureSkipTLSVerify; Helm-made CA in caBundle)", () => {
            const v = values(release(rs, CHARTS.metricsServer.chart));
            assert.equal(v.apiService.insecureSkipTLSVerify, false);
            assert.equal(v.tls.type, "helm", "the chart sets caBundle from the certificate it generates only for tls.type helm");
            assert.equal(v.tls.helm.lookup, true, "an upgrade keeps the certificate (no caBundle/serving mismatch while pods roll)");
        });

        it("7. LB controller pods pass Pod Security restricted (drop ALL, seccomp RuntimeDefault)", () => {
            const lbc = release(rs, CHARTS.awsLoadBalancerController.chart);
            if (!d.ingressEnabled) return assert.equal(lbc, undefined);
            assertRestricted(values(lbc).securityContext, "aws-load-balancer-controller");
        });
    });
}

describe("charts hardened: config and upgrade guards", () => {
    it("prod refuses monitoringReplicas below 2, naming the key", () => {
        const sc = loadStackConfig("prod");
        assert.throws(
            () => parseShopConfig({ ...sc.config, "shop-platform:monitoringReplicas": "1" }, { stack: "prod", secretKeys: sc.secretKeys }),
            (e: unknown) => e instanceof ConfigError && /monitoringReplicas: must be at least 2 in prod/.test(e.message),
        );
    });

    it("3b. the LB controller's CRDs (its crds/ directory, never upgraded by Helm) were applied for the pinned chart version", () => {
        assert.equal(
            LBC_CRDS_APPLIED_FOR,
            CHARTS.awsLoadBalancerController.version,
            "bumped the chart: apply its CRDs first (docs/addons.md, Upgrading the load balancer controller's CRDs), then set LBC_CRDS_APPLIED_FOR",
        );
        const doc = fs.readFileSync("docs/addons.md", "utf8");
        assert.match(doc, /### Upgrading the load balancer controller's CRDs/);
        assert.ok(doc.includes(`stable/aws-load-balancer-controller/crds?ref=`), "the procedure names the CRDs to apply, at a fixed ref");
    });
});
