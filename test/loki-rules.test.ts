/**
 * The Loki ruler's alert rules (monitoring/loki-rules): shape, labels and runbooks, and the LogQL they
 * run, checked here without a Loki (no Loki binary or rule tool is built on this machine: the rules'
 * evaluation is not tested by a real engine, see docs/observability.md).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadLokiRules } from "../components/observability";

const DIR = path.join(__dirname, "..", "monitoring", "loki-rules");
const RUNBOOK_PREFIX = "https://github.com/shop-platform/shop-platform/blob/main/docs/runbooks/";
/** Stream labels the node agent sets (components/observability/alloy.ts). */
const STREAM_LABELS = new Set(["namespace", "pod", "container", "app", "level"]);

interface Rule {
    alert?: string;
    record?: string;
    expr: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}
const rules = (): Rule[] =>
    Object.values(loadLokiRules(DIR)).flatMap((text) => (YAML.parse(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));

describe("Loki ruler rules (monitoring/loki-rules)", () => {
    it("every alert has a severity, summary, description and a runbook that exists", () => {
        const alerts = rules().filter((r) => r.alert);
        assert.ok(alerts.length >= 2);
        for (const r of alerts) {
            assert.match(r.labels?.severity ?? "", /^(critical|warning|info)$/, r.alert);
            for (const k of ["summary", "description", "runbook_url"]) assert.ok(r.annotations?.[k], `${r.alert}: ${k}`);
            const url = r.annotations!.runbook_url;
            assert.ok(url.startsWith(RUNBOOK_PREFIX), url);
            assert.ok(fs.existsSync(path.join(__dirname, "..", "docs", "runbooks", url.slice(RUNBOOK_PREFIX.length))), url);
            const kebab = r.alert!.replace(/(?<=[a-z0-9])(?=[A-Z])/g, "-").toLowerCase();
            assert.equal(url.slice(RUNBOOK_PREFIX.length), `${kebab}.md`);
        }
    });

    it("every expression aggregates a range over stream selectors that use the agent's labels only", () => {
        for (const r of rules()) {
            assert.match(r.expr, /^sum by \([a-z, ]+\) \(count_over_time\(/, r.alert);
            const selectors = [...r.expr.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
            assert.ok(selectors.length > 0, r.alert);
            for (const sel of selectors)
                for (const matcher of sel.split(",").map((x) => x.trim()))
                    assert.ok(STREAM_LABELS.has(matcher.split(/[=!~]/)[0]), `${r.alert}: ${matcher} is not a stream label`);
            for (const by of /^sum by \(([^)]*)\)/
                .exec(r.expr)![1]
                .split(",")
                .map((x) => x.trim()))
                assert.ok(STREAM_LABELS.has(by), `${r.alert}: grouped by ${by}, not a stream label`);
        }
    });

    it("the panic rule matches a Go panic and a raw Python traceback, not the apps' JSON lines", () => {
        const panic = rules().find((r) => r.alert === "ShopAppPanic")!;
        const re = new RegExp(/\|~ "((?:[^"\\]|\\.)*)"/.exec(panic.expr)![1].replace(/\\\\/g, "\\"));
        for (const line of [
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "fatal error: concurrent map writes",
            "Traceback (most recent call last):",
        ])
            assert.ok(re.test(line), line);
        for (const line of [
            '{"ts":"2026-12-02T10:00:00.000Z","level":"error","msg":"boom","exc":"Traceback (most recent call last):\\n ..."}',
            '{"level":"error","msg":"panic: recovered in handler"}',
            "goroutine 1 [running]:",
        ])
            assert.ok(!re.test(line), line);
    });
});
