/**
 * Every Helm value the program sets must exist in the chart's default values.yaml.
 *
 * The key lists live in components/addons/data/chart-keys/<chart>-<version>.json. Each one was
 * extracted from an upstream values.yaml (its `source`, and `versionMatch` says how close that
 * file is to the pinned version). A path we set is accepted when it is a key, or when one of its
 * prefixes is listed in `freeForm` (a passthrough map or list such as `resources`,
 * `nodeSelector`, `alertmanager.config` or `prometheus.prometheusSpec.storageSpec`).
 * A release whose chart/version has no key file fails: bumping a chart means re-extracting it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isRedactedSecret, ResourceRecord } from "../harness";
import { ofType, STACKS, stackRun } from "./helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KEYS_DIR = path.join(__dirname, "..", "components", "addons", "data", "chart-keys");

export interface ChartKeys {
    chart: string;
    version: string;
    source: string;
    versionMatch?: string;
    keys: string[];
    commented?: string[];
    freeForm: string[];
}

/** `oci://public.ecr.aws/karpenter/karpenter` -> `karpenter`; `metrics-server` stays. */
export function chartName(chart: string): string {
    return chart.split("/").pop()!;
}

export function keyFilePath(chart: string, version: string): string {
    return path.join(KEYS_DIR, `${chartName(chart)}-${version}.json`);
}

export function loadChartKeys(chart: string, version: string): ChartKeys | undefined {
    const file = keyFilePath(chart, version);
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as ChartKeys;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !isRedactedSecret(v);
}

/** Dotted leaf paths of a values tree. Arrays, scalars, secrets and empty maps are leaves. */
export function leafPaths(values: unknown, prefix = ""): string[] {
    if (!isPlainObject(values) || Object.keys(values).length === 0) return prefix ? [prefix] : [];
    return Object.entries(values).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Paths not covered by the chart's keys (nor by a free-form prefix). */
export function unknownPaths(paths: string[], keys: ChartKeys): string[] {
    const known = new Set(keys.keys);
    const free = keys.freeForm;
    return paths.filter((p) => !known.has(p) && !free.some((f) => p === f || p.startsWith(`${f}.`)));
}

describe("chart values: unit", () => {
    it("flattens nested values to leaf paths (arrays, secrets and {} are leaves)", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[redacted]" };
        assert.deepEqual(leafPaths({ a: { b: 1, c: [1, 2], d: {}, e: secret } }).sort(), ["a.b", "a.c", "a.d", "a.e"]);
    });
    it("accepts keys and anything under a free-form prefix, and nothing else", () => {
        const keys: ChartKeys = { chart: "x", version: "1.0.0", source: "", keys: ["a", "a.b", "r"], freeForm: ["r"] };
        assert.deepEqual(unknownPaths(["a.b", "r.limits.memory", "a.c", "rx"], keys), ["a.c", "rx"]);
    });
    it("every key file names its chart and version and lists free-form prefixes among its keys", () => {
        for (const f of fs.readdirSync(KEYS_DIR).filter((n) => n.endsWith(".json"))) {
            const k = JSON.parse(fs.readFileSync(path.join(KEYS_DIR, f), "utf8")) as ChartKeys;
            assert.equal(f, `${k.chart}-${k.version}.json`, `${f}: chart/version fields do not match the file name`);
            assert.ok(k.source, `${f}: no source`);
            const keys = new Set(k.keys);
            assert.deepEqual(
                k.freeForm.filter((p) => !keys.has(p)),
                [],
                `${f}: freeForm prefixes that are not keys`,
            );
        }
    });
});

for (const stack of STACKS) {
    describe(`chart values (${stack})`, () => {
        let releases: ResourceRecord[] = [];
        before(async () => {
            releases = ofType((await stackRun(stack)).resources, RELEASE);
        });

        it("registers Helm releases", () => {
            assert.ok(releases.length > 0, "no kubernetes:helm.sh/v3:Release registered");
        });

        it("every release has a key file for its exact chart and version", () => {
            const missing = releases
                .filter((r) => !loadChartKeys(String(r.inputs.chart), String(r.inputs.version)))
                .map(
                    (r) =>
                        `${r.name}: ${chartName(String(r.inputs.chart))} ${String(r.inputs.version)} -> ${path.relative(process.cwd(), keyFilePath(String(r.inputs.chart), String(r.inputs.version)))}`,
                );
            assert.deepEqual(missing, [], `releases without a chart key file:\n  ${missing.join("\n  ")}`);
        });

        it("every value we set is a key of the chart's values.yaml", () => {
            const report: string[] = [];
            for (const r of releases) {
                const keys = loadChartKeys(String(r.inputs.chart), String(r.inputs.version));
                if (!keys) continue; // reported by the test above
                const unknown = unknownPaths(leafPaths(r.inputs.values ?? {}), keys);
                for (const p of unknown) report.push(`${r.name} (${keys.chart} ${keys.version}): ${p}`);
            }
            if (report.length > 0) console.log(`\n[${stack}] Helm values not found in the chart's values.yaml:\n  ${report.join("\n  ")}`);
            assert.deepEqual(report, [], `unknown Helm values (see components/addons/data/chart-keys/):\n  ${report.join("\n  ")}`);
        });
    });
}
