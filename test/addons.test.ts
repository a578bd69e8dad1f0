import * as assert from "node:assert/strict";
import { CHARTS } from "../components/versions";
import { defaultsFor, parseShopConfig } from "../config";
import { isRedactedSecret, ResourceRecord, runStack } from "../harness";
import { get, ofType, one, STACKS, stackRun } from "./helpers";

const releaseOf = (rs: ResourceRecord[], chart: string) => ofType(rs, "kubernetes:helm.sh/v3:Release").find((r) => String(r.inputs.chart).endsWith(chart));
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"];

/** Allow statements that grant every action of a service (or all) on every resource. */
function unscopedGrants(policy: { Statement: { Effect: string; Action: string | string[]; Resource: string | string[] }[] }): string[] {
    return policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => {
        const actions = ([] as string[]).concat(s.Action);
        const resources = ([] as string[]).concat(s.Resource);
        return actions.filter((a) => (a === "*" || a.endsWith(":*")) && resources.includes("*")).map((a) => `${a} on *`);
    });
}

/** Secrets a workload reads: secretKeyRef, envFrom secretRef, secret volumes; plus Helm values naming existing Secrets. */
function consumedSecrets(resources: ResourceRecord[]): { namespace: string; name: string }[] {
    const out: { namespace: string; name: string }[] = [];
    for (const w of resources.filter((r) => WORKLOADS.includes(r.type))) {
        const ns = get(w.inputs, "metadata.namespace");
        const spec = get(w.inputs, "spec.template.spec");
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) out.push({ namespace: ns, name: e.valueFrom.secretKeyRef.name });
            for (const e of c.envFrom ?? []) if (e.secretRef) out.push({ namespace: ns, name: e.secretRef.name });
        }
        for (const v of spec.volumes ?? []) if (v.secret) out.push({ namespace: ns, name: v.secret.secretName });
    }
    const kps = releaseOf(resources, "kube-prometheus-stack")!;
    const values = kps.inputs.values as any;
    out.push({ namespace: String(kps.inputs.namespace), name: values.grafana.admin.existingSecret });
    for (const s of values.alertmanager.alertmanagerSpec.secrets) out.push({ namespace: String(kps.inputs.namespace), name: s });
    return out;
}

for (const stack of STACKS) {
    describe(`cluster add-ons (${stack})`, () => {
        const d = defaultsFor(stack);

        it("each add-on is a Helm release with its exact pinned chart version", async () => {
            const { resources } = await stackRun(stack);
            const expected: [string, string][] = [
                ["metrics-server", CHARTS.metricsServer.version],
                ["karpenter-crd", CHARTS.karpenterCrd.version],
                ["/karpenter", CHARTS.karpenter.version],
            ];
            if (d.ingressEnabled) expected.push(["aws-load-balancer-controller", CHARTS.awsLoadBalancerController.version]);
            if (d.externalSecrets) expected.push(["external-secrets", CHARTS.externalSecrets.version]);
            for (const [chart, version] of expected) {
                const r = releaseOf(resources, chart);
                assert.ok(r, `no release of ${chart}`);
                assert.equal(r.inputs.version, version, chart);
                assert.match(String(r.inputs.version), /^\d+\.\d+\.\d+$/);
            }
            assert.equal(Boolean(releaseOf(resources, "aws-load-balancer-controller")), d.ingressEnabled);
            assert.equal(Boolean(releaseOf(resources, "external-secrets")), d.externalSecrets);
        });

        it("every Pod Identity association is bound to a role whose policy grants no wildcard actions on *", async () => {
            const { resources } = await stackRun(stack);
            const associations = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
            const expected = [
                "kube-system/karpenter",
                ...(d.ingressEnabled ? ["kube-system/aws-load-balancer-controller"] : []),
                ...(d.externalSecrets ? ["external-secrets/external-secrets"] : []),
                // The database's service account (CNPG names it after the Cluster), for its S3 backups.
                ...(d.postgresBackups ? ["data/shop-db"] : []),
                // Loki and Tempo, each to its own bucket (issue 17), when logs and traces are on S3.
                ...(d.telemetryObjectStorage ? ["monitoring/loki", "monitoring/tempo"] : []),
            ];
            assert.deepEqual(associations.map((a) => `${a.inputs.namespace}/${a.inputs.serviceAccount}`).sort(), expected.sort());
            for (const a of associations) {
                const role = ofType(resources, "aws:iam/role:Role").find((r) => String(a.inputs.roleArn).endsWith(`/${r.name}`))!;
                assert.match(String(role.inputs.assumeRolePolicy), /pods\.eks\.amazonaws\.com/);
                const policies = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.name);
                assert.equal(policies.length, 1, `${role.name} has ${policies.length} inline policies`);
                const doc = JSON.parse(String(policies[0].inputs.policy));
                assert.deepEqual(unscopedGrants(doc), [], `${role.name}`);
                assert.ok(!JSON.stringify(doc).includes("${"), `${role.name}: unfilled placeholder`);
            }
        });

        it("HPAs are created after metrics-server", async () => {
            const { resources } = await stackRun(stack);
            const metricsServer = releaseOf(resources, "metrics-server")!;
            const hpas = ofType(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
            assert.equal(hpas.length, 2);
            for (const h of hpas) assert.ok(h.dependencies.includes(metricsServer.urn), h.urn);
        });

        it(`Karpenter: NodePool from the stack (${d.karpenterCapacityTypes.join("+")}, limits), hardened EC2NodeClass, interruption queue`, async () => {
            const { resources } = await stackRun(stack);
            const pool = one(resources, "kubernetes:karpenter.sh/v1:NodePool");
            const reqs = get(pool.inputs, "spec.template.spec.requirements") as { key: string; values: string[] }[];
            const capacity = reqs.find((r) => r.key === "karpenter.sh/capacity-type")!.values;
            assert.deepEqual(capacity, d.karpenterCapacityTypes);
            if (stack === "prod") assert.ok(!capacity.includes("spot"), "no spot in prod");
            assert.deepEqual(reqs.find((r) => r.key === "karpenter.k8s.aws/instance-family")!.values, d.karpenterInstanceFamilies);
            assert.deepEqual(get(pool.inputs, "spec.limits"), { cpu: String(d.karpenterCpuLimit), memory: `${d.karpenterMemoryLimitGiB}Gi` });
            assert.equal(get(pool.inputs, "spec.disruption.consolidateAfter"), `${d.karpenterConsolidateAfterMinutes}m`);
            assert.equal(get(pool.inputs, "spec.template.spec.expireAfter"), `${d.karpenterExpireAfterHours}h`);

            const nodeClass = one(resources, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass");
            assert.equal(get(nodeClass.inputs, "spec.metadataOptions.httpTokens"), "required");
            assert.equal(get(nodeClass.inputs, "spec.blockDeviceMappings.0.ebs.encrypted"), true);
            assert.deepEqual(get(nodeClass.inputs, "spec.subnetSelectorTerms"), [{ tags: { "karpenter.sh/discovery": `shop-${stack}` } }]);
            assert.equal(get(nodeClass.inputs, "spec.tags.Environment"), stack);

            assert.equal(ofType(resources, "aws:sqs/queue:Queue").length, 1);
            const rules = ofType(resources, "aws:cloudwatch/eventRule:EventRule");
            assert.ok(rules.length >= 4, `${rules.length} interruption rules`);
            assert.equal(ofType(resources, "aws:cloudwatch/eventTarget:EventTarget").length, rules.length);
            const nodeEntry = ofType(resources, "aws:eks/accessEntry:AccessEntry").find((e) => e.inputs.type === "EC2_LINUX");
            assert.ok(nodeEntry, "Karpenter nodes need an EC2_LINUX access entry");
            const sgTag = one(resources, "aws:ec2/tag:Tag");
            assert.equal(sgTag.inputs.key, "karpenter.sh/discovery");
            assert.match(sgTag.parent, /shop:cluster:Cluster/, "the Cluster component tags its own security group");
            const controller = releaseOf(resources, "/karpenter")!;
            assert.deepEqual(get(controller.inputs, "values.nodeSelector"), { "shop.platform/node-group": "system" });
            assert.ok(controller.dependencies.includes(releaseOf(resources, "karpenter-crd")!.urn), "CRDs first");
        });

        it(
            d.ingressEnabled ? "Ingress: one HTTPS-only ALB group for both apps, certificate from config, after the controller" : "no Ingress in dev",
            async () => {
                const { resources, stackConfig } = await stackRun(stack);
                const ingresses = ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress");
                if (!d.ingressEnabled) return assert.equal(ingresses.length, 0);
                assert.equal(ingresses.length, 2);
                const lbc = releaseOf(resources, "aws-load-balancer-controller")!;
                const groups = new Set<string>();
                for (const ing of ingresses) {
                    const a = get(ing.inputs, "metadata.annotations") as Record<string, string>;
                    assert.equal(get(ing.inputs, "spec.ingressClassName"), "alb");
                    assert.equal(a["alb.ingress.kubernetes.io/scheme"], "internet-facing");
                    assert.equal(a["alb.ingress.kubernetes.io/target-type"], "ip");
                    assert.equal(a["alb.ingress.kubernetes.io/ssl-redirect"], "443");
                    assert.deepEqual(JSON.parse(a["alb.ingress.kubernetes.io/listen-ports"]), [{ HTTP: 80 }, { HTTPS: 443 }]);
                    assert.equal(a["alb.ingress.kubernetes.io/certificate-arn"], parseShopConfig(stackConfig.config, { stack }).addons.ingress.certificateArn);
                    assert.equal(a["alb.ingress.kubernetes.io/healthcheck-path"], "/readyz");
                    assert.equal(get(ing.inputs, "spec.rules.0.host"), parseShopConfig(stackConfig.config, { stack }).addons.ingress.host);
                    assert.ok(ing.dependencies.includes(lbc.urn), "Ingress before its controller");
                    groups.add(a["alb.ingress.kubernetes.io/group.name"]);
                }
                assert.equal(groups.size, 1, "both apps share one ALB");
                // Its Service webhook (failurePolicy Fail, every namespace) would block Service creation whenever the controller is down.
                assert.equal(get(lbc.inputs, "values.enableServiceMutatorWebhook"), false);
                const paths = ingresses.map((i) => get(i.inputs, "spec.rules.0.http.paths.0.path")).sort();
                assert.deepEqual(paths, ["/", "/v1"]);
            },
        );

        it(
            d.externalSecrets
                ? "every Secret a workload consumes is produced by an ExternalSecret from Secrets Manager (KMS-encrypted)"
                : "dev keeps plain Kubernetes Secrets",
            async () => {
                const { resources } = await stackRun(stack);
                const consumed = consumedSecrets(resources);
                assert.ok(consumed.length >= 6, `only ${consumed.length} secret references found`);
                const externals = ofType(resources, "kubernetes:external-secrets.io/v1:ExternalSecret");
                const plain = ofType(resources, "kubernetes:core/v1:Secret");
                // An ExternalSecret produces the Secret named by spec.target.name; a plain Secret is itself.
                const producers = d.externalSecrets
                    ? externals.map((r) => `${get(r.inputs, "metadata.namespace")}/${get(r.inputs, "spec.target.name")}`)
                    : plain.map((r) => `${get(r.inputs, "metadata.namespace")}/${get(r.inputs, "metadata.name")}`);
                for (const c of consumed) assert.ok(producers.includes(`${c.namespace}/${c.name}`), `${c.namespace}/${c.name} has no producer`);
                if (!d.externalSecrets) return assert.equal(externals.length, 0);
                assert.equal(plain.length, 0, "no Secret is written by Pulumi directly");
                const key = ofType(resources, "aws:kms/key:Key").find((k) => k.name === "external-secrets-secrets")!;
                assert.equal(key.inputs.enableKeyRotation, true);
                assert.equal(get(releaseOf(resources, "external-secrets")!.inputs, "values.leaderElect"), d.addonReplicas > 1, "replicas must elect a leader");
                for (const s of ofType(resources, "aws:secretsmanager/secret:Secret")) {
                    assert.match(String(s.inputs.name), new RegExp(`^shop-${stack}/`));
                    assert.equal(s.inputs.recoveryWindowInDays, stack === "prod" ? 30 : 0, "non-prod stacks can be re-created at once");
                    assert.match(String(s.inputs.kmsKeyId), /^arn:aws:kms:/);
                }
                for (const v of ofType(resources, "aws:secretsmanager/secretVersion:SecretVersion")) assert.ok(isRedactedSecret(v.inputs.secretString));
                for (const e of externals) {
                    assert.equal(get(e.inputs, "metadata.annotations")["pulumi.com/waitFor"], "condition=Ready", "dependents roll only after the sync");
                    assert.equal(get(e.inputs, "spec.target.creationPolicy"), "Orphan", "replacing the ExternalSecret must not delete the Secret");
                    assert.match(String(get(e.inputs, "metadata.name")), new RegExp(`^${get(e.inputs, "spec.target.name")}-[0-9a-f]{8}$`));
                    assert.equal(get(e.inputs, "spec.secretStoreRef.kind"), "ClusterSecretStore");
                    assert.match(String(get(e.inputs, "spec.refreshInterval")), /^\d+m$/);
                }
            },
        );
    });
}

describe("rotation through External Secrets (staging)", () => {
    it("a new credentials generation produces new ExternalSecrets for the rotated values, so Pulumi waits for their sync", async () => {
        const before = await stackRun("staging");
        const after = await runStack("staging", { configOverrides: { credentialsGeneration: 2 } });
        const names = (r: { resources: ResourceRecord[] }) =>
            Object.fromEntries(
                ofType(r.resources, "kubernetes:external-secrets.io/v1:ExternalSecret").map((e) => [
                    get(e.inputs, "spec.target.name"),
                    get(e.inputs, "metadata.name"),
                ]),
            );
        const n1 = names(before);
        const n2 = names(after);
        for (const rotated of [
            "shop-db-storefront",
            "shop-db-catalog",
            "postgres-credentials",
            "redis-auth",
            "storefront-secrets",
            "catalog-secrets",
            "grafana-admin",
        ])
            assert.notEqual(n1[rotated], n2[rotated], rotated);
        assert.equal(n1["alertmanager-receivers"], n2["alertmanager-receivers"], "unchanged values keep their ExternalSecret");
    });
});
