/**
 * The conformance suite's offline half (scripts/suite-conformance.sh runs the API server half): its
 * CRD list covers every custom resource the plans render, at the chart versions they deploy; the
 * objects it reads are the ones the plan wrote; its bad objects each carry exactly their one defect.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadCrdSources } from "../../conformance/crds";
import { parseApply } from "../../conformance/kubectl";
import { negatives } from "../../conformance/negatives";
import { changedObjects, isCustomResource, readObjects } from "../../conformance/objects";
import { writePlan } from "../write";
import { planFor } from "./helpers";

function written(stack: string) {
    return planFor(stack).then((plan) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `conformance-${stack}-`));
        writePlan(plan, dir);
        return { plan, dir };
    });
}

describe("conformance suite (offline half)", () => {
    const sources = loadCrdSources();

    it("crds.json: every file pinned by module@version+sum (or an explicit non-exact fallback), sha256, and kinds no other file claims", () => {
        const kinds = new Map<string, string>();
        for (const s of sources) {
            assert.ok(s.chart && s.chartVersion && s.why, `${s.name}: chart, chartVersion and why are required`);
            if (s.goModule) {
                assert.match(s.version ?? "", /^v\d+\.\d+\.\d+$/, `${s.name}: an exact module version`);
                assert.match(s.sum ?? "", /^h1:[A-Za-z0-9+/]{43}=$/, `${s.name}: the module's go.sum hash`);
            } else {
                assert.equal(s.exact, false, `${s.name}: a source that is not a Go module must say exact: false`);
                assert.ok(s.sharedDir && s.upstream, `${s.name}: sharedDir and upstream`);
            }
            for (const f of s.files) {
                assert.match(f.sha256, /^[0-9a-f]{64}$/);
                for (const k of f.kinds) {
                    assert.match(k, /^[a-z0-9.-]+\/[A-Z][A-Za-z0-9]+$/);
                    assert.ok(!kinds.has(k), `${k} is defined by ${kinds.get(k)} and ${f.path}`);
                    kinds.set(k, f.path);
                }
            }
        }
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: every custom resource kind has a CRD in crds.json, pinned to the chart version the plan deploys`, async () => {
            const { dir } = await written(stack);
            try {
                const kinds = new Set(sources.flatMap((s) => s.files.flatMap((f) => f.kinds)));
                const objects = readObjects(path.join(dir, "manifests"));
                const crs = objects.filter(isCustomResource);
                assert.ok(crs.length > 0, "the plan renders custom resources");
                for (const o of crs) assert.ok(kinds.has(`${o.group}/${o.kind}`), `${o.id}: no CRD in conformance/crds.json`);
                for (const f of fs.readdirSync(path.join(dir, "helm-values"))) {
                    const text = fs.readFileSync(path.join(dir, "helm-values", f), "utf8");
                    const chart = /^# chart: +(\S+)$/m.exec(text)?.[1];
                    const version = /^# version: +(\S+)$/m.exec(text)?.[1];
                    const s = sources.find((x) => x.chart === chart);
                    if (s) assert.equal(version, s.chartVersion, `${chart}: the plan deploys ${version}, crds.json pins ${s.chartVersion}`);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("reads back exactly the objects the plan wrote (one per manifest file), and sees what a change alters", async () => {
        const { plan, dir } = await written("staging");
        try {
            const objects = readObjects(path.join(dir, "manifests"));
            assert.equal(objects.length, fs.readdirSync(path.join(dir, "manifests")).length);
            assert.equal(new Set(objects.map((o) => o.id)).size, objects.length, "identities are unique");
            assert.ok(plan.resources.length > objects.length);
            const moved = objects.map((o) =>
                o.kind === "ConfigMap" && o.name.startsWith("storefront-config") ? { ...o, object: { ...o.object, data: { X: "1" } } } : o,
            );
            const extra = { ...objects[0], id: "v1/ConfigMap/shop/new", name: "new" };
            const d = changedObjects(objects, [...moved.slice(1), extra]);
            assert.deepEqual(
                d.changed.map((o) => o.name.replace(/-[0-9a-f]+$/, "")),
                ["storefront-config"],
            );
            assert.deepEqual(
                d.added.map((o) => o.name),
                ["new"],
            );
            assert.deepEqual(
                d.removed.map((o) => o.id),
                [objects[0].id],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("each bad object differs from a real one by its one defect", async () => {
        const { dir } = await written("staging");
        try {
            const objects = readObjects(path.join(dir, "manifests"));
            const bad = negatives(objects);
            assert.deepEqual(
                bad.map((n) => n.id),
                [
                    "unknown-field",
                    "pod-security-warn",
                    "pod-security-enforce",
                    "crd-schema-servicemonitor",
                    "crd-schema-nodepool",
                    "crd-schema-externalsecret",
                    "crd-schema-cnpg-cluster",
                    "yaml-1.1-boolean",
                ],
            );
            const read = (id: string, version: "1.1" | "1.2" = "1.2") => YAML.parse(bad.find((n) => n.id === id)!.text, { version }) as Record<string, any>;
            assert.equal(read("unknown-field").spec.replicaz, 2);
            assert.equal(read("pod-security-warn").spec.template.spec.containers[0].securityContext.privileged, true);
            assert.equal(read("pod-security-enforce").kind, "Pod");
            assert.equal(read("crd-schema-servicemonitor").spec.endpoints[0].scheme, "gopher");
            // The YAML 1.1 one is the Redis StatefulSet as written, but for two unquoted strings: the same
            // data for a YAML 1.2 reader, booleans for a 1.1 reader.
            const redis = objects.find((o) => o.kind === "StatefulSet" && o.name === "redis")!;
            assert.deepEqual(read("yaml-1.1-boolean", "1.2"), YAML.parse(redis.text));
            assert.ok((read("yaml-1.1-boolean", "1.1").spec.template.spec.containers[0].args as unknown[]).some((a) => typeof a === "boolean"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("kubectl's output: accepted objects from stdout; warnings and errors from stderr, --warnings-as-errors' summary not counted twice", () => {
        const r = parseApply(
            1,
            "deployment.apps/catalog\nservice/catalog\n",
            'Warning: would violate PodSecurity "restricted:latest": privileged\nError from server (Forbidden): pods "p" is forbidden: violates PodSecurity\nerror: 1 warning received\n',
        );
        assert.equal(r.ok, false);
        assert.deepEqual(r.accepted, ["deployment.apps/catalog", "service/catalog"]);
        assert.deepEqual(r.warnings, ['would violate PodSecurity "restricted:latest": privileged']);
        assert.deepEqual(r.errors, ['Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity']);
    });
});
