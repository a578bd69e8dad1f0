/** The cost estimate of a plan: engine, prices, assumptions, delta, rendering, cost.json. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CostEstimate } from "./types";

export * from "./assumptions";
export * from "./delta";
export { estimateCost, inferEnvironment, topDrivers, usd, round2, type EstimateOptions } from "./estimate";
export * from "./prices";
export { renderCost } from "./render";
export * from "./types";

/** out/<stack>/cost.json: the estimate, amounts rounded to cents (totals are sums of the unrounded lines). */
export function writeCostFile(dir: string, est: CostEstimate): string {
    const r = (x: number) => Math.round(x * 100) / 100;
    const doc = {
        ...est,
        totalUsd: r(est.totalUsd),
        lines: est.lines.map((l) => ({ ...l, monthlyUsd: r(l.monthlyUsd) })),
        byComponent: est.byComponent.map((c) => ({ ...c, monthlyUsd: r(c.monthlyUsd) })),
        byResource: est.byResource.map((c) => ({ ...c, monthlyUsd: r(c.monthlyUsd) })),
        savings: est.savings.map((s) => ({ ...s, monthlyUsd: r(s.monthlyUsd) })),
    };
    const file = path.join(dir, "cost.json");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
    return file;
}
