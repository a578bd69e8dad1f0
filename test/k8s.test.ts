import * as fs from "node:fs";
import * as YAML from "yaml";
import * as assert from "node:assert/strict";
import { AUTH_CONF } from "../components/data/redis";
import { loadRuleFiles } from "../components/monitoring";
import { CHARTS, IMAGES } from "../components/versions";
import { defaultsFor } from "../config";
import { isRedactedSecret, ResourceRecord, runStack } from "../harness";
import { validateK8sObject } from "../harness/schemas";
import { get, ofType, one, STACKS, stackRun, strings } from "./helpers";

const WORKLOAD_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"];
const isK8sObject = (r: ResourceRecord) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release";
const podSpec = (r: ResourceRecord) => get(r.inputs, "spec.template.spec");
const named = (rs: ResourceRecord[], type: string, name: string) => rs.filter((r) => r.type === type && get(r.inputs, "metadata.name") === name);

for (const stack of STACKS) {
    describe(`Kubernetes layer (${stack})`, () => {
        const d = defaultsFor(stack);

        it("namespaces shop, data, monitoring with Pod Security Admission labels; default-deny where workloads run", async () => {
            const { resources } = await stackRun(stack);
            const ns = Object.fromEntries(
                ofType(resources, "kubernetes:core/v1:Namespace").map((n) => [get(n.inputs, "metadata.name"), get(n.inputs, "metadata.labels")]),
            );
            assert.equal(ns.shop["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(ns.data["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(ns.monitoring["pod-security.kubernetes.io/enforce"], "privileged");
            for (const n of ["shop", "data"]) {
                const deny = ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
                    (p) => get(p.inputs, "metadata.namespace") === n && get(p.inputs, "metadata.name") === "default-deny",
                );
                assert.deepEqual(get(deny!.inputs, "spec"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            }
        });

        it("every workload meets the restricted profile, with probes and requests/limits on long-running containers", async () => {
            const { resources } = await stackRun(stack);
            const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type));
            assert.ok(workloads.length >= 6, `only ${workloads.length} workloads`);
            for (const w of workloads) {
                const spec = podSpec(w);
                const where = `${w.type} ${get(w.inputs, "metadata.name")}`;
                assert.equal(spec.securityContext.runAsNonRoot, true, where);
                assert.equal(get(spec, "securityContext.seccompProfile.type"), "RuntimeDefault", where);
                assert.equal(spec.automountServiceAccountToken, false, where);
                assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, where);
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    const sc = c.securityContext;
                    assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name}`);
                    assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name}`);
                    assert.deepEqual(sc.capabilities.drop, ["ALL"], `${where}/${c.name}`);
                    assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${where}/${c.name} resources`);
                    if (w.type !== "kubernetes:batch/v1:Job") assert.ok(c.livenessProbe && c.readinessProbe, `${where}/${c.name} probes`);
                }
            }
        });

        it("every image is digest- or exact-version-pinned; never latest or untagged", async () => {
            const { resources } = await stackRun(stack);
            for (const w of resources.filter((r) => WORKLOAD_TYPES.includes(r.type))) {
                for (const c of podSpec(w).containers) {
                    assert.match(c.image, /(@sha256:[0-9a-f]{64}$)|(:v?\d+\.\d+(\.\d+)?(-[\w.]+)?(@sha256:[0-9a-f]{64})?$)/, `${c.name}: ${c.image}`);
                    assert.doesNotMatch(c.image, /:latest\b/);
                }
            }
            for (const app of ["storefront", "catalog"]) {
                const dep = named(resources, "kubernetes:apps/v1:Deployment", app)[0];
                assert.match(podSpec(dep).containers[0].image, new RegExp(`/${app}@sha256:[0-9a-f]{64}$`));
            }
        });

        it("no secret value in any env value or ConfigMap; secrets reach pods only through secretKeyRef", async () => {
            const { resources } = await stackRun(stack);
            for (const s of ofType(resources, "kubernetes:core/v1:Secret"))
                assert.ok(isRedactedSecret(s.inputs.stringData), `${get(s.inputs, "metadata.name")} stringData must be secret`);
            for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "kubernetes:core/v1:Secret")) {
                const text = JSON.stringify(r.inputs);
                assert.ok(!/offline-[0-9a-f]{24}/.test(text), `${r.urn} holds a generated password`);
                assert.ok(!text.includes("ciphertext"), `${r.urn} holds a secret value outside a Secret`);
            }
            for (const w of resources.filter((r) => WORKLOAD_TYPES.includes(r.type))) {
                for (const c of podSpec(w).containers)
                    for (const e of c.env ?? []) {
                        if (/PASSWORD|TOKEN|SECRET|PASS$/.test(e.name)) assert.ok(e.valueFrom?.secretKeyRef, `${c.name}: ${e.name} must come from a Secret`);
                        if (typeof e.value === "string") assert.doesNotMatch(e.value, /:\/\/[^:/]*:[^$@]+@/, `${c.name}: ${e.name} embeds a credential`);
                    }
            }
        });

        it("every namespaced object has an explicit namespace other than default; recommended labels everywhere", async () => {
            const { resources } = await stackRun(stack);
            const clusterScoped = new Set([
                "kubernetes:core/v1:Namespace",
                "kubernetes:storage.k8s.io/v1:StorageClass",
                "kubernetes:karpenter.sh/v1:NodePool",
                "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
                "kubernetes:external-secrets.io/v1:ClusterSecretStore",
            ]);
            for (const r of resources.filter(isK8sObject)) {
                if (!clusterScoped.has(r.type))
                    assert.ok(["shop", "data", "monitoring", "cnpg-system"].includes(get(r.inputs, "metadata.namespace")), `${r.urn} namespace`);
                const labels = get(r.inputs, "metadata.labels") ?? {};
                for (const l of ["app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/component"])
                    assert.ok(labels[l], `${r.urn} lacks ${l}`);
            }
        });

        it("apps: replicas, HPA bounds, rolling update, probes, zone spread; PDB and ServiceMonitor when ≥ 2 replicas", async () => {
            const { resources } = await stackRun(stack);
            for (const app of ["storefront", "catalog"] as const) {
                const dep = named(resources, "kubernetes:apps/v1:Deployment", app)[0];
                assert.equal(get(dep.inputs, "spec.replicas"), d[`${app}Replicas`]);
                assert.deepEqual(get(dep.inputs, "spec.strategy.rollingUpdate"), { maxUnavailable: 0, maxSurge: 1 });
                const c = podSpec(dep).containers[0];
                assert.equal(get(c, "livenessProbe.httpGet.path"), "/healthz");
                assert.equal(get(c, "readinessProbe.httpGet.path"), "/readyz");
                assert.ok(c.startupProbe);
                assert.equal(podSpec(dep).topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
                const hpa = named(resources, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", app)[0];
                assert.equal(get(hpa.inputs, "spec.minReplicas"), d[`${app}MinReplicas`]);
                assert.equal(get(hpa.inputs, "spec.maxReplicas"), d[`${app}MaxReplicas`]);
                const pdb = named(resources, "kubernetes:policy/v1:PodDisruptionBudget", app);
                assert.equal(pdb.length, d[`${app}Replicas`] >= 2 ? 1 : 0);
                assert.equal(named(resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", app).length, 1);
                // Content-addressed (finding 8): `<app>-config-<hash>`, and the Deployment reads exactly that one.
                const configMaps = resources.filter(
                    (r) => r.type === "kubernetes:core/v1:ConfigMap" && new RegExp(`^${app}-config-[0-9a-f]{10}$`).test(String(get(r.inputs, "metadata.name"))),
                );
                assert.equal(configMaps.length, 1);
                assert.equal(get(configMaps[0].inputs, "data.CACHE_TTL_SECONDS"), String(d[`${app}CacheTtlSeconds`]));
                assert.equal(get(dep.inputs, "spec.template.spec.containers.0.envFrom.0.configMapRef.name"), get(configMaps[0].inputs, "metadata.name"));
            }
        });

        it("apps: egress only to DNS, PostgreSQL, Redis and the trace collector; ingress only from monitoring and the VPC (load balancer)", async () => {
            const { resources } = await stackRun(stack);
            for (const app of ["storefront", "catalog"]) {
                const np = named(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", app)[0];
                const ports = (get(np.inputs, "spec.egress") as { ports: { port: number }[] }[]).flatMap((e) => e.ports.map((p) => p.port)).sort();
                // 4318: OTLP/HTTP to the OpenTelemetry Collector (issue 17; test/observability.test.ts checks the peer).
                assert.deepEqual(ports, [4318, 53, 53, 5432, 6379]);
                const from = get(np.inputs, "spec.ingress.0.from") as Record<string, unknown>[];
                assert.deepEqual(from[0], { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } });
                // The load balancer reaches pod IPs from the VPC, only where the stack exposes the apps.
                assert.deepEqual(from.slice(1), d.ingressEnabled ? [{ ipBlock: { cidr: get(one(resources, "awsx:ec2:Vpc").inputs, "cidrBlock") } }] : []);
            }
        });

        it("Jobs are replaced when they failed, and start only once their NetworkPolicies exist", async () => {
            const { resources } = await stackRun(stack);
            const jobs = ofType(resources, "kubernetes:batch/v1:Job");
            assert.equal(jobs.length, 2);
            for (const j of jobs) assert.equal(get(j.inputs, "metadata.annotations")?.["pulumi.com/replaceUnready"], "true", j.urn);
            const policy = (name: string) => named(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", name)[0].urn;
            const migrate = jobs.find((j) => String(get(j.inputs, "metadata.name")).startsWith("storefront-"))!;
            assert.ok(migrate.dependencies.includes(policy("storefront")));
            const bootstrap = jobs.find((j) => String(get(j.inputs, "metadata.name")).startsWith("postgres-bootstrap-"))!;
            for (const p of ["postgres", "postgres-clients"]) assert.ok(bootstrap.dependencies.includes(policy(p)), p);
        });

        it("the storefront migrates in a Job before its Deployment rolls", async () => {
            const { resources } = await stackRun(stack);
            const job = ofType(resources, "kubernetes:batch/v1:Job").find((j) => String(get(j.inputs, "metadata.name")).startsWith("storefront-migrate-"))!;
            assert.deepEqual(podSpec(job).containers[0].command, ["/app/run", "migrate"]);
            const dep = named(resources, "kubernetes:apps/v1:Deployment", "storefront")[0];
            assert.ok(dep.dependencies.includes(job.urn));
            // A running migration must not receive traffic, but must be allowed to reach PostgreSQL.
            const jobPodLabels = get(job.inputs, "spec.template.metadata.labels") as Record<string, string>;
            const matches = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => jobPodLabels[k] === v);
            assert.ok(!matches(get(named(resources, "kubernetes:core/v1:Service", "storefront")[0].inputs, "spec.selector")), "Service selects the Job");
            assert.ok(!matches(get(dep.inputs, "spec.selector.matchLabels")), "Deployment selects the Job");
            assert.ok(matches(get(named(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "storefront")[0].inputs, "spec.podSelector.matchLabels")));
            assert.equal(ofType(resources, "kubernetes:batch/v1:Job").filter((j) => String(get(j.inputs, "metadata.name")).startsWith("catalog-")).length, 0);
        });

        it(`PostgreSQL: a CloudNativePG Cluster of ${d.postgresInstances} instance(s), zone spread, never-disrupted nodes, gp3 sized per stack, managed roles`, async () => {
            const { resources } = await stackRun(stack);
            const cluster = one(resources, "kubernetes:postgresql.cnpg.io/v1:Cluster");
            const spec = get(cluster.inputs, "spec");
            assert.equal(spec.instances, d.postgresInstances);
            assert.equal(spec.imageName, IMAGES.cnpgPostgres);
            assert.match(spec.imageName, /^ghcr\.io\/cloudnative-pg\/postgresql:[\d.]+-system-\w+@sha256:[0-9a-f]{64}$/);
            assert.deepEqual(spec.storage, { size: `${d.postgresStorageGiB}Gi`, storageClass: "gp3", resizeInUseVolumes: true });
            // Placement: the managed (never consolidated, on-demand) node group, and do-not-disrupt on everything CNPG creates.
            const system = get(one(resources, "aws:eks/nodeGroup:NodeGroup").inputs, "labels");
            for (const [k, v] of Object.entries(spec.affinity.nodeSelector as Record<string, string>)) assert.equal(system[k], v, k);
            assert.equal(spec.inheritedMetadata.annotations["karpenter.sh/do-not-disrupt"], "true");
            // Zones: hard spread once there is more than one instance; CNPG writes the PDBs.
            assert.deepEqual(
                spec.topologySpreadConstraints.map((t: Record<string, unknown>) => [t.topologyKey, t.whenUnsatisfiable, t.maxSkew]),
                d.postgresInstances > 1 ? [["topology.kubernetes.io/zone", "DoNotSchedule", 1]] : [],
            );
            assert.equal(spec.enablePDB, true);
            assert.equal(spec.enableSuperuserAccess, false);
            // initdb: the database and its owner; managed roles: the owner and the read-only catalog (pg_read_all_data).
            assert.equal(spec.bootstrap.initdb.database, "shop");
            assert.equal(spec.bootstrap.initdb.owner, "storefront");
            const roles = Object.fromEntries((spec.managed.roles as Record<string, any>[]).map((r) => [r.name, r]));
            assert.deepEqual(Object.keys(roles).sort(), ["catalog", "storefront"]);
            assert.deepEqual(roles.catalog.inRoles, ["pg_read_all_data"]);
            assert.equal(roles.storefront.inRoles, undefined);
            for (const r of Object.values(roles) as Record<string, any>[])
                assert.deepEqual([r.login, r.superuser, r.createdb, r.createrole, r.ensure], [true, false, false, false, "present"]);
            assert.equal(spec.bootstrap.initdb.secret.name, roles.storefront.passwordSecret.name);
            // The Cluster comes after the operator (its CRDs and webhook) and its Secrets.
            assert.ok(cluster.dependencies.includes(one(resources, "kubernetes:helm.sh/v3:Release", "cloudnative-pg").urn));
            assert.equal(get(cluster.inputs, "metadata.annotations")["pulumi.com/waitFor"], "condition=Ready");
            assert.equal(cluster.protect, d.protectData);
            assert.equal(named(resources, "kubernetes:monitoring.coreos.com/v1:PodMonitor", "shop-db").length, 1);
        });

        it("PostgreSQL: each role's password reaches CNPG as a basic-auth Secret (username = role) it reloads at once", async () => {
            const { resources } = await stackRun(stack);
            for (const role of ["storefront", "catalog"]) {
                if (d.externalSecrets) {
                    const es = ofType(resources, "kubernetes:external-secrets.io/v1:ExternalSecret").find(
                        (e) => get(e.inputs, "spec.target.name") === `shop-db-${role}`,
                    )!;
                    assert.ok(es, role);
                    assert.equal(get(es.inputs, "spec.target.template.type"), "kubernetes.io/basic-auth");
                    assert.equal(get(es.inputs, "spec.target.template.metadata.labels")["cnpg.io/reload"], "true");
                    assert.deepEqual((get(es.inputs, "spec.data") as { secretKey: string }[]).map((x) => x.secretKey).sort(), ["password", "username"]);
                } else {
                    const secret = ofType(resources, "kubernetes:core/v1:Secret").find((x) => x.name === `shop-db-${role}`)!;
                    assert.equal(get(secret.inputs, "type"), "kubernetes.io/basic-auth");
                    assert.equal(get(secret.inputs, "metadata.labels")["cnpg.io/reload"], "true");
                    // The whole stringData is a Pulumi secret (its values are), so no password is readable here.
                    const data = get(secret.inputs, "stringData");
                    assert.ok(isRedactedSecret(data) || isRedactedSecret(data?.password), "password is a Pulumi secret");
                }
            }
        });

        it(`PostgreSQL backups ${d.postgresBackups ? `on: WAL archiving and a daily base backup, ${d.postgresBackupRetentionDays} d` : "off (config)"}`, async () => {
            const { resources } = await stackRun(stack);
            const spec = get(one(resources, "kubernetes:postgresql.cnpg.io/v1:Cluster").inputs, "spec");
            const scheduled = ofType(resources, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup");
            if (!d.postgresBackups) {
                assert.equal(spec.backup, undefined);
                assert.equal(scheduled.length, 0);
                return;
            }
            assert.equal(spec.backup.retentionPolicy, `${d.postgresBackupRetentionDays}d`);
            assert.match(String(spec.backup.barmanObjectStore.destinationPath), /^s3:\/\/shop-[a-z]+-\d+-postgres-backups\/postgres\/$/);
            assert.deepEqual(spec.backup.barmanObjectStore.s3Credentials, { inheritFromIAMRole: true });
            assert.equal(spec.postgresql.parameters.archive_timeout, "5min");
            assert.equal(scheduled.length, 1);
            assert.deepEqual(get(scheduled[0].inputs, "spec.cluster"), { name: "shop-db" });
            assert.equal(get(scheduled[0].inputs, "spec.method"), "barmanObjectStore");
            assert.match(String(get(scheduled[0].inputs, "spec.schedule")), /^\d+ \d+ \d+ \* \* \*$/);
        });

        it("PostgreSQL: the instances admit the apps, each other, the operator and monitoring only; reach DNS, each other, the API and (with backups) S3", async () => {
            const { resources } = await stackRun(stack);
            const np = named(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "shop-db")[0];
            assert.deepEqual(get(np.inputs, "spec.podSelector.matchLabels"), { "cnpg.io/cluster": "shop-db" });
            const ingressPorts = (get(np.inputs, "spec.ingress") as { ports: { port: number }[] }[]).map((e) => e.ports.map((p) => p.port));
            assert.deepEqual(ingressPorts, [[5432], [8000], [9187]]);
            const egress = get(np.inputs, "spec.egress") as { to: Record<string, any>[]; ports: { port: number }[] }[];
            const open = egress.filter((e) => e.to.some((t) => t.ipBlock?.cidr === "0.0.0.0/0"));
            assert.deepEqual(
                open.map((e) => e.ports.map((p) => p.port)),
                d.postgresBackups ? [[443]] : [],
            );
            assert.ok(get(np.inputs, "spec.ingress.0.from").some((f: any) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "shop"));
        });

        it(`PostgreSQL migration: the legacy StatefulSet ${d.postgresLegacyStatefulSet ? "is kept and the Cluster imports its database once" : "is gone"}`, async () => {
            const { resources } = await stackRun(stack);
            const sts = named(resources, "kubernetes:apps/v1:StatefulSet", "postgres");
            const spec = get(one(resources, "kubernetes:postgresql.cnpg.io/v1:Cluster").inputs, "spec");
            if (!d.postgresLegacyStatefulSet) {
                assert.equal(sts.length, 0);
                assert.equal(spec.bootstrap.initdb.import, undefined);
                return;
            }
            // The legacy StatefulSet, unchanged: pinned official image, uid 999, its volume, its bootstrap Job.
            assert.equal(podSpec(sts[0]).containers[0].image, IMAGES.postgres);
            assert.equal(podSpec(sts[0]).securityContext.runAsUser, 999);
            assert.equal(get(sts[0].inputs, "spec.volumeClaimTemplates.0.spec.resources.requests.storage"), `${d.postgresStorageGiB}Gi`);
            assert.deepEqual(spec.bootstrap.initdb.import, { type: "microservice", databases: ["shop"], source: { externalCluster: "legacy" } });
            const legacy = spec.externalClusters.find((e: { name: string }) => e.name === "legacy");
            assert.match(String(legacy.connectionParameters.host), /^postgres\.data\.svc\.cluster\.local$/);
            assert.equal(legacy.password.key, "superuser-password");
            // The legacy server admits the import (pods of the Cluster).
            const legacyPolicy = named(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgres")[0];
            assert.ok(get(legacyPolicy.inputs, "spec.ingress.0.from").some((f: any) => f.podSelector?.matchLabels?.["cnpg.io/cluster"] === "shop-db"));
        });

        it(`Redis: AUTH from a Secret, maxmemory + allkeys-lru, persistence ${d.redisPersistence ? "on a volume" : "off"}`, async () => {
            const { resources } = await stackRun(stack);
            const sts = named(resources, "kubernetes:apps/v1:StatefulSet", "redis")[0];
            const c = podSpec(sts).containers[0];
            assert.equal(c.image, IMAGES.redis);
            const args = c.args as string[];
            assert.equal(args[0], AUTH_CONF, "the password comes from a config file");
            assert.ok(!args.some((a) => /requirepass|PASSWORD/.test(a)), "no password on the command line");
            const authVolume = (get(sts.inputs, "spec.template.spec.volumes") as any[]).find((v) => v.name === "auth");
            assert.deepEqual(authVolume.secret.items, [{ key: "auth-conf", path: "redis.conf" }]);
            assert.equal(args[args.indexOf("--maxmemory") + 1], `${d.redisMaxMemoryMb}mb`);
            assert.equal(args[args.indexOf("--maxmemory-policy") + 1], "allkeys-lru");
            assert.equal(args[args.indexOf("--appendonly") + 1], d.redisPersistence ? "yes" : "no");
            assert.equal(Boolean(get(sts.inputs, "spec.volumeClaimTemplates")), d.redisPersistence);
            assert.equal(named(resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "redis").length, 1);
            for (const db of ["redis", "postgres"]) {
                const governing = get(named(resources, "kubernetes:apps/v1:StatefulSet", db)[0].inputs, "spec.serviceName");
                assert.equal(
                    get(named(resources, "kubernetes:core/v1:Service", governing)[0].inputs, "spec.clusterIP"),
                    "None",
                    `${db}: governing Service must be headless`,
                );
            }
        });

        it("kube-prometheus-stack: exact chart versions, CRDs first, EKS values, retention and storage per stack, our rules and dashboards", async () => {
            const { resources } = await stackRun(stack);
            const releases = ofType(resources, "kubernetes:helm.sh/v3:Release");
            for (const r of releases) assert.match(String(r.inputs.version), /^\d+\.\d+\.\d+$/);
            const crds = releases.find((r) => r.inputs.chart === CHARTS.prometheusOperatorCrds.chart)!;
            const kps = releases.find((r) => r.inputs.chart === CHARTS.kubePrometheusStack.chart)!;
            assert.equal(kps.inputs.version, CHARTS.kubePrometheusStack.version);
            assert.ok(kps.dependencies.includes(crds.urn), "the CRDs chart must be installed first");
            assert.equal(kps.inputs.skipCrds, true);
            const v = kps.inputs.values as Record<string, any>;
            for (const c of ["kubeEtcd", "kubeScheduler", "kubeControllerManager", "kubeProxy"]) assert.equal(v[c].enabled, false, c);
            for (const k of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"])
                assert.equal(v.prometheus.prometheusSpec[`${k}SelectorNilUsesHelmValues`], false);
            assert.equal(v.prometheus.prometheusSpec.retention, `${d.prometheusRetentionDays}d`);
            assert.equal(get(v, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage"), `${d.prometheusStorageGiB}Gi`);
            // With plain Kubernetes Secrets the name carries a content hash (finding 8); with External Secrets it is fixed.
            assert.match(v.grafana.admin.existingSecret, /^grafana-admin(-[0-9a-f]{10})?$/);
            assert.ok(v.alertmanager.config.route, "alertmanager routing must be configured");
            assert.ok(!strings(v).some((s) => s.includes("hooks.slack.com/services/T")), "no webhook URL in values");
            const rules = ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
            assert.equal(rules.length, loadRuleFiles("monitoring/rules").length);
            for (const r of rules) assert.ok(r.dependencies.includes(crds.urn));
            const dashboards = ofType(resources, "kubernetes:core/v1:ConfigMap").filter((c) => get(c.inputs, "metadata.labels.grafana_dashboard") === "1");
            assert.ok(dashboards.length >= 4);
            const pushgateway = releases.find((r) => r.inputs.chart === CHARTS.pushgateway.chart)!;
            assert.equal(get(pushgateway.inputs, "values.serviceMonitor.honorLabels"), true, "pushed job/stack labels must survive the scrape");
            assert.ok(pushgateway.dependencies.includes(crds.urn));
        });

        it("every Kubernetes object validates against the Kubernetes and prometheus-operator schemas", async () => {
            const { resources } = await stackRun(stack);
            let validated = 0;
            for (const r of resources.filter(isK8sObject)) {
                const obj = JSON.parse(JSON.stringify(r.inputs, (_k, v) => (isRedactedSecret(v) ? undefined : v)));
                await validateK8sObject(obj).catch((e: Error) => assert.fail(`${r.urn}: ${e.message}`));
                validated++;
            }
            assert.ok(validated >= 40, `only ${validated} objects validated`);
        });
    });
}

describe("Kubernetes layer: per-stack differences", () => {
    it("prod runs more replicas, bigger volumes and longer retention than dev", async () => {
        const dev = await stackRun("dev");
        const prod = await stackRun("prod");
        const replicas = (r: ResourceRecord[]) => get(named(r, "kubernetes:apps/v1:Deployment", "storefront")[0].inputs, "spec.replicas");
        assert.ok(replicas(prod.resources) > replicas(dev.resources));
        const pg = (r: ResourceRecord[]) => parseInt(get(one(r, "kubernetes:postgresql.cnpg.io/v1:Cluster").inputs, "spec.storage.size"));
        assert.ok(pg(prod.resources) > pg(dev.resources));
        const kps = (r: ResourceRecord[]) => one(r, "kubernetes:helm.sh/v3:Release", "monitoring").inputs.values as any;
        assert.ok(parseInt(kps(prod.resources).prometheus.prometheusSpec.retention) > parseInt(kps(dev.resources).prometheus.prometheusSpec.retention));
    });
});

describe("local compose matches the cluster", () => {
    it("compose.yaml runs the same PostgreSQL and Redis images as the Kubernetes layer", () => {
        const compose = YAML.parse(fs.readFileSync("compose.yaml", "utf8")) as { services: Record<string, { image?: string }> };
        const images = Object.values(compose.services).map((s) => s.image);
        assert.ok(images.includes(IMAGES.postgres), `compose lacks ${IMAGES.postgres}`);
        assert.ok(images.includes(IMAGES.redis), `compose lacks ${IMAGES.redis}`);
    });
});

describe("credential rotation (credentialsGeneration)", () => {
    it("a new generation regenerates every rotatable password, hands it to the managed roles of CNPG and rolls the readers; the superuser stays", async () => {
        const before = await stackRun("dev");
        const after = await runStack("dev", { configOverrides: { credentialsGeneration: 2 } });
        const keepers = (r: { resources: ResourceRecord[] }) =>
            Object.fromEntries(ofType(r.resources, "random:index/randomPassword:RandomPassword").map((p) => [p.name, get(p.inputs, "keepers.generation")]));
        const k1 = keepers(before);
        const k2 = keepers(after);
        assert.equal(k1["postgres-superuser"], undefined, "the superuser is set at initdb only");
        assert.equal(k2["postgres-superuser"], undefined);
        for (const name of ["postgres-storefront", "postgres-catalog", "redis-auth", "storefront-admin_token", "monitoring-grafana-admin"]) {
            assert.equal(k1[name], "1", name);
            assert.equal(k2[name], "2", name);
        }
        const bootstrapName = (r: { resources: ResourceRecord[] }) =>
            String(
                get(
                    ofType(r.resources, "kubernetes:batch/v1:Job").find((j) => String(get(j.inputs, "metadata.name")).startsWith("postgres-bootstrap-"))!
                        .inputs,
                    "metadata.name",
                ),
            );
        // CloudNativePG applies the new passwords (ALTER ROLE): each role's basic-auth Secret is a new
        // (content-addressed) Secret, so the Cluster's managed roles name new passwordSecrets.
        const roleSecrets = (r: { resources: ResourceRecord[] }) =>
            (
                get(one(r.resources, "kubernetes:postgresql.cnpg.io/v1:Cluster").inputs, "spec.managed.roles") as {
                    name: string;
                    passwordSecret: { name: string };
                }[]
            ).map((x) => x.passwordSecret.name);
        for (const [i, name] of roleSecrets(before).entries()) assert.notEqual(roleSecrets(after)[i], name, name);
        // The legacy StatefulSet (migration step 1) re-runs its bootstrap, as before the operator.
        assert.match(bootstrapName(before), /-g1$/);
        assert.match(bootstrapName(after), /-g2$/, "ALTER ROLE must run again with the new passwords");
        const annotation = (r: { resources: ResourceRecord[] }, type: string, name: string) =>
            get(named(r.resources, type, name)[0].inputs, "spec.template.metadata.annotations")?.["shop.platform/credentials-generation"];
        for (const [type, name] of [
            ["kubernetes:apps/v1:Deployment", "storefront"],
            ["kubernetes:apps/v1:Deployment", "catalog"],
            ["kubernetes:apps/v1:StatefulSet", "redis"],
        ]) {
            assert.equal(annotation(before, type, name), "1", name);
            assert.equal(annotation(after, type, name), "2", `${name} must restart to read the rotated secrets`);
        }
        const grafana = (r: { resources: ResourceRecord[] }) =>
            get(one(r.resources, "kubernetes:helm.sh/v3:Release", "monitoring").inputs, "values.grafana.podAnnotations");
        assert.deepEqual(grafana(after), { "shop.platform/credentials-generation": "2" });
    });
});
