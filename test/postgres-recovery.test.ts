/**
 * Point-in-time recovery as config (postgresRecoveryCluster, postgresRecoveryTargetTime,
 * postgresServingCluster): on the real program's records, a second CloudNativePG Cluster restored
 * from shop-db's archive, with everything the runbook used to add by hand, and the apps switched
 * to it only when asked. What the switch and the restore do to the running stack is in
 * plan/test/change-database.test.ts.
 */
import * as assert from "node:assert/strict";
import { ResourceRecord, runStack } from "../harness";
import { DATABASE_CLUSTER } from "../components/data/postgres";
import { get, ofType } from "./helpers";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const RESTORE = { postgresRecoveryCluster: "shop-db-pitr", postgresRecoveryTargetTime: "2026-12-02T13:49:23Z" };
const byName = (rs: ResourceRecord[], type: string, name: string) => ofType(rs, type).find((r) => get(r.inputs, "metadata.name") === name);
const cnpg = (rs: ResourceRecord[], name: string) => byName(rs, CLUSTER, name)!;

describe("PostgreSQL point-in-time recovery into a second Cluster (config)", function () {
    this.timeout(300_000);
    let restored: ResourceRecord[] = [];
    let switched: ResourceRecord[] = [];
    before(async () => {
        restored = (await runStack("prod", { configOverrides: RESTORE })).resources;
        switched = (await runStack("prod", { configOverrides: { ...RESTORE, postgresServingCluster: "shop-db-pitr" } })).resources;
    });

    it("the restored Cluster starts from shop-db's archive, up to the target time, with the app database and its owner", () => {
        const spec = cnpg(restored, "shop-db-pitr").inputs.spec as Record<string, any>;
        assert.deepEqual(Object.keys(spec.bootstrap), ["recovery"]);
        const r = spec.bootstrap.recovery;
        assert.deepEqual(
            [r.source, r.database, r.owner, r.recoveryTarget],
            ["origin", "shop", "storefront", { targetTime: RESTORE.postgresRecoveryTargetTime }],
        );
        assert.equal(r.secret.name, get(cnpg(restored, DATABASE_CLUSTER).inputs, "spec.bootstrap.initdb.secret.name"), "the owner's Secret, as at initdb");
        const origin = spec.externalClusters.find((e: { name: string }) => e.name === "origin");
        const own = spec.backup.barmanObjectStore;
        assert.equal(origin.barmanObjectStore.serverName, DATABASE_CLUSTER, "reads the folder shop-db archives into");
        assert.equal(origin.barmanObjectStore.destinationPath, own.destinationPath, "same bucket and prefix");
        assert.equal(own.serverName, undefined, "archives under its own name (CNPG refuses a used archive)");
        assert.deepEqual(origin.barmanObjectStore.s3Credentials, { inheritFromIAMRole: true });
    });

    it("it has its own bucket access, firewall, daily backup and metrics; shop-db's are unchanged", () => {
        const assoc = ofType(restored, "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((a) => a.inputs.serviceAccount);
        assert.ok(assoc.includes("shop-db-pitr") && assoc.includes(DATABASE_CLUSTER), JSON.stringify(assoc));
        const np = byName(restored, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "shop-db-pitr")!;
        assert.deepEqual(get(np.inputs, "spec.podSelector.matchLabels"), { "cnpg.io/cluster": "shop-db-pitr" });
        assert.equal(
            get(byName(restored, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "shop-db-pitr-daily")!.inputs, "spec.cluster.name"),
            "shop-db-pitr",
        );
        assert.deepEqual(
            get(byName(restored, "kubernetes:monitoring.coreos.com/v1:PodMonitor", "shop-db-pitr")!.inputs, "spec.selector.matchLabels")["cnpg.io/cluster"],
            "shop-db-pitr",
        );
        const spread = get(cnpg(restored, "shop-db-pitr").inputs, "spec.topologySpreadConstraints");
        assert.deepEqual(spread[0].labelSelector.matchLabels, { "cnpg.io/cluster": "shop-db-pitr" }, "spreads its own pods only");
    });

    it("both Clusters are protected in prod and wait for each other in order (the restore after shop-db)", () => {
        const a = cnpg(restored, DATABASE_CLUSTER);
        const b = cnpg(restored, "shop-db-pitr");
        assert.ok(a.protect && b.protect);
        assert.ok(b.dependencies.includes(a.urn));
    });

    it("until the switch the apps use shop-db; after it, the restored Cluster's services and pods", () => {
        // DATABASE_URL is composed in the Deployments' env (the password through $(DB_PASSWORD)).
        const env = (rs: ResourceRecord[]) =>
            JSON.stringify(ofType(rs, "kubernetes:apps/v1:Deployment").map((d) => get(d.inputs, "spec.template.spec.containers")));
        const egress = (rs: ResourceRecord[], app: string) =>
            JSON.stringify(get(byName(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", app)!.inputs, "spec.egress"));
        assert.match(env(restored), /shop-db-rw\.data\.svc/);
        assert.doesNotMatch(env(restored), /shop-db-pitr-r/);
        assert.match(env(switched), /shop-db-pitr-rw\.data\.svc/);
        assert.match(env(switched), /shop-db-pitr-r\.data\.svc/);
        // With two Clusters the apps may reach the instances of either: the switch never cuts the one they leave.
        for (const app of ["storefront", "catalog"]) for (const rs of [restored, switched]) assert.match(egress(rs, app), /"cnpg.io\/podRole":"instance"/);
    });
});
