/**
 * PostgreSQL through CloudNativePG (issue 16): the change plans of the database's routine
 * changes and of the two migration steps (docs/database.md), on the real program under the harness.
 */
import * as assert from "node:assert/strict";
import { changed, label, noStatefulReplaced, renderBrief, rolled, routine } from "./changeRoutine";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

const RESTORE = { postgresRecoveryCluster: "shop-db-pitr", postgresRecoveryTargetTime: "2026-12-02T13:49:23Z" };

describe("change plan: PostgreSQL through CloudNativePG", function () {
    this.timeout(300_000);

    it("point-in-time restore (prod, postgresRecoveryCluster): creates next to shop-db; only the apps' egress widens to both Clusters; nothing replaced or deleted", async () => {
        const p = await routine("prod", RESTORE);
        assert.equal(p.blocking.length, 0, renderBrief(p));
        assert.deepEqual(
            changed(p)
                .filter((c) => c.action !== "create")
                .map((c) => `${c.action} ${label(c)}`)
                .sort(),
            ["update networking.k8s.io/v1:NetworkPolicy catalog", "update networking.k8s.io/v1:NetworkPolicy storefront"],
            renderBrief(p),
        );
        assert.deepEqual(rolled(p), [], "no pod restarts for a restore");
        assert.deepEqual(
            changed(p)
                .filter((c) => c.action === "create")
                .map(label)
                .sort(),
            [
                "aws:eks/podIdentityAssociation:PodIdentityAssociation shop-db-pitr-backups",
                "aws:iam/role:Role shop-db-pitr-backups",
                "aws:iam/rolePolicy:RolePolicy shop-db-pitr-backups",
                "monitoring.coreos.com/v1:PodMonitor shop-db-pitr-metrics",
                "networking.k8s.io/v1:NetworkPolicy shop-db-pitr",
                "postgresql.cnpg.io/v1:Cluster shop-db-pitr",
                "postgresql.cnpg.io/v1:ScheduledBackup shop-db-pitr-daily",
            ],
            renderBrief(p),
        );
    });

    it("switching the apps to the restored Cluster (prod, postgresServingCluster): both apps roll onto it, nothing stateful is replaced or deleted", async () => {
        const p = await routine("prod", { postgresServingCluster: "shop-db-pitr" }, RESTORE);
        assert.equal(p.blocking.length, 0, renderBrief(p));
        noStatefulReplaced(p);
        assert.deepEqual(
            changed(p)
                .filter((c) => c.action === "delete")
                .map(label),
            [],
            renderBrief(p),
        );
        assert.deepEqual(rolled(p), ["apps/v1:Deployment catalog", "apps/v1:Deployment storefront"], renderBrief(p));
        assert.ok(!changed(p).some((c) => c.type === CLUSTER), "neither Cluster changes");
        assert.ok(!changed(p).some((c) => c.type.endsWith("NetworkPolicy")), "the egress already admits both Clusters");
        // The storefront's migrations run again, against the restored database (runbook: roll the app back first).
        assert.ok(
            changed(p).some((c) => c.type === "kubernetes:batch/v1:Job" && c.name === "storefront-pre-deploy" && c.action === "replace"),
            renderBrief(p),
        );
    });

    it("removing a restored Cluster (prod): blocked, it is protected and holds data", async () => {
        const p = await routine("prod", { postgresRecoveryCluster: undefined, postgresRecoveryTargetTime: undefined }, RESTORE);
        assert.ok(
            p.blocking.some((c) => c.type === CLUSTER && c.name === "shop-db-pitr" && c.action === "delete"),
            renderBrief(p),
        );
    });

    it("migration step 2 (prod, postgresLegacyStatefulSet off): blocked on exactly the legacy StatefulSet's delete; the Cluster is updated, never replaced", async () => {
        const p = await routine("prod", { postgresLegacyStatefulSet: false });
        // The one non-routine step: the change plan says so (exit 1), naming the StatefulSet and the
        // legacy server's two Secrets Manager entries (protected in prod: `pulumi state unprotect` them first).
        assert.deepEqual(
            p.blocking.map((c) => `${c.action} ${label(c)}`).sort(),
            [
                "delete apps/v1:StatefulSet postgres",
                "delete aws:secretsmanager/secret:Secret postgres-credentials",
                "delete aws:secretsmanager/secret:Secret postgres-superuser",
            ],
            renderBrief(p),
        );
        noStatefulReplaced(p);
        const cluster = changed(p).find((c) => c.type === CLUSTER)!;
        assert.equal(cluster.action, "update", renderBrief(p));
        // The import source goes; spec.bootstrap is ignoreChanges (read at creation only), so the import itself is not touched.
        assert.deepEqual([...new Set(cluster.paths.map((x) => x.path.split(".").slice(0, 2).join(".")))], ["spec.externalClusters"], renderBrief(p));
        // Nothing else is deleted but the legacy server's own objects, and no app rolls (they already use the Cluster).
        for (const c of changed(p).filter((x) => x.action === "delete"))
            assert.ok(/^(data-)?postgres(-|$)/.test(c.name), `${label(c)} deleted:\n${renderBrief(p)}`);
        assert.deepEqual(rolled(p), []);
    });

    it("instances 3 → 5 (prod): only the Cluster is updated (spec.instances); nothing replaced, nothing rolls", async () => {
        const p = await routine("prod", { postgresInstances: 5 });
        assert.equal(p.blocking.length, 0, renderBrief(p));
        assert.deepEqual(
            changed(p).map((c) => `${c.action} ${label(c)}`),
            ["update postgresql.cnpg.io/v1:Cluster shop-db"],
        );
        assert.deepEqual(
            changed(p)[0].paths.map((x) => x.path),
            ["spec.instances"],
        );
    });

    it("retention 30 → 35 days (prod): the Cluster's retentionPolicy and the bucket's lifecycle are updated in place", async () => {
        const p = await routine("prod", { postgresBackupRetentionDays: 35 });
        assert.equal(p.blocking.length, 0, renderBrief(p));
        assert.deepEqual(
            changed(p)
                .map((c) => `${c.action} ${label(c)}`)
                .sort(),
            ["update aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration postgres-backups", "update postgresql.cnpg.io/v1:Cluster shop-db"],
            renderBrief(p),
        );
    });

    it("backups on in dev: creates the bucket, its role and the ScheduledBackup; the Cluster is updated, not replaced", async () => {
        const p = await routine("dev", { postgresBackups: true });
        assert.equal(p.blocking.length, 0, renderBrief(p));
        noStatefulReplaced(p);
        const actions = changed(p).map((c) => `${c.action} ${label(c)}`);
        for (const a of [
            "create aws:s3/bucket:Bucket postgres-backups",
            "create aws:eks/podIdentityAssociation:PodIdentityAssociation shop-db-backups",
            "create postgresql.cnpg.io/v1:ScheduledBackup shop-db-daily",
            "update postgresql.cnpg.io/v1:Cluster shop-db",
        ])
            assert.ok(actions.includes(a), `${a} missing:\n${renderBrief(p)}`);
        assert.ok(!actions.some((a) => a.startsWith("delete")), renderBrief(p));
    });
});
