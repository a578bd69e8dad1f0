/**
 * Routine changes that do what their author expects today, proven with the change plan on
 * the real program (before/after under the harness).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { changed, expectExactly, label, noStatefulReplaced, renderBrief, rolled, routine, routineAppsEdit } from "./changeRoutine";

describe("change plan: routine changes (real program)", function () {
    this.timeout(180_000);

    it("Kubernetes version bump (1.35 -> 1.36): the control plane, its managed add-ons and the managed nodes are updated in place, nothing replaced", async () => {
        const p = await routine("prod", { kubernetesVersion: "1.36" }, { kubernetesVersion: "1.35" });
        noStatefulReplaced(p);
        assert.deepEqual(
            changed(p)
                .filter((c) => c.action !== "update")
                .map(label),
            [],
            renderBrief(p),
        );
        const cluster = p.changes.find((c) => c.type === "aws:eks/cluster:Cluster")!;
        assert.equal(cluster.action, "update");
        assert.deepEqual(
            cluster.paths.map((x) => [x.path, x.after]),
            [["version", "1.36"]],
        );
        // Finding 1: nodes follow the control plane, so the next upgrade is not blocked by node skew.
        const ng = p.changes.find((c) => c.type === "aws:eks/nodeGroup:NodeGroup")!;
        assert.equal(ng.action, "update", renderBrief(p));
        assert.ok(
            ng.paths.some((x) => x.path === "version" && x.after === "1.36"),
            renderBrief(p),
        );
        assert.ok(
            changed(p)
                .filter((c) => c.type === "aws:eks/addon:Addon")
                .every((c) => c.paths.every((x) => x.path === "addonVersion")),
            "add-ons follow the new version's add-on versions",
        );
        assert.equal(p.blocking.length, 0);
    });

    it("node instance types: the managed node group is replaced (instanceTypes is ForceNew), new nodes first, nothing else", async () => {
        const p = await routine("prod", { nodeInstanceTypes: ["m6i.xlarge", "m6a.xlarge"] });
        expectExactly(p, { replace: ["aws:eks/nodeGroup:NodeGroup shop-prod-system"] });
        const ng = changed(p)[0];
        assert.equal(ng.replaceReasons[0].path, "instanceTypes");
        assert.ok(!ng.deleteBeforeReplace, "autonamed node group: the new one is created before the old one is deleted");
        assert.equal(p.blocking.length, 0);
    });

    it("replica counts: only the HPA changes (Deployment replicas are ignoreChanges), nothing rolls", async () => {
        const p = await routine("prod", { storefrontReplicas: 4, storefrontMinReplicas: 4, storefrontMaxReplicas: 12 });
        expectExactly(p, { update: ["autoscaling/v2:HorizontalPodAutoscaler storefront"] });
        assert.deepEqual(rolled(p), []);
        assert.equal(p.blocking.length, 0);
    });

    it("secret rotation (prod, credentialsGeneration): new passwords, versions and ExternalSecrets; exactly the readers roll; nothing stateful replaced", async () => {
        const p = await routine("prod", { credentialsGeneration: 2 });
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0, renderBrief(p));
        assert.deepEqual(rolled(p), ["apps/v1:Deployment catalog", "apps/v1:Deployment storefront", "apps/v1:StatefulSet redis"], renderBrief(p));
        const replaced = changed(p).filter((c) => c.action === "replace");
        assert.ok(
            replaced.every((c) => /RandomPassword|SecretVersion|ExternalSecret|batch\/v1:Job/.test(c.type)),
            renderBrief(p),
        );
        assert.ok(
            replaced.filter((c) => c.type.includes("ExternalSecret")).every((c) => !c.deleteBeforeReplace),
            "a new ExternalSecret (new name) exists before the old one goes",
        );
        assert.ok(!replaced.some((c) => c.name === "postgres-superuser"), "the superuser password is not rotated (by design)");
        assert.ok(
            changed(p).some((c) => c.type === "kubernetes:batch/v1:Job" && c.name === "postgres-bootstrap"),
            "the bootstrap (ALTER ROLE) runs again",
        );
    });

    it("ingress off (staging): exactly the load balancer controller and the Ingresses go; no stateful resource touched", async () => {
        const p = await routine("staging", { ingressEnabled: false });
        expectExactly(p, {
            delete: [
                "aws:eks/podIdentityAssociation:PodIdentityAssociation aws-load-balancer-controller",
                "aws:iam/role:Role aws-load-balancer-controller",
                "aws:iam/rolePolicy:RolePolicy aws-load-balancer-controller",
                "helm.sh/v3:Release aws-load-balancer-controller",
                "networking.k8s.io/v1:Ingress catalog",
                "networking.k8s.io/v1:Ingress storefront",
            ],
            update: ["core/v1:Namespace shop", "networking.k8s.io/v1:NetworkPolicy catalog", "networking.k8s.io/v1:NetworkPolicy storefront"],
        });
        assert.deepEqual(rolled(p), []);
        assert.equal(p.blocking.length, 0);
    });

    it("External Secrets off (staging): blocked — it deletes the Secrets Manager entries and their KMS key; nothing is replaced", async () => {
        const p = await routine("staging", { externalSecrets: false });
        noStatefulReplaced(p);
        assert.deepEqual(
            p.blocking.map((c) => `${c.action} ${label(c)}`).sort(),
            [
                "delete aws:kms/key:Key external-secrets-secrets",
                ...[
                    "alertmanager-receivers",
                    "catalog-secrets",
                    "grafana-admin",
                    "kps-admission",
                    "postgres-credentials",
                    "postgres-superuser",
                    "redis-auth",
                    "shop-db-catalog",
                    "shop-db-storefront",
                    "storefront-secrets",
                ].map((n) => `delete aws:secretsmanager/secret:Secret ${n}`),
                "delete helm.sh/v3:Release external-secrets",
            ].sort(),
        );
        // The Kubernetes sink's Secrets are new objects (content-addressed names): every reader rolls onto them.
        assert.deepEqual(rolled(p), [
            "apps/v1:Deployment catalog",
            "apps/v1:Deployment storefront",
            "apps/v1:StatefulSet postgres",
            "apps/v1:StatefulSet redis",
        ]);
        // ...and none collides with the Secrets the ExternalSecrets leave behind (creationPolicy Orphan keeps them),
        // except the one whose name a chart fixes: the operator's certificate Secret, which must be deleted by hand
        // first (docs/addons.md, turning External Secrets off).
        const collisions = changed(p).filter((c) => c.warnings.some((w) => w.startsWith("exists in the cluster")));
        assert.deepEqual(collisions.map(label), ["core/v1:Secret kps-admission"], renderBrief(p));
    });
    it("Dockerfile edit: a new image tag and exactly that app rolls (finding 5)", async () => {
        const p = await routineAppsEdit("prod", (apps) => fs.appendFileSync(path.join(apps, "storefront", "Dockerfile"), "\n# routine edit\n"));
        noStatefulReplaced(p);
        // The migration Job carries the digest in its name: a new image migrates once, the new Job created before the old goes.
        expectExactly(p, { update: ["docker:index/image:Image storefront", "apps/v1:Deployment storefront"], replace: ["batch/v1:Job storefront-pre-deploy"] });
        assert.ok(!changed(p).some((c) => c.deleteBeforeReplace), renderBrief(p));
        assert.deepEqual(rolled(p), ["apps/v1:Deployment storefront"]);
        const img = changed(p).find((c) => c.type === "docker:index/image:Image")!;
        assert.ok(
            img.paths.some((x) => x.path === "imageName"),
            renderBrief(p),
        );
    });
    it("app config value (storefrontCacheTtlSeconds): the storefront rolls, no ConfigMap is missing in between (finding 8)", async () => {
        const p = await routine("prod", { storefrontCacheTtlSeconds: 120 });
        noStatefulReplaced(p);
        assert.deepEqual(rolled(p), ["apps/v1:Deployment storefront"], renderBrief(p));
        assert.deepEqual(
            changed(p)
                .filter((c) => c.deleteBeforeReplace)
                .map(label),
            [],
            renderBrief(p),
        );
    });

    it("secret rotation (dev, Kubernetes Secrets): the readers roll, no Secret is deleted before its replacement exists (finding 8)", async () => {
        const p = await routine("dev", { credentialsGeneration: 2 });
        noStatefulReplaced(p);
        assert.deepEqual(rolled(p), ["apps/v1:Deployment catalog", "apps/v1:Deployment storefront", "apps/v1:StatefulSet redis"], renderBrief(p));
        assert.deepEqual(
            changed(p)
                .filter((c) => c.deleteBeforeReplace)
                .map(label),
            [],
            renderBrief(p),
        );
    });

    it("storage size (redisStorageGiB): the claim grows in place through its patch; the StatefulSet is untouched (finding 7)", async () => {
        const p = await routine("prod", { redisStorageGiB: 100 });
        noStatefulReplaced(p);
        expectExactly(p, { update: ["core/v1:PersistentVolumeClaimPatch data-redis-0"] });
        const claim = changed(p)[0];
        assert.deepEqual(
            claim.paths.map((x) => [x.path, x.after]),
            [["spec.resources.requests.storage", "100Gi"]],
        );
        assert.equal(p.blocking.length, 0);
    });

    it("redisPersistence off (prod): the cache's StatefulSet is replaced (it restarts empty), which blocks nothing: it is a cache", async () => {
        const p = await routine("prod", { redisPersistence: false });
        const sts = changed(p).find((c) => c.type === "kubernetes:apps/v1:StatefulSet")!;
        assert.equal(sts.action, "replace", renderBrief(p));
        assert.equal(sts.stateful, undefined);
        assert.equal(p.blocking.length, 0, renderBrief(p));
    });
    it("storage size (postgresStorageGiB): the CNPG Cluster's storage.size is updated in place (the operator grows the volumes); the legacy StatefulSet is not replaced (finding 7)", async () => {
        const p = await routine("prod", { postgresStorageGiB: 100 });
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0, renderBrief(p));
        const cluster = changed(p).find((c) => c.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")!;
        assert.equal(cluster.action, "update", renderBrief(p));
        assert.deepEqual(
            cluster.paths.map((x) => x.path),
            ["spec.storage.size"],
        );
    });
});
