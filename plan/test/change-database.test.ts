/**
 * PostgreSQL through CloudNativePG (issue 16): the change plans of the database's routine
 * changes and of the two migration steps (docs/database.md), on the real program under the harness.
 */
import * as assert from "node:assert/strict";
import { changed, label, noStatefulReplaced, renderBrief, rolled, routine } from "./changeRoutine";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

describe("change plan: PostgreSQL through CloudNativePG", function () {
    this.timeout(300_000);

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
