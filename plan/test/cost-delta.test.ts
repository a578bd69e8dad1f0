/**
 * Changes move the estimate by exactly what they add: more nodes (nodeDesiredSize/nodeMinSize),
 * flow logs, a cost assumption from config; and costDelta (plan --diff / the change plan) shows
 * it per resource. Figures from plan/pricing/eu-west-1.json.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { changePlanFor } from "../changeCli";
import { costDelta, loadPrices, renderCostDelta } from "../cost";
import { resourcesFile } from "../plan";
import { planFor, planWith } from "./helpers";

const F = loadPrices("eu-west-1");
const P = Object.fromEntries(Object.entries(F.prices).map(([k, v]) => [k, v.usd])) as Record<keyof typeof F.prices, number>;
const H = 730;
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

describe("plan: cost deltas", function () {
    this.timeout(240_000);

    it("staging nodeDesiredSize 2 → 4 adds 2 × (730 h × m6i.large + 40 GiB gp3 root volume), on the node group only", async () => {
        const base = await planFor("staging");
        const more = await planWith("staging", { configOverrides: { nodeDesiredSize: 4 } });
        const node = H * F.ec2.onDemandHour["m6i.large"] + 40 * P["ebs.gp3.gbMonth"]; // $70.08 + $3.20
        close(more.cost!.totalUsd - base.cost!.totalUsd, 2 * node, "total");
        const d = costDelta(base.resources, more.resources);
        close(d.deltaUsd, 2 * node, "costDelta total");
        assert.equal(d.rows.length, 1, JSON.stringify(d.rows));
        assert.equal(d.rows[0].type, "aws:eks/nodeGroup:NodeGroup");
        close(d.rows[0].deltaUsd, 2 * node, "node group row");
        assert.match(renderCostDelta(d), /NodeGroup shop-\{stack\}-system .* \+\$146\.56/);
    });

    it("prod nodeMinSize and nodeDesiredSize 3 → 4 adds one node (730 h × m6i.large + 50 GiB)", async () => {
        const base = await planFor("prod");
        const more = await planWith("prod", { configOverrides: { nodeMinSize: 4, nodeDesiredSize: 4 } });
        close(more.cost!.totalUsd - base.cost!.totalUsd, 1 * (H * F.ec2.onDemandHour["m6i.large"] + 50 * P["ebs.gp3.gbMonth"]), "total");
    });

    it("dev flowLogs true adds the flow-log formula: 5 GB ingested + 5 GB × 14 d ÷ (730/24) d stored", async () => {
        const base = await planFor("dev");
        const on = await planWith("dev", { configOverrides: { flowLogs: true } });
        const expected = 5 * P["logs.ingest.gb"] + ((5 * 14) / (H / 24)) * P["logs.storage.gbMonth"];
        close(on.cost!.totalUsd - base.cost!.totalUsd, expected, "total");
        const d = costDelta(base.cost!, on.cost!);
        assert.deepEqual(d.rows.map((r) => r.type).sort(), ["aws:cloudwatch/logGroup:LogGroup", "aws:ec2/flowLog:FlowLog"]);
        // the same assumption from the config table moves it by the formula again
        const more = await planWith("dev", { configOverrides: { flowLogs: true, costFlowLogGbPerMonth: 50 } });
        close(
            more.cost!.totalUsd - base.cost!.totalUsd,
            50 * P["logs.ingest.gb"] + ((50 * 14) / (H / 24)) * P["logs.storage.gbMonth"],
            "costFlowLogGbPerMonth 50",
        );
        assert.equal(more.cost!.assumptions.flowLogGbPerMonth, 50);
    });

    it("--diff dev prod: the delta per resource sums to the difference of the totals", async () => {
        const dev = await planFor("dev");
        const prod = await planFor("prod");
        const d = costDelta(dev.cost!, prod.cost!);
        close(d.deltaUsd, prod.cost!.totalUsd - dev.cost!.totalUsd, "total");
        close(
            d.rows.reduce((s, r) => s + r.deltaUsd, 0),
            d.deltaUsd,
            "rows",
        );
        assert.equal(d.baseStack, "dev");
        assert.equal(d.currentStack, "prod");
        // matched across stacks by normalised URN: the node group is one row, not an add and a remove
        assert.equal(d.rows.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").length, 1);
        assert.match(renderCostDelta(d), /^Monthly cost dev → prod \(estimate, eu-west-1\): \$245\.33 → \$635\.03 \(\+\$389\.71\)/);
    });

    it("the change plan (--base) carries the cost delta: base priced with the head's region and assumptions", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-base-"));
        const baseFile = path.join(dir, "base.json");
        fs.writeFileSync(baseFile, JSON.stringify(resourcesFile(await planFor("staging"))));
        const { cost } = await changePlanFor({ stack: "staging", base: baseFile, json: false, overrides: { nodeDesiredSize: 3 }, out: path.join(dir, "out") });
        assert.ok(cost);
        close(cost.deltaUsd, H * F.ec2.onDemandHour["m6i.large"] + 40 * P["ebs.gp3.gbMonth"], "one more m6i.large node");
        assert.deepEqual(
            cost.rows.map((r) => r.type),
            ["aws:eks/nodeGroup:NodeGroup"],
        );
    });
});
