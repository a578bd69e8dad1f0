/**
 * The cost estimate where people read it: the plan's text section, `--json`, out/<stack>/cost.json
 * (one CLI run), and the README's table of the three stacks (generated, kept in sync here).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness";
import { renderPlanText } from "../cli";
import { round2, usd } from "../cost";
import { ABEGIN, AEND, DOC_FILE, README_FILE, renderAssumptionsTable, renderCostTable, renderReadme, replaceBlock } from "../cost/readme";
import { planFor } from "./helpers";

describe("plan: cost output", function () {
    this.timeout(180_000);

    it("the text plan has the cost section: components, top resources with formulas, total, region and price date, budget", async () => {
        const p = await planFor("prod");
        const text = renderPlanText(p, { dir: "/tmp/x", files: [] });
        const section = text.slice(text.indexOf("Estimated monthly cost:"), text.indexOf("\nPolicies:"));
        assert.match(section, /region eu-west-1, environment prod; prices plan\/pricing\/eu-west-1\.json read \d{4}-\d\d-\d\d/);
        assert.match(section, /by component:\n\s+Cluster shop-prod\s+\$302\.16/);
        assert.match(
            section,
            /EC2 instances \(m6i\.large, on-demand\): 3 nodes \(scalingConfig\.desiredSize\) × 730 h = 2190 instance-hours × \$0\.096 = \$210\.24/,
        );
        assert.ok(section.includes(`TOTAL ${usd(p.cost!.totalUsd)} / month`));
        assert.match(section, /budget: \$800\.00 \(config monthlyBudgetUsd\): within \(79 %\)/); // 635.03 / 800 (+ the operator certificate secret, issue 20) (the CNPG volumes, backup bucket and key: issue 16; the Loki/Tempo volumes, buckets and keys: issue 17; the second Prometheus/Alertmanager volumes and the Pushgateway volume: issue 21)
        assert.match(section, /not priced: \(none\)/);
        for (const [k] of Object.entries(p.placeholders)) assert.ok(!section.includes(k));
    });

    it("--json carries the same numbers as the text and out/<stack>/cost.json", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cost-"));
        const r = spawnSync(process.execPath, ["--import", "tsx", "plan/cli.ts", "dev", "--json", "--out", out], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            timeout: 120_000,
        });
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        const file = JSON.parse(fs.readFileSync(path.join(out, "cost.json"), "utf8"));
        assert.equal(round2(doc.cost.totalUsd), file.totalUsd);
        assert.equal(file.totalUsd, 245.33);
        assert.equal(doc.cost.lines.length, file.lines.length);
        assert.deepEqual(doc.costBudget, { configUsd: 300, policyUsd: 300 });
        assert.ok(doc.out.files.includes(path.join(out, "cost.json")));
        assert.ok(fs.existsSync(path.join(out, "architecture.svg")), "SVG drawn without a system Graphviz");
    });

    it("the README's cost table is generated from the three plans (regenerate: node --import tsx plan/cost/readme.ts)", async () => {
        const rows = [];
        for (const s of ["dev", "staging", "prod"]) {
            const p = await planFor(s);
            rows.push({ est: p.cost!, budgetUsd: p.costBudget?.configUsd });
        }
        const readme = fs.readFileSync(README_FILE, "utf8");
        assert.equal(readme, renderReadme(readme, renderCostTable(rows)));
        assert.match(readme, /\| prod \| eu-west-1 \| \*\*\$635\.03\*\* \| \$800\.00 \| NodeGroup shop-prod-system \$222\.24;/);
    });

    it("docs/cost.md's assumptions table is generated from plan/cost/assumptions.ts and the config rows", () => {
        const doc = fs.readFileSync(DOC_FILE, "utf8");
        assert.equal(doc, replaceBlock(doc, ABEGIN, AEND, renderAssumptionsTable()));
        assert.match(doc, /\| `natProcessedGbPerMonth` \| `50` \| `100` \| `300` \| `costNatProcessedGbPerMonth` \|/);
    });
});
