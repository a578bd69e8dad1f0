import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { ResourceRecord } from "../../harness";
import { REDACTED_FOR_TEST, renderManifests } from "./manifestFixtures";
import { planFor } from "./helpers";
import { writePlan } from "../write";
import { validateK8sObject as validate } from "../../harness/schemas";

describe("plan: Kubernetes manifests", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: one file per Kubernetes object and per Helm release; each parses and validates against the schemas`, async () => {
            const plan = await planFor(stack);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plan-manifests-${stack}-`));
            writePlan(plan, dir);
            // manifests/ holds only Kubernetes objects (so `kubectl apply -f manifests/` reads every file as
            // objects); each Helm release's values go to helm-values/, numbered in the same sequence.
            const objectFiles = fs.readdirSync(path.join(dir, "manifests"));
            const valuesFiles = fs.readdirSync(path.join(dir, "helm-values"));
            // Patches of objects a controller creates (a StatefulSet's claims) cannot apply before those exist.
            const patchFiles = fs.readdirSync(path.join(dir, "patches"));
            assert.deepEqual(
                objectFiles.filter((f) => /^\d+-patch-/.test(f)),
                [],
                "patches in manifests/",
            );
            assert.deepEqual(
                patchFiles.filter((f) => !/^\d+-patch-/.test(f)),
                [],
                "objects in patches/",
            );
            assert.deepEqual(
                objectFiles.filter((f) => f.endsWith(".values.yaml")),
                [],
                "Helm values files in manifests/",
            );
            assert.deepEqual(
                valuesFiles.filter((f) => !f.endsWith(".values.yaml")),
                [],
                "objects in helm-values/",
            );
            const where = new Map([
                ...objectFiles.map((f) => [f, "manifests"] as const),
                ...valuesFiles.map((f) => [f, "helm-values"] as const),
                ...patchFiles.map((f) => [f, "patches"] as const),
            ]);
            const files = [...where.keys()].sort();
            const k8s = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            assert.ok(k8s.length > 0, "the program declares Kubernetes objects");
            assert.equal(files.length, k8s.length);
            const releases = k8s.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
            assert.equal(files.filter((f) => /^\d+-helmrelease-.+\.values\.yaml$/.test(f)).length, releases.length);
            const width = String(files.length).length < 2 ? 2 : String(files.length).length;
            for (const [i, f] of files.entries()) assert.ok(f.startsWith(String(i + 1).padStart(width, "0") + "-"), `${f} is not numbered in order`);

            for (const f of files) {
                const text = fs.readFileSync(path.join(dir, where.get(f)!, f), "utf8");
                const doc = YAML.parse(text) as Record<string, unknown>;
                assert.ok(doc && typeof doc === "object", `${f} is not a YAML mapping`);
                if (f.endsWith(".values.yaml")) {
                    assert.match(text, /^# chart: {5}\S+/m);
                    assert.match(text, /^# chart: {5}oci:\/\/\S+$|^# repo: {6}https:\/\//m);
                    assert.match(text, /^# version: {3}\d/m);
                    continue;
                }
                const kindSlug = f.replace(/^\d+-(patch-)?/, "").split("-")[0];
                assert.equal(String(doc.kind).toLowerCase(), kindSlug, f);
                try {
                    await validate(doc);
                } catch (e) {
                    assert.fail(`${f}: ${(e as Error).message}`);
                }
            }
        });
    }

    it("the kube-prometheus-stack release's values carry the per-env retention", async () => {
        const plan = await planFor("prod");
        const files = renderManifests(plan.resources);
        const kps = files.find((m) => m.kind === "HelmRelease" && m.content.includes("# chart:     kube-prometheus-stack"));
        assert.ok(kps, "no kube-prometheus-stack values file");
        const values = YAML.parse(kps.content) as { prometheus: { prometheusSpec: { retention: string } } };
        assert.match(values.prometheus.prometheusSpec.retention, /^\d+d$/);
    });

    it("reconstructs an object from inputs: apiVersion/kind from the type, auto-name noted, whole-map secrets emptied", async () => {
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
            rec("kubernetes:core/v1:Secret", "creds", { metadata: { namespace: "data" }, stringData: REDACTED_FOR_TEST, type: "Opaque" }),
            rec("kubernetes:apps/v1:Deployment", "web", {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "web" },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: { a: "b" } },
                    template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x@sha256:00" }] } },
                },
            }),
        ]);
        assert.deepEqual(
            files.map((f) => f.file),
            ["01-secret-creds.yaml", "02-deployment-web.yaml"],
        );
        const secret = YAML.parse(files[0].content) as Record<string, any>;
        assert.equal(secret.apiVersion, "v1");
        assert.equal(secret.kind, "Secret");
        assert.equal(secret.metadata.name, "creds");
        assert.deepEqual(secret.stringData, {});
        assert.match(files[0].content, /auto-named by Pulumi/);
        assert.match(files[0].content, /stringData: secret — keys and values redacted/);
        await validate(secret);
        await validate(YAML.parse(files[1].content) as Record<string, unknown>);
        // and a broken object does fail validation (the check has teeth)
        await assert.rejects(validate({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two" } }));
        await assert.rejects(
            validate({ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "x" }, spec: { endpoints: [] } }),
            /selector/,
        );
        await assert.rejects(validate({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } }), /no schema registered/);
    });
});
