/**
 * docs/observability.md's per-stack table of retention, sampling, storage and what logs and traces
 * cost: every figure is the stack's config default or the offline plan's cost estimate (the
 * Observability component plus the telemetry buckets), so the table cannot drift from either.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultsFor } from "../../config";
import { usd } from "../cost/estimate";
import { planFor } from "./helpers";

const DOC = path.join(__dirname, "..", "..", "docs", "observability.md");
const BEGIN = "<!-- telemetry-table:begin (checked by plan/test/cost-observability.test.ts) -->";
const END = "<!-- telemetry-table:end -->";

export async function telemetryTable(): Promise<string> {
    const lines = [
        BEGIN,
        "| stack | logs kept | traces kept | traces sampled (errors: all) | where | Loki / Tempo volume | logs and traces / month |",
        "|---|---:|---:|---:|---|---:|---:|",
    ];
    for (const s of ["dev", "staging", "prod"] as const) {
        const d = defaultsFor(s);
        const cost = (await planFor(s)).cost!;
        const own = cost.byComponent.filter((c) => c.component.startsWith("Observability ") || c.component.startsWith("SecureBucket telemetry-"));
        const monthly = own.reduce((x, c) => x + c.monthlyUsd, 0);
        lines.push(
            `| ${s} | ${d.lokiRetentionDays} d | ${d.tempoRetentionDays} d | ${d.traceSamplingPercent} % | ${d.telemetryObjectStorage ? "S3 (one bucket per store) + WAL volume" : "the pods' volumes"} | ${d.lokiStorageGiB} / ${d.tempoStorageGiB} GiB | ${usd(monthly)} |`,
        );
    }
    return [...lines, END].join("\n");
}

describe("plan: logs and traces per stack (docs/observability.md)", function () {
    this.timeout(300_000);
    it("the table equals the config defaults and the plans' cost of the Observability component and its buckets", async () => {
        const doc = fs.readFileSync(DOC, "utf8");
        const i = doc.indexOf(BEGIN);
        const j = doc.indexOf(END);
        assert.ok(i >= 0 && j > i, `docs/observability.md has no ${BEGIN} … ${END} block`);
        const want = await telemetryTable();
        assert.equal(doc.slice(i, j + END.length), want, `replace the block in docs/observability.md with:\n${want}`);
    });
});
