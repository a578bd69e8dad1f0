import * as assert from "node:assert/strict";
import type { Setting } from "../settings";
import { planFor, planWith } from "./helpers";

const value = (settings: Setting[], key: string) => {
    const s = settings.find((x) => x.key === key);
    assert.ok(s, `no setting ${key}`);
    return s;
};

describe("plan: per-environment settings", () => {
    it("dev reads AZs, NAT, node sizes and endpoint access from the resources' inputs", async () => {
        const { settings } = await planFor("dev");
        assert.deepEqual(value(settings, "region"), { group: "stack", key: "region", value: "eu-west-1", source: "config aws:region" });
        assert.equal(value(settings, "availability zones").value, "2");
        assert.match(value(settings, "availability zones").source, /^resource Vpc shop-dev: numberOfAvailabilityZones$/);
        assert.equal(value(settings, "NAT gateways").value, "Single");
        assert.equal(value(settings, "min size").value, "1");
        assert.match(value(settings, "max size").source, /NodeGroup shop-dev-system: scalingConfig.maxSize/);
        assert.equal(value(settings, "endpoint public access").value, "true");
        assert.equal(value(settings, "flow logs").value, "off (no FlowLog)");
    });

    it("prod: 3 AZs, a NAT per AZ, private endpoint, flow logs on", async () => {
        const { settings } = await planFor("prod");
        assert.equal(value(settings, "availability zones").value, "3");
        assert.equal(value(settings, "NAT gateways").value, "OnePerAz");
        assert.equal(value(settings, "endpoint public access").value, "false");
        assert.equal(value(settings, "flow logs").value, "on (1 FlowLog)");
        assert.equal(value(settings, "capacity type").value, "ON_DEMAND");
    });

    it("add-ons: spot only outside prod, the ALB host where exposed, the secrets backend per stack", async () => {
        const dev = (await planFor("dev")).settings;
        const prod = (await planFor("prod")).settings;
        assert.equal(value(dev, "Karpenter capacity types").value, "spot, on-demand");
        assert.equal(value(prod, "Karpenter capacity types").value, "on-demand");
        assert.equal(value(dev, "internet access").value, "none (kubectl port-forward)");
        assert.equal(value(prod, "internet access").value, "https://shop-prod.example.com/ (ALB)");
        assert.equal(value(dev, "secrets").value, "Kubernetes Secrets");
        assert.match(value(prod, "secrets").value, /^Secrets Manager \+ External Secrets \(\d+\)$/);
    });

    it("the database: CloudNativePG topology, storage, backups and RPO/RTO per stack, from the Cluster's inputs", async () => {
        const dev = (await planFor("dev")).settings;
        const prod = (await planFor("prod")).settings;
        assert.equal(value(dev, "PostgreSQL instances (CloudNativePG)").value, "1");
        assert.match(value(dev, "PostgreSQL instances (CloudNativePG)").source, /^resource Cluster shop-db: spec.instances$/);
        assert.equal(value(dev, "PostgreSQL zone spread").value, "none (one instance)");
        assert.match(value(dev, "PostgreSQL backups (recovery window)").value, /^off/);
        assert.match(value(dev, "PostgreSQL RPO / RTO").value, /no backups/);
        assert.equal(value(prod, "PostgreSQL instances (CloudNativePG)").value, "3");
        assert.equal(value(prod, "PostgreSQL zone spread").value, "one instance per zone (DoNotSchedule)");
        assert.equal(value(prod, "PostgreSQL backups (recovery window)").value, "on: WAL archiving + base backups, window 30d");
        assert.match(value(prod, "PostgreSQL base backup schedule (UTC)").value, /^0 0 3 \* \* \*$/);
        assert.match(value(prod, "PostgreSQL RPO / RTO").value, /RPO ≤ archive_timeout 5min/);
        assert.match(value(prod, "PostgreSQL storage").source, /Cluster shop-db: spec.storage.size/);
    });

    it("a point-in-time restore shows which Cluster is restored from where and to when, and which Cluster the apps use", async () => {
        const prod = (await planFor("prod")).settings;
        assert.equal(
            prod.find((x) => x.key === "PostgreSQL restore (point in time)"),
            undefined,
            "no restore configured",
        );
        assert.equal(value(prod, "PostgreSQL Cluster the apps use").value, "shop-db");
        const restored = (
            await planWith("prod", {
                configOverrides: {
                    postgresRecoveryCluster: "shop-db-pitr",
                    postgresRecoveryTargetTime: "2026-12-02T13:49:23Z",
                    postgresServingCluster: "shop-db-pitr",
                },
            })
        ).settings;
        assert.equal(value(restored, "PostgreSQL restore (point in time)").value, "shop-db-pitr from shop-db's archive, to 2026-12-02T13:49:23Z");
        assert.match(value(restored, "PostgreSQL restore (point in time)").source, /^resource Cluster shop-db-pitr: spec.bootstrap.recovery$/);
        assert.equal(value(restored, "PostgreSQL Cluster the apps use").value, "shop-db-pitr");
        assert.match(value(restored, "PostgreSQL instances (CloudNativePG)").source, /Cluster shop-db: /, "the other rows stay shop-db's");
    });

    it("every key setting named in the issue is present for every stack", async () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const keys = (await planFor(stack)).settings.map((s) => s.key);
            for (const k of [
                "region",
                "availability zones",
                "NAT gateways",
                "instance types",
                "min size",
                "desired size",
                "max size",
                "endpoint public access",
                "storefront replicas",
                "catalog replicas",
                "PostgreSQL storage",
                "PostgreSQL instances (CloudNativePG)",
                "PostgreSQL backups (recovery window)",
                "PostgreSQL RPO / RTO",
                "Prometheus retention",
                "control-plane log retention (days)",
            ])
                assert.ok(keys.includes(k), `${stack}: missing ${k}`);
        }
    });
});
