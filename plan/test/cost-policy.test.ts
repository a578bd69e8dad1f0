/**
 * The cost-budget policy on the real stacks, through the same evaluation path as policy:check (the
 * pack's PolicyResources, props behind the unknown-checking proxy): it fires over budget naming the
 * top three drivers, stays quiet within it, and computes the plan's own number from resource inputs.
 * Plus: the budgets and assumptions live in one place each, checked against each other.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_TABLE, defaultOf } from "../../config";
import { REPO_ROOT } from "../../harness";
import { evaluate, loadPolicyConfig } from "../../policy/evaluate";
import { DEFAULT_ASSUMPTIONS, topDrivers, usd } from "../cost";
import { planFor } from "./helpers";

const ENVS = ["dev", "staging", "prod"] as const;
const budgetRun = (records: Parameters<typeof evaluate>[0], level: "advisory" | "mandatory", monthlyBudgetUsd: number) =>
    evaluate(records, { all: "disabled", "cost-budget": { enforcementLevel: level, monthlyBudgetUsd } }).filter((v) => v.policyName === "cost-budget");

describe("plan: cost-budget policy on the real stacks", function () {
    this.timeout(180_000);

    for (const s of ENVS) {
        it(`${s}: fires a cent under the estimate, naming the top three drivers; quiet at the estimate`, async () => {
            const p = await planFor(s);
            const total = p.cost!.totalUsd;
            const over = budgetRun(p.resources, "mandatory", Math.floor(total * 100) / 100 - 0.01);
            assert.equal(over.length, 1);
            assert.ok(over[0].message.startsWith(`Estimated monthly cost ${usd(total)} exceeds the budget`), over[0].message);
            assert.ok(over[0].message.endsWith(`Top cost drivers: ${topDrivers(p.cost!, 3).join("; ")}.`), over[0].message);
            assert.equal(over[0].urn, p.cost!.byResource[0].urn, "reported on the top driver");
            assert.deepEqual(budgetRun(p.resources, "mandatory", Math.ceil(total)), []);
        });
    }

    it("the committed budgets hold: no cost-budget verdict in any stack's plan; dev advisory, staging and prod mandatory", async () => {
        for (const s of ENVS) {
            const p = await planFor(s);
            assert.ok(!p.policy.violations.some((v) => v.policyName === "cost-budget"), s);
            const entry = loadPolicyConfig(path.join(REPO_ROOT, "policy", "config", `${s}.json`))["cost-budget"] as {
                enforcementLevel: string;
                monthlyBudgetUsd: number;
            };
            assert.equal(entry.enforcementLevel, s === "dev" ? "advisory" : "mandatory");
            assert.ok(p.cost!.totalUsd < entry.monthlyBudgetUsd);
        }
    });

    it("a budget policy verdict in dev is advisory, in prod mandatory (levels from policy/config)", async () => {
        for (const s of ["dev", "prod"] as const) {
            const p = await planFor(s);
            const cfg = loadPolicyConfig(path.join(REPO_ROOT, "policy", "config", `${s}.json`));
            const entry = cfg["cost-budget"] as Record<string, unknown>;
            const vs = evaluate(p.resources, { ...cfg, "cost-budget": { ...entry, monthlyBudgetUsd: 1 } }, { stack: s }).filter(
                (v) => v.policyName === "cost-budget",
            );
            assert.equal(vs.length, 1);
            assert.equal(vs[0].enforcementLevel, s === "dev" ? "advisory" : "mandatory");
        }
    });

    it("one budget per stack: config monthlyBudgetUsd (the plan) equals policy/config cost-budget.monthlyBudgetUsd (pulumi preview)", async () => {
        for (const s of ENVS) {
            const p = await planFor(s);
            assert.equal(
                p.costBudget?.configUsd,
                defaultOf(CONFIG_TABLE.monthlyBudgetUsd, s),
                `${s}: a stack file overrides the budget — mirror it in policy/config/${s}.json`,
            );
            assert.equal(p.costBudget?.policyUsd, p.costBudget?.configUsd, s);
        }
    });

    it("the config table's cost* defaults are the engine's per-environment assumptions (the pack has only the engine's)", () => {
        const rows: Record<string, keyof (typeof DEFAULT_ASSUMPTIONS)["dev"]> = {
            costNatProcessedGbPerMonth: "natProcessedGbPerMonth",
            costInternetEgressGbPerMonth: "internetEgressGbPerMonth",
            costAlbLcuAverage: "albLcuAverage",
            costControlPlaneLogGbPerTypeMonth: "controlPlaneLogGbPerTypeMonth",
            costFlowLogGbPerMonth: "flowLogGbPerMonth",
            costS3GbPerBucket: "s3GbPerBucket",
            costKarpenterBaselineNodes: "karpenterBaselineNodes",
        };
        const costRows = Object.entries(CONFIG_TABLE)
            .filter(([, r]) => r.feeds.startsWith("cost.assumptions."))
            .map(([k]) => k);
        assert.deepEqual(costRows.sort(), Object.keys(rows).sort(), "every cost* row is mapped here");
        for (const [key, assumption] of Object.entries(rows))
            for (const env of ENVS)
                assert.equal(defaultOf(CONFIG_TABLE[key as keyof typeof CONFIG_TABLE], env), DEFAULT_ASSUMPTIONS[env][assumption], `${key} ${env}`);
    });

    it("the engine the pack imports uses node built-ins and relative files only (the pack has just its own node_modules)", () => {
        const packDeps = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy", "package.json"), "utf8")) as { dependencies: Record<string, string> })
            .dependencies;
        const seen = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) return;
            seen.add(file);
            const src = fs.readFileSync(file, "utf8");
            for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
                const spec = m[1];
                if (spec.startsWith("node:")) continue;
                if (!spec.startsWith(".")) {
                    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                    assert.ok(
                        file.includes(`${path.sep}policy${path.sep}`) && pkg in packDeps,
                        `${path.relative(REPO_ROOT, file)} imports ${spec} (not a dependency of the pack)`,
                    );
                    continue;
                }
                const target = path.resolve(path.dirname(file), spec) + ".ts";
                assert.ok(
                    target.startsWith(path.join(REPO_ROOT, "policy")) || target.startsWith(path.join(REPO_ROOT, "plan", "cost")),
                    `${path.relative(REPO_ROOT, file)} reaches ${spec}`,
                );
                visit(target);
            }
        };
        visit(path.join(REPO_ROOT, "policy", "rules", "stack", "cost.ts"));
        assert.ok([...seen].some((f) => f.endsWith(path.join("plan", "cost", "estimate.ts"))));
    });
});
