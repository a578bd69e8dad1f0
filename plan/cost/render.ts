/** The plan's cost section (text). The same numbers are in `--json` and out/<stack>/cost.json. */
import { usd } from "./estimate";
import type { CostEstimate } from "./types";

export function renderCost(est: CostEstimate, opts: { top?: number } = {}): string {
    const top = opts.top ?? 10;
    const out: string[] = [];
    out.push(
        `  region ${est.region}, environment ${est.environment}; prices ${est.priceFile.path} read ${est.priceFile.read}${est.priceFile.regionConfirmed ? "" : " (not all confirmed for this region: see the file)"}`,
    );
    out.push("  by component:");
    const cw = Math.max(...est.byComponent.map((c) => c.component.length), 10);
    for (const c of est.byComponent) out.push(`    ${c.component.padEnd(cw)}  ${usd(c.monthlyUsd).padStart(10)}`);
    out.push(`  top resources:`);
    for (const r of est.byResource.slice(0, top)) {
        out.push(`    ${usd(r.monthlyUsd).padStart(10)}  ${r.type === "(stack)" ? r.name : `${r.type.split(":").pop()} ${r.name}`}`);
        for (const l of est.lines.filter((x) => x.urn === r.urn && x.name === r.name && x.monthlyUsd >= 0.005))
            out.push(`                  ${l.item}: ${l.formula}${l.note ? ` (${l.note})` : ""}`);
    }
    if (est.byResource.length > top) out.push(`    … ${est.byResource.length - top} more priced resources (out/${est.stack}/cost.json has every line)`);
    out.push(`  TOTAL ${usd(est.totalUsd)} / month (estimate)`);
    const used = [...new Set(est.lines.flatMap((l) => l.assumptions))].sort();
    out.push(`  assumptions (${est.environment} defaults unless overridden): ${used.map((k) => `${k}=${JSON.stringify(est.assumptions[k])}`).join(", ")}`);
    const zeroCount = est.zeroCost.reduce((s, z) => s + z.count, 0);
    out.push(
        `  no charge of their own: ${zeroCount} resources of ${est.zeroCost.length} types (IAM, Kubernetes objects on the priced nodes, ≈$0 SQS/EventBridge…: see cost.json)`,
    );
    out.push(`  not priced: ${est.notPriced.length === 0 ? "(none)" : est.notPriced.map((n) => `${n.type} ×${n.count} (${n.reason})`).join("; ")}`);
    out.push("  savings the plan can see:");
    if (est.savings.length === 0) out.push("    (none)");
    for (const s of est.savings) out.push(`    - ${usd(s.monthlyUsd)}/month: ${s.message}`);
    return out.join("\n");
}
