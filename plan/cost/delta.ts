/**
 * Monthly cost delta between two sets of resources: per resource (matched by URN with the stack
 * name normalised, as `plan --diff` matches them) and in total. `plan --diff A B` uses it, and so
 * can the change plan (`--base`): `costDelta(baseRecords, currentRecords)`.
 */
import { normaliseName } from "../diff";
import { estimateCost, stackOfUrn, usd, type EstimateOptions } from "./estimate";
import type { CostEstimate, CostResource } from "./types";

export interface CostDeltaRow {
    /** `<type chain>::<name with {stack}>`, or `(stack)::<item>` for stack-wide lines. */
    key: string;
    type: string;
    name: string;
    baseUsd: number;
    currentUsd: number;
    deltaUsd: number;
}

export interface CostDelta {
    baseStack: string;
    currentStack: string;
    region: string;
    baseTotalUsd: number;
    currentTotalUsd: number;
    deltaUsd: number;
    /** Rows whose monthly cost changed (by more than half a cent), largest change first. */
    rows: CostDeltaRow[];
}

const isEstimate = (x: unknown): x is CostEstimate => (x as CostEstimate | undefined)?.format === "shop-platform/cost@1";

function keyed(est: CostEstimate): Map<string, { type: string; name: string; usd: number }> {
    const m = new Map<string, { type: string; name: string; usd: number }>();
    for (const r of est.byResource) {
        const tail = r.urn ? (/^urn:pulumi:[^:]*::[^:]*::(.*)$/.exec(r.urn)?.[1] ?? r.urn) : `(stack)::${r.name}`;
        const key = normaliseName(tail, est.stack);
        const prev = m.get(key);
        m.set(key, { type: r.type, name: normaliseName(r.name, est.stack), usd: (prev?.usd ?? 0) + r.monthlyUsd });
    }
    return m;
}

export function costDelta(
    base: CostResource[] | CostEstimate,
    current: CostResource[] | CostEstimate,
    opts: { base?: EstimateOptions; current?: EstimateOptions } = {},
): CostDelta {
    const b = isEstimate(base) ? base : estimateCost(base, opts.base);
    const c = isEstimate(current) ? current : estimateCost(current, opts.current);
    const kb = keyed(b);
    const kc = keyed(c);
    const rows: CostDeltaRow[] = [];
    for (const key of new Set([...kb.keys(), ...kc.keys()])) {
        const x = kb.get(key);
        const y = kc.get(key);
        const d = (y?.usd ?? 0) - (x?.usd ?? 0);
        if (Math.abs(d) < 0.005) continue;
        rows.push({ key, type: (y ?? x)!.type, name: (y ?? x)!.name, baseUsd: x?.usd ?? 0, currentUsd: y?.usd ?? 0, deltaUsd: d });
    }
    rows.sort((p, q) => Math.abs(q.deltaUsd) - Math.abs(p.deltaUsd) || p.key.localeCompare(q.key));
    return {
        baseStack: b.stack || stackOfUrn(b.byResource[0]?.urn ?? "") || "?",
        currentStack: c.stack,
        region: c.region,
        baseTotalUsd: b.totalUsd,
        currentTotalUsd: c.totalUsd,
        deltaUsd: c.totalUsd - b.totalUsd,
        rows,
    };
}

const signed = (x: number) => (x >= 0 ? `+${usd(x)}` : `−${usd(-x)}`);

export function renderCostDelta(d: CostDelta, max = 25): string {
    const out = [
        `Monthly cost ${d.baseStack} → ${d.currentStack} (estimate, ${d.region}): ${usd(d.baseTotalUsd)} → ${usd(d.currentTotalUsd)} (${signed(d.deltaUsd)})`,
    ];
    if (d.rows.length === 0) out.push("  (no resource changes cost)");
    const shown = d.rows.slice(0, max);
    const w = Math.max(...shown.map((r) => `${r.type.split(":").pop()} ${r.name}`.length), 8);
    for (const r of shown)
        out.push(
            `  ${`${r.type.split(":").pop()} ${r.name}`.padEnd(w)}  ${usd(r.baseUsd).padStart(11)} → ${usd(r.currentUsd).padStart(11)}  ${signed(r.deltaUsd).padStart(12)}`,
        );
    if (d.rows.length > max) out.push(`  … and ${d.rows.length - max} more (see --json)`);
    return out.join("\n");
}
