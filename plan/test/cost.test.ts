/**
 * The cost estimate of the real stacks, pinned per component type to figures computed by hand from
 * plan/pricing/eu-west-1.json (P below) and the environment's assumptions (the numbers written out).
 * When a price changes, these follow the file; the stack totals at the end are literal and change
 * with it (regenerate the README table too: node --import tsx plan/cost/readme.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPrices, round2, writeCostFile, type CostEstimate, type CostLine } from "../cost";
import { planFor } from "./helpers";

const F = loadPrices("eu-west-1");
const P = Object.fromEntries(Object.entries(F.prices).map(([k, v]) => [k, v.usd])) as Record<keyof typeof F.prices, number>;
const EC2 = F.ec2.onDemandHour;
const H = 730;
const DAYS = H / 24; // days in a month, for log storage at steady state

async function est(stack: string): Promise<CostEstimate> {
    const p = await planFor(stack);
    assert.ok(p.cost, p.costProblem);
    return p.cost;
}
const linesOf = (e: CostEstimate, type: string, name?: string) => e.lines.filter((l) => l.type === type && (name === undefined || l.name === name));
const sum = (ls: CostLine[]) => ls.reduce((s, l) => s + l.monthlyUsd, 0);
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

describe("plan: cost estimate per component type (hand-computed from plan/pricing/eu-west-1.json)", function () {
    this.timeout(180_000);

    it("the price file: every price has a source, a quote, the date read and says whether it is confirmed for eu-west-1", () => {
        for (const [k, v] of Object.entries(F.prices)) {
            assert.ok(v.source && v.quote && /^\d{4}-\d\d-\d\d$/.test(v.read), k);
            assert.equal(typeof v.regionConfirmed, "boolean", k);
            if (!v.regionConfirmed) assert.ok(v.note, `${k}: an unconfirmed price must say what was used`);
        }
        assert.ok(F.ec2.source.includes("karpenter-provider-aws") && F.ec2.onDemandHour["m6i.large"] > 0);
    });

    it("EKS control plane: 730 h × the standard-support hourly price, in every stack", async () => {
        for (const s of ["dev", "staging", "prod"]) {
            const l = (await est(s)).lines.find((x) => x.priceKey === "eks.cluster.standard")!;
            close(l.monthlyUsd, 730 * P["eks.cluster.standard"], s); // 730 × $0.10 = $73.00
            assert.equal(l.note, undefined, "our clusters pin upgradePolicy.supportType STANDARD");
        }
    });

    it("managed node group: desiredSize × 730 h × the first listed type + root volumes from the launch template", async () => {
        const ng = (e: CostEstimate) => sum(linesOf(e, "aws:eks/nodeGroup:NodeGroup"));
        close(ng(await est("dev")), 2 * H * EC2["t3.large"] + 2 * 20 * P["ebs.gp3.gbMonth"], "dev"); // 2 × 730 × 0.0832 + 40 GB × 0.08
        close(ng(await est("staging")), 2 * H * EC2["m6i.large"] + 2 * 40 * P["ebs.gp3.gbMonth"], "staging");
        // prod lists m6i.large, m6a.large: managed node groups fill On-Demand in list order → m6i.large
        const prod = await est("prod");
        close(ng(prod), 3 * H * EC2["m6i.large"] + 3 * 50 * P["ebs.gp3.gbMonth"], "prod");
        assert.match(linesOf(prod, "aws:eks/nodeGroup:NodeGroup")[0].note!, /first of m6i\.large, m6a\.large/);
    });

    it("Karpenter pool: the assumed baseline nodes of the cheapest allowed large type (spot where allowed) + their root volumes", async () => {
        const kp = (e: CostEstimate) => sum(linesOf(e, "kubernetes:karpenter.sh/v1:NodePool"));
        close(kp(await est("dev")), 0, "dev: karpenterBaselineNodes 0");
        // families m6i, m6a, m7i, c6i, c7i → c6i.large is the cheapest; staging allows spot: × (1 − 0.6)
        close(kp(await est("staging")), 1 * H * EC2["c6i.large"] * (1 - 0.6) + 1 * 50 * P["ebs.gp3.gbMonth"], "staging");
        close(kp(await est("prod")), 1 * H * EC2["c6i.large"] + 1 * 50 * P["ebs.gp3.gbMonth"], "prod (on-demand only)");
    });

    it("NAT gateways: strategy × AZs gateways, their EIPs, and the processed GB", async () => {
        const nat = (e: CostEstimate) => sum(linesOf(e, "awsx:ec2:Vpc"));
        const perGw = H * (P["natgw.hour"] + P["ipv4.hour"]); // 730 × (0.045 + 0.005) = $36.50
        close(nat(await est("dev")), 1 * perGw + 50 * P["natgw.gb"], "dev: Single"); // + 50 GB × 0.045
        close(nat(await est("staging")), 2 * perGw + 100 * P["natgw.gb"], "staging: 2 AZs OnePerAz");
        close(nat(await est("prod")), 3 * perGw + 300 * P["natgw.gb"], "prod: 3 AZs OnePerAz");
    });

    it("EBS volumes of the data stores and monitoring: PVC GiB × replicas × gp3", async () => {
        const gp3 = P["ebs.gp3.gbMonth"];
        const pvc = (e: CostEstimate, type: string, name: string) => sum(linesOf(e, type, name).filter((l) => l.item.includes("PVC")));
        const SS = "kubernetes:apps/v1:StatefulSet";
        const REL = "kubernetes:helm.sh/v3:Release";
        const CNPG = "kubernetes:postgresql.cnpg.io/v1:Cluster";
        for (const [s, pg, instances, redis, prom, replicas] of [
            ["dev", 5, 1, 0, 10, 1], // dev's Redis has no persistence
            ["staging", 20, 2, 2, 20, 1],
            ["prod", 50, 3, 5, 50, 2], // monitoringReplicas
        ] as const) {
            const e = await est(s);
            // The CloudNativePG Cluster: one volume per instance; the legacy StatefulSet (migration step 1) keeps its one.
            close(pvc(e, CNPG, "shop-db"), instances * pg * gp3, `${s} shop-db`);
            close(pvc(e, SS, "postgres"), pg * gp3, `${s} postgres (legacy)`);
            close(pvc(e, SS, "redis"), redis * gp3, `${s} redis`);
            // kube-prometheus-stack: Prometheus prom GiB + Alertmanager 2 GiB, monitoringReplicas of each
            close(pvc(e, REL, "monitoring"), (prom + 2) * replicas * gp3, `${s} monitoring`);
            // the Pushgateway's 1 GiB (one replica)
            close(pvc(e, REL, "monitoring-pushgateway"), 1 * gp3, `${s} pushgateway`);
        }
        // Loki and Tempo single binaries (issue 17): lokiStorageGiB / tempoStorageGiB, one replica each.
        for (const [s, loki, tempo] of [
            ["dev", 10, 5],
            ["staging", 10, 10],
            ["prod", 20, 20],
        ] as const) {
            const e = await est(s);
            close(pvc(e, REL, "observability-loki"), loki * gp3, `${s} loki`);
            close(pvc(e, REL, "observability-tempo"), tempo * gp3, `${s} tempo`);
        }
    });

    it("ALB: one per ingress group (both apps share it): hours + LCU-hours + a public IPv4 per AZ; none in dev", async () => {
        const alb = (e: CostEstimate) => sum(e.lines.filter((l) => l.item.startsWith("ALB ")));
        close(alb(await est("dev")), 0, "dev has no ingress");
        close(alb(await est("staging")), H * P["alb.hour"] + 1 * H * P["alb.lcuHour"] + 2 * H * P["ipv4.hour"], "staging: 1 LCU, 2 AZs");
        close(alb(await est("prod")), H * P["alb.hour"] + 2 * H * P["alb.lcuHour"] + 3 * H * P["ipv4.hour"], "prod: 2 LCU, 3 AZs");
        const prod = await est("prod");
        assert.equal(new Set(prod.lines.filter((l) => l.item.startsWith("ALB ")).map((l) => l.urn)).size, 1, "one ALB for the group");
        assert.ok(prod.zeroCost.some((z) => z.type === "kubernetes:networking.k8s.io/v1:Ingress" && /shares the ALB/.test(z.reason)));
    });

    it("CloudWatch Logs: control-plane (5 types) and flow-log ingestion, storage = monthly GB × retention days ÷ days per month", async () => {
        const logs = (e: CostEstimate) => sum(e.lines.filter((l) => l.priceKey.startsWith("logs.")));
        const ing = P["logs.ingest.gb"];
        const sto = P["logs.storage.gbMonth"];
        // dev: 5 types × 1 GB = 5 GB, 7-day retention; no flow logs
        close(logs(await est("dev")), 5 * ing + ((5 * 7) / DAYS) * sto, "dev");
        // staging: 5 × 1 GB, 30 d; flow logs 10 GB, 30 d
        close(logs(await est("staging")), 5 * ing + ((5 * 30) / DAYS) * sto + 10 * ing + ((10 * 30) / DAYS) * sto, "staging");
        // prod: 5 × 2 GB, 90 d; flow logs 30 GB, 90 d
        close(logs(await est("prod")), 10 * ing + ((10 * 90) / DAYS) * sto + 30 * ing + ((30 * 90) / DAYS) * sto, "prod");
    });

    it("KMS keys and Secrets Manager secrets: per key/secret-month + the assumed requests", async () => {
        const kms = (e: CostEstimate) => sum(linesOf(e, "aws:kms/key:Key"));
        const sm = (e: CostEstimate) => sum(linesOf(e, "aws:secretsmanager/secret:Secret"));
        const key = P["kms.keyMonth"] + (10_000 / 10_000) * P["kms.requests10k"]; // $1 + 10k requests × $0.03/10k
        const secret = P["secretsmanager.secretMonth"] + (730 / 10_000) * P["secretsmanager.calls10k"]; // hourly refresh: 730 calls
        close(kms(await est("dev")), 1 * key, "dev: the EKS secrets key");
        close(sm(await est("dev")), 0, "dev has no Secrets Manager");
        for (const s of ["staging", "prod"]) {
            // EKS + Secrets Manager + the logs and traces buckets' keys (issue 17) + the PostgreSQL backup bucket's key
            close(kms(await est(s)), 5 * key, `${s}: EKS + Secrets Manager + telemetry and backup bucket keys`);
            // 7 as before (the legacy server's superuser and role entries apart) + one basic-auth entry per CNPG role
            // + the prometheus-operator's certificate and key (issue 20: no certgen Jobs).
            close(sm(await est(s)), 10 * secret, `${s}: 10 secrets`);
        }
    });

    it("S3: the logs, traces and PostgreSQL backup buckets in staging/prod, the assumed GB per bucket × the standard price; none in dev", async () => {
        const s3 = (e: CostEstimate) => sum(linesOf(e, "aws:s3/bucket:Bucket"));
        close(s3(await est("dev")), 0, "dev keeps logs and traces on volumes and takes no database backups");
        close(s3(await est("staging")), 3 * 20 * P["s3.standard.gbMonth"], "staging: 3 buckets × 20 GB");
        close(s3(await est("prod")), 3 * 50 * P["s3.standard.gbMonth"], "prod: 3 buckets × 50 GB");
    });

    it("ECR: images the lifecycle policy keeps × 0.25 GB × the storage price, per repository", async () => {
        for (const [s, kept] of [
            ["dev", 10],
            ["staging", 20],
            ["prod", 50],
        ] as const)
            close(sum(linesOf(await est(s), "aws:ecr/repository:Repository")), 2 * kept * 0.25 * P["ecr.storage.gbMonth"], s);
    });

    it("internet data transfer: the assumed GB × the per-GB price", async () => {
        for (const [s, gb] of [
            ["dev", 20],
            ["staging", 50],
            ["prod", 500],
        ] as const)
            close(sum((await est(s)).lines.filter((l) => l.priceKey === "transfer.internetOut.gb")), gb * P["transfer.internetOut.gb"], s);
    });

    it("stack totals (literal, from the figures above) and the component sums add up", async () => {
        for (const [s, total] of [
            // + Loki/Tempo volumes (all stacks), their bucket keys and buckets (staging/prod), issue 17;
            // + the Pushgateway's 1 GiB volume (all stacks) and prod's second Prometheus and Alertmanager volumes, issue 21
            ["dev", 245.33], // 243.65 + (10 + 5) GiB × 0.08 + 1 × 0.08; + the CNPG instance 5 GiB × 0.08 (issue 16)
            ["staging", 387.86], // + 1 secret (the operator's certificate, issue 20): 387.45 + 0.40 + 730 calls; 377.29 + (10 + 10) × 0.08 + 2 keys × 1.03 + 2 × 20 GB × 0.023 + 1 × 0.08; + CNPG 2 × 20 GiB × 0.08, backup key 1.03, bucket 20 GB × 0.023, 2 secrets (issue 16)
            ["prod", 635.03], // + 1 secret (issue 20): 634.63 + 0.40 + 730 calls; 607.84 + (20 + 20) × 0.08 + 2 × 1.03 + 2 × 50 × 0.023 + 4.24 (issue 21); + CNPG 3 × 50 GiB × 0.08, backup key 1.03, bucket 50 GB × 0.023, 2 secrets (issue 16)
        ] as const) {
            const e = await est(s);
            assert.equal(round2(e.totalUsd), total, s);
            close(
                e.byComponent.reduce((x, c) => x + c.monthlyUsd, 0),
                e.totalUsd,
                `${s} components`,
            );
            close(
                e.byResource.reduce((x, c) => x + c.monthlyUsd, 0),
                e.totalUsd,
                `${s} resources`,
            );
            for (const l of e.lines) close(l.monthlyUsd, l.quantity * l.unitPriceUsd, `${s} ${l.item}`);
        }
    });

    it("components are the ComponentResources (Cluster, Network, AppImage, add-ons, Postgres…)", async () => {
        const e = await est("prod");
        const names = e.byComponent.map((c) => c.component);
        for (const c of ["Cluster shop-prod", "Network shop-prod", "AppImage storefront", "Karpenter karpenter", "Postgres postgres", "Monitoring monitoring"])
            assert.ok(names.includes(c), c);
        assert.equal(e.byComponent[0].component, "Cluster shop-prod");
    });

    it("every resource is priced, listed as costing nothing (with why), or listed as not priced — none dropped", async () => {
        for (const s of ["dev", "staging", "prod"]) {
            const p = await planFor(s);
            const e = p.cost!;
            const priced = new Set(e.lines.map((l) => l.urn));
            const counted = new Map<string, number>();
            for (const z of [...e.zeroCost, ...e.notPriced]) counted.set(z.type, (counted.get(z.type) ?? 0) + z.count);
            for (const r of p.resources) {
                if (r.type === "pulumi:pulumi:Stack" || (!r.custom && !r.remote) || priced.has(r.urn)) continue;
                const left = counted.get(r.type) ?? 0;
                assert.ok(left > 0, `${s}: ${r.type} ${r.name} is neither priced nor listed`);
                counted.set(r.type, left - 1);
            }
            for (const [t, n] of counted) assert.equal(n, 0, `${s}: ${t} over-counted`);
            assert.deepEqual(e.notPriced, [], `${s}: our stacks have no unpriced type`);
            for (const z of e.zeroCost) assert.ok(z.reason.length > 5, z.type);
            assert.ok(
                e.zeroCost.some((z) => z.type === "aws:sqs/queue:Queue" && /≈ \$0/.test(z.reason)),
                "SQS is ≈$0, said so",
            );
        }
    });

    it("savings the plan sees: spot for dev/staging nodes, one NAT in staging; none of those in prod", async () => {
        const dev = await est("dev");
        const spot = dev.savings.find((x) => /runs on-demand/.test(x.message))!;
        close(spot.monthlyUsd, 2 * H * EC2["t3.large"] * 0.6, "dev spot"); // 2 × 730 × 0.0832 × spotDiscount 0.6
        const st = await est("staging");
        const nat = st.savings.find((x) => /NAT gateways/.test(x.message))!;
        close(nat.monthlyUsd, 1 * H * (P["natgw.hour"] + P["ipv4.hour"]), "staging: one gateway fewer");
        const prod = await est("prod");
        assert.ok(!prod.savings.some((x) => /NAT|runs on-demand/.test(x.message)), "prod must stay HA and on-demand");
        // prod root volumes are 50 GiB: above rootVolumeSuggestedGb 40 → (50 − 40) × 3 nodes × gp3
        close(prod.savings.find((x) => /launch template/.test(x.message))!.monthlyUsd, 10 * 3 * P["ebs.gp3.gbMonth"], "prod root volumes");
    });

    it("out/<stack>/cost.json carries the same numbers (cents)", async () => {
        const e = await est("staging");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
        const doc = JSON.parse(fs.readFileSync(writeCostFile(dir, e), "utf8")) as CostEstimate;
        assert.equal(doc.format, "shop-platform/cost@1");
        assert.equal(doc.totalUsd, round2(e.totalUsd));
        assert.equal(doc.lines.length, e.lines.length);
        assert.equal(doc.priceFile.read, F.read);
        assert.deepEqual(doc.assumptions, e.assumptions);
    });
});
