/**
 * The cost engine on hand-made resources: types our stacks do not have yet (S3 buckets, gp2
 * volumes, log groups without retention, spot node groups, unknown types), the assumption and
 * price-file checks, and the readers (quantities, Helm values, lifecycle policies).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CostAssumptionError, estimateCost, loadPrices, PriceFileError, resolveAssumptions, type CostResource } from "../cost";
import { helmVolumes, imagesKept, quantityGib } from "../cost/estimate";

const F = loadPrices("eu-west-1");
const P = Object.fromEntries(Object.entries(F.prices).map(([k, v]) => [k, v.usd])) as Record<keyof typeof F.prices, number>;
const H = 730;
const close = (actual: number, expected: number, what = "") => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
const urn = (type: string, name: string) => `urn:pulumi:dev::shop-platform::${type}::${name}`;
const r = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<CostResource> = {}): CostResource => ({
    urn: urn(type, name),
    type,
    name,
    parent: "",
    dependencies: [],
    inputs,
    custom: true,
    ...extra,
});
const run = (rs: CostResource[], assumptions = {}) => estimateCost(rs, { region: "eu-west-1", environment: "dev", assumptions });

describe("plan: cost engine (hand-made resources)", () => {
    it("S3: bucket and bucketV2 alike, s3GbPerBucket each, s3GbByBucket by logical or bucket name", () => {
        const e = run([r("aws:s3/bucketV2:BucketV2", "backups", { bucket: "shop-backups" }), r("aws:s3/bucket:Bucket", "logs", {})], {
            s3GbByBucket: { "shop-backups": 200 },
        });
        close(e.totalUsd, 200 * P["s3.standard.gbMonth"] + 10 * P["s3.standard.gbMonth"], "200 GB + dev's 10 GB"); // no egress path: no data-transfer line
        assert.deepEqual(e.lines.map((l) => l.assumptions[0]).sort(), ["s3GbByBucket", "s3GbPerBucket"]);
    });

    it("an unknown AWS type is listed as not priced, with its count — never dropped", () => {
        const e = run([r("aws:rds/instance:Instance", "db1", {}), r("aws:rds/instance:Instance", "db2", {}), r("aws:iam/role:Role", "x", {})]);
        assert.deepEqual(e.notPriced, [{ type: "aws:rds/instance:Instance", count: 2, reason: "no pricer for this type (plan/cost/estimate.ts)" }]);
        assert.deepEqual(
            e.zeroCost.map((z) => [z.type, z.count]),
            [["aws:iam/role:Role", 1]],
        );
        assert.equal(e.totalUsd, 0);
    });

    it("an EC2 type without a price is listed as not priced (node group of r8gd.large)", () => {
        const e = run([r("aws:eks/nodeGroup:NodeGroup", "ng", { instanceTypes: ["r8gd.large"], scalingConfig: { desiredSize: 3 } })]);
        assert.ok(e.notPriced.some((n) => n.type === "EC2 instance type r8gd.large" && n.count === 3));
    });

    it("spot node group: the cheapest listed type × (1 − spotDiscount); on-demand: the first listed", () => {
        const ng = (capacityType: string) =>
            run([
                r("aws:eks/nodeGroup:NodeGroup", "ng", {
                    capacityType,
                    instanceTypes: ["m6i.large", "m6a.large"],
                    scalingConfig: { desiredSize: 2 },
                    diskSize: 20,
                }),
            ]).lines[0];
        close(ng("SPOT").monthlyUsd, 2 * H * F.ec2.onDemandHour["m6a.large"] * (1 - 0.6), "spot: m6a.large is cheaper");
        close(ng("ON_DEMAND").monthlyUsd, 2 * H * F.ec2.onDemandHour["m6i.large"], "on-demand: m6i.large listed first");
    });

    it("gp2 volumes and log groups without retention: priced, and listed as savings with the amount", () => {
        const e = run([
            r("kubernetes:storage.k8s.io/v1:StorageClass", "old", { metadata: { name: "old" }, parameters: { type: "gp2" } }),
            r("kubernetes:apps/v1:StatefulSet", "db", {
                spec: {
                    replicas: 2,
                    volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName: "old", resources: { requests: { storage: "100Gi" } } } }],
                },
            }),
            r("aws:cloudwatch/logGroup:LogGroup", "app", { name: "/shop/app" }),
        ]);
        const gp2 = e.lines.find((l) => l.priceKey === "ebs.gp2.gbMonth")!;
        close(gp2.monthlyUsd, 2 * 100 * P["ebs.gp2.gbMonth"], "2 replicas × 100 GiB gp2");
        const s1 = e.savings.find((s) => /is gp2/.test(s.message))!;
        close(s1.monthlyUsd, 200 * (P["ebs.gp2.gbMonth"] - P["ebs.gp3.gbMonth"]), "gp3 instead");
        // 1 GB/month (otherLogGroupGbPerMonth) never expiring: 12 months stored vs 30 days
        const store = e.lines.find((l) => l.item.includes("never expires"))!;
        close(store.monthlyUsd, 1 * 12 * P["logs.storage.gbMonth"], "12 months accumulated");
        const s2 = e.savings.find((s) => /keeps everything/.test(s.message))!;
        close(s2.monthlyUsd, (12 - 30 / (H / 24)) * P["logs.storage.gbMonth"], "30-day retention");
    });

    it("a cluster without upgradePolicy STANDARD: priced at standard, noted, and the extended-support risk listed", () => {
        const e = run([r("aws:eks/cluster:Cluster", "c", { name: "c" })]);
        assert.match(e.lines[0].note!, /unset \(AWS defaults to EXTENDED\)/);
        close(e.savings[0].monthlyUsd, H * (P["eks.cluster.extended"] - P["eks.cluster.standard"]), "extended − standard");
    });

    it("control-plane logs without a declared log group: AWS's group never expires (priced at 12 months)", () => {
        const e = run([r("aws:eks/cluster:Cluster", "c", { name: "c", enabledClusterLogTypes: ["audit"], upgradePolicy: { supportType: "STANDARD" } })]);
        const store = e.lines.find((l) => l.priceKey === "logs.storage.gbMonth")!;
        close(store.monthlyUsd, 1 * 1 * 12 * P["logs.storage.gbMonth"], "1 type × 1 GB × 12 months");
        assert.equal(store.urn, urn("aws:eks/cluster:Cluster", "c"));
    });

    it("assumptions: overrides apply; unknown keys and bad values are refused, all named", () => {
        assert.equal(resolveAssumptions("prod", { natProcessedGbPerMonth: 1000 }).natProcessedGbPerMonth, 1000);
        assert.throws(
            () => resolveAssumptions("dev", { natProcessedGbPerMonth: -1, bogus: 1, spotDiscount: 1 } as never),
            (e: Error) =>
                e instanceof CostAssumptionError &&
                /natProcessedGbPerMonth must be a number ≥ 0/.test(e.message) &&
                /unknown cost assumption "bogus"/.test(e.message) &&
                /spotDiscount must be below 1/.test(e.message),
        );
    });

    it("price files: a missing price or an undated one is refused; a region without a file says which exist", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pricing-"));
        const doc = JSON.parse(JSON.stringify(F));
        delete doc.prices["alb.hour"];
        doc.prices["natgw.hour"].read = "yesterday";
        fs.writeFileSync(path.join(dir, "eu-west-1.json"), JSON.stringify(doc));
        assert.throws(
            () => loadPrices("eu-west-1", dir),
            (e: Error) =>
                e instanceof PriceFileError && /prices\.alb\.hour missing/.test(e.message) && /prices\.natgw\.hour needs source, read/.test(e.message),
        );
        assert.throws(() => loadPrices("ap-south-2", dir), /no price file for region ap-south-2 \(have: eu-west-1\)/);
        assert.throws(() => estimateCost([r("aws:iam/role:Role", "x", {})]), /cannot tell the stack's region/);
    });

    it("region and environment are inferred from the resources when not given", () => {
        const e = estimateCost([r("aws:kms/key:Key", "k", { tags: { Environment: "staging" }, arn: "arn:aws:kms:eu-west-1:123456789012:key/x" })], {
            stack: "my-stack",
        });
        assert.equal(e.region, "eu-west-1");
        assert.equal(e.environment, "staging");
    });

    it("readers: Kubernetes quantities, Helm values volumes (replicas, persistence), lifecycle policies", () => {
        assert.equal(quantityGib("50Gi"), 50);
        assert.equal(quantityGib("512Mi"), 0.5);
        assert.equal(quantityGib(20), 20);
        assert.equal(quantityGib("lots"), undefined);
        const vols = helmVolumes({
            prometheus: { prometheusSpec: { replicas: 2, storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "30Gi" } } } } } } },
            grafana: { persistence: { enabled: true, size: "10Gi" } },
            loki: { persistence: { enabled: false, size: "99Gi" } },
            // the Pushgateway chart's form, at the top of its values
            pushgateway: { replicaCount: 2, persistentVolume: { enabled: true, size: "1Gi", storageClass: "gp3" } },
            other: { persistentVolume: { enabled: false, size: "9Gi" } },
        });
        assert.deepEqual(
            vols.map((v) => [v.path, v.gib, v.replicas]),
            [
                ["prometheus.prometheusSpec.storageSpec.volumeClaimTemplate", 30, 2],
                ["grafana.persistence", 10, 1],
                ["pushgateway.persistentVolume", 1, 2],
            ],
        );
        assert.equal(vols[2].storageClass, "gp3");
        const lp = (rules: unknown[]) => JSON.stringify({ rules });
        assert.equal(imagesKept(lp([{ selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 } }])), 30);
        assert.equal(
            imagesKept(
                lp([
                    { selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 5 } },
                    { selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 2 } },
                ]),
            ),
            7,
        );
        assert.equal(imagesKept(lp([{ selection: { countType: "sinceImagePushed", countNumber: 14 } }])), undefined);
    });

    it("an ECR repository without a lifecycle policy is priced at ecrImagesWithoutLifecycle images", () => {
        const e = run([r("aws:ecr/repository:Repository", "repo", { name: "shop/x" })]);
        close(e.totalUsd, 200 * 0.25 * P["ecr.storage.gbMonth"], "200 images × 0.25 GB");
    });
});
