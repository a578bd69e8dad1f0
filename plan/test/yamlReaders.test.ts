/**
 * Every file the offline plan writes (manifests and Helm values) reads the same in every YAML reader
 * a user may point at it. The readers disagree on plain scalars: YAML 1.1 (kubectl's and Helm's
 * sigs.k8s.io/yaml on go-yaml v2, PyYAML) reads `no`, `on`, `y` as booleans, `012` as octal 10, `1_000`
 * as 1000, `1:20` as 80 and `2026-12-02` as a timestamp; YAML 1.2 (core schema) reads `0o17` as 15 and
 * `012` as 12, and all of those others as strings.
 *
 * Readers used, pinned in package.json:
 *   - `yaml` (2.9.1) with `version: "1.1"`: the only JavaScript reader that implements the whole YAML 1.1
 *     type repository (booleans, base-2/8/60 ints, timestamps, merge keys);
 *   - `yaml` with its default YAML 1.2 core schema;
 *   - `js-yaml` (5.5.0): an independent 1.2 implementation, so a bug shared by `yaml`'s writer and
 *     reader cannot hide. The Go reader itself (kubectl) reads every manifest in the conformance suite.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as jsYaml from "js-yaml";
import * as YAML from "yaml";
import type { ResourceRecord } from "../../harness";
import { renderManifests } from "../manifests";
import { writePlan } from "../write";
import { planFor } from "./helpers";

/** Parses one file with each reader; a reader's error or warning is a failure of its own. */
function readAll(text: string, file: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const version of ["1.1", "1.2"] as const) {
        const docs = YAML.parseAllDocuments(text, { version });
        const list = Array.isArray(docs) ? docs : [docs];
        for (const d of list) {
            assert.deepEqual(d.errors.map(String), [], `${file}: YAML ${version} errors`);
            assert.deepEqual(d.warnings.map(String), [], `${file}: YAML ${version} warnings`);
        }
        out[`yaml ${version}`] = list.map((d) => d.toJS());
    }
    out["js-yaml"] = jsYaml.loadAll(text);
    return out;
}

function assertSameEverywhere(text: string, file: string): void {
    const [first, ...rest] = Object.entries(readAll(text, file));
    for (const [reader, data] of rest) assert.deepEqual(data, first[1], `${file}: ${reader} reads it differently from ${first[0]}`);
}

const AMBIGUOUS = [
    ...["no", "yes", "on", "off", "y", "n", "Y", "N", "NO", "Yes", "On", "OFF", "true", "False", "TRUE"],
    ...["~", "null", "Null", "NULL", ""],
    ...["0o17", "1_000", "012", "0777", "08", "0x1F", "0b101", "+12", "-3", "1:20", "190:20:30"],
    ...["1e3", "1.0e+3", ".5", "5.", "1_000.5", ".inf", "-.Inf", ".NaN", ".nan"],
    ...["2026-12-02", "2026-12-02T10:00:00Z", "2026-12-02 10:00:00.5 +01:00"],
    ...["<<", "=", "--appendonly", "@x", "#x", "a: b", " lead", "trail ", "- x", "? x"],
];

describe("plan: YAML safe for every reader (1.1 and 1.2)", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: every manifest and Helm values file reads identically in YAML 1.1, YAML 1.2 and js-yaml`, async () => {
            const plan = await planFor(stack);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plan-yaml-${stack}-`));
            try {
                writePlan(plan, dir);
                const files = ["manifests", "helm-values", "patches"].flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(d, f)));
                assert.ok(files.filter((f) => f.startsWith("manifests")).length > 10, "the plan writes manifests");
                assert.ok(
                    files.some((f) => f.endsWith(".values.yaml")),
                    "and Helm values files",
                );
                for (const f of files) assertSameEverywhere(fs.readFileSync(path.join(dir, f), "utf8"), f);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("strings that look like booleans, numbers, nulls, timestamps or merge keys stay strings — as values, list items and keys", () => {
        const asMap = Object.fromEntries(AMBIGUOUS.map((s) => [s, s]));
        const rec = (type: string, name: string, inputs: Record<string, unknown>): ResourceRecord => ({
            urn: `urn:pulumi:t::p::${type}::${name}`,
            type,
            name,
            custom: true,
            remote: false,
            parent: "",
            provider: "",
            dependencies: [],
            protect: false,
            inputs,
        });
        const files = renderManifests([
            rec("kubernetes:core/v1:ConfigMap", "c", { metadata: { name: "c", labels: { on: "yes" } }, data: asMap }),
            rec("kubernetes:helm.sh/v3:Release", "r", { chart: "x", version: "1.0.0", values: { args: AMBIGUOUS, nested: { map: asMap, off: 1 } } }),
        ]);
        const [cm, values] = files.map((f) => YAML.parse(f.content, { version: "1.1" }) as Record<string, any>);
        assert.deepEqual(cm.data, asMap);
        assert.deepEqual(cm.metadata.labels, { on: "yes" });
        assert.deepEqual(values, { args: AMBIGUOUS, nested: { map: asMap, off: 1 } });
        for (const f of files) assertSameEverywhere(f.content, f.file);
        // Real non-strings keep their type: quoting is only for strings.
        const typed = renderManifests([rec("kubernetes:helm.sh/v3:Release", "t", { values: { n: 3, f: 0.5, b: false, z: null } })])[0];
        assert.deepEqual(YAML.parse(typed.content, { version: "1.1" }), { n: 3, f: 0.5, b: false, z: null });
    });

    it("spellings only go-yaml v2 (kubectl, Helm) reads as numbers, and PyYAML's `=`, are quoted too", () => {
        // The JavaScript readers read these as strings either way, so the data comparison cannot see them:
        // assert the quoting itself.
        const goOnly = ["0O17", "0X1F", "0B101", "-0o7", "+0x1F", "1_", "+_1", "0_x1F", "1_0.5", ".5_"];
        const [f] = renderManifests([
            {
                urn: "urn:pulumi:t::p::kubernetes:helm.sh/v3:Release::r",
                type: "kubernetes:helm.sh/v3:Release",
                name: "r",
                custom: true,
                remote: false,
                parent: "",
                provider: "",
                dependencies: [],
                protect: false,
                inputs: { values: { args: [...goOnly, "="], plain: ["1.2.3", "30s", "10Gi", "v1.36", "0.0.0.0/0"] } },
            },
        ]);
        for (const s of [...goOnly, "="]) assert.ok(f.content.includes(`  - "${s}"\n`), `${s} is not quoted:\n${f.content}`);
        // ...while strings no reader mistakes stay plain (readable manifests).
        for (const s of ["1.2.3", "30s", "10Gi", "v1.36", "0.0.0.0/0"]) assert.ok(f.content.includes(`  - ${s}\n`), `${s} is quoted needlessly`);
    });

    it("the check has teeth: a 1.1 reader reads an unquoted `no` as false where a 1.2 reader reads a string", () => {
        const text = "args:\n  - --appendonly\n  - no\n";
        assert.throws(() => assertSameEverywhere(text, "bad.yaml"), /reads it differently/);
    });
});
