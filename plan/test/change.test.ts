/**
 * The change-plan engine on small synthetic records: every verdict, the rules it cites, and
 * the CLI's exit codes on resources.json bases.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, SECRET_SIG_KEY, SECRET_SIG_VALUE, type ResourceRecord, type ResourcesFile } from "../../harness";
import { computeChangePlan, changePlanJson, loadRules, pathMatches, renderChangePlan, type ChangePlan } from "../change";

const STACK = "t";
const PREFIX = `urn:pulumi:${STACK}::shop-platform::`;
const PROVIDER = `${PREFIX}pulumi:providers:kubernetes::k8s`;

function rec(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceRecord> = {}): ResourceRecord {
    return {
        urn: `${PREFIX}${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        parent: "",
        provider: type.startsWith("kubernetes:") ? `${PROVIDER}::id-1` : "",
        dependencies: [],
        protect: false,
        inputs,
        ...extra,
    };
}
const provider = (inputs: Record<string, unknown> = {}) =>
    rec("pulumi:providers:kubernetes", "k8s", { enableServerSideApply: "true", ...inputs }, { provider: "" });
const sts = (storage: string, extra: Record<string, unknown> = {}) =>
    rec("kubernetes:apps/v1:StatefulSet", "postgres", {
        metadata: { name: "postgres", namespace: "data" },
        spec: {
            serviceName: "postgres-headless",
            selector: { matchLabels: { app: "postgres" } },
            template: { metadata: { labels: { app: "postgres" } }, spec: { containers: [{ name: "pg", image: "postgres:17" }] } },
            volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage } } } }],
            ...extra,
        },
    });
const deployment = (image: string, replicas = 2) =>
    rec(
        "kubernetes:apps/v1:Deployment",
        "web",
        {
            metadata: { name: "web", namespace: "shop" },
            spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "web", image }] } } },
        },
        {
            options: {
                retainOnDelete: false,
                deleteBeforeReplace: false,
                replaceOnChanges: [],
                ignoreChanges: ["spec.replicas"],
                aliases: [],
                propertyDependencies: {},
            },
        },
    );
const configMap = (ttl: string, named = true) =>
    rec("kubernetes:core/v1:ConfigMap", "web", { metadata: { ...(named ? { name: "web-config" } : {}), namespace: "shop" }, data: { TTL: ttl } });

function plan(base: ResourceRecord[], head: ResourceRecord[]): ChangePlan {
    return computeChangePlan({ stack: STACK, base: "test", baseResources: base, resources: head });
}
const find = (p: ChangePlan, type: string, name: string) => {
    const c = p.changes.find((x) => x.type === type && x.name === name);
    assert.ok(c, `${type} ${name} not in the plan`);
    return c;
};

describe("change plan: engine", () => {
    it("rules load, and every rule cites a source", () => {
        const r = loadRules();
        for (const [k, v] of Object.entries(r.kubernetes.kinds)) assert.ok(v.source.includes("diff.go"), k);
        for (const [t, v] of Object.entries(r.types)) assert.ok(v.source && v.source.length > 10, t);
        assert.ok(r.types["aws:eks/cluster:Cluster"].replaceOnChange.includes("roleArn"));
        assert.ok(r.kubernetes.kinds["apps/v1/StatefulSet"].replaceOnChange.includes("spec.volumeClaimTemplates"));
    });

    it("pathMatches: prefix either way, * for any segment", () => {
        assert.ok(pathMatches("spec.volumeClaimTemplates", "spec.volumeClaimTemplates.0.spec.resources.requests.storage"));
        assert.ok(pathMatches("spec.template", "spec"));
        assert.ok(pathMatches("spec.containers.*.env", "spec.containers.3.env.0.value"));
        assert.ok(!pathMatches("spec.selector", "spec.template.metadata.labels.app"));
        assert.ok(pathMatches("*", "anything.at.all"));
    });

    it("no change: everything `same`, exit-worthy nothing", () => {
        const base = [provider(), sts("5Gi"), deployment("a@sha256:1")];
        const p = plan(base, structuredClone(base));
        assert.deepEqual(
            p.changes.map((c) => c.action),
            ["same", "same", "same"],
        );
        assert.equal(p.blocking.length, 0);
        assert.match(renderChangePlan(p), /No changes\./);
    });

    it("create and delete", () => {
        const p = plan([provider(), configMap("1")], [provider(), deployment("a")]);
        assert.equal(find(p, "kubernetes:apps/v1:Deployment", "web").action, "create");
        assert.equal(find(p, "kubernetes:core/v1:ConfigMap", "web").action, "delete");
        assert.equal(p.blocking.length, 0);
        assert.deepEqual([p.summary.create, p.summary.delete], [1, 1]);
    });

    it("update: changed paths, a Deployment whose pod template changes is rolled", () => {
        const p = plan([provider(), deployment("a@sha256:1")], [provider(), deployment("a@sha256:2")]);
        const c = find(p, "kubernetes:apps/v1:Deployment", "web");
        assert.equal(c.action, "update");
        assert.ok(c.rolled);
        assert.deepEqual(
            c.paths.map((x) => x.path),
            ["spec.template.spec.containers.0.image"],
        );
        assert.match(renderChangePlan(p), /~ update\s+k8s:apps\/v1:Deployment\s+shop\/web\s+\[rolled\]/);
    });

    it("ignoreChanges paths are not applied (replicas under an HPA)", () => {
        const p = plan([provider(), deployment("a", 2)], [provider(), deployment("a", 5)]);
        const c = find(p, "kubernetes:apps/v1:Deployment", "web");
        assert.equal(c.action, "same");
        assert.match(c.warnings.join("\n"), /ignoreChanges/);
    });

    it("replace: StatefulSet volumeClaimTemplates (pulumi-kubernetes diff.go) is stateful → blocking, delete-before-replace", () => {
        const p = plan([provider(), sts("5Gi")], [provider(), sts("10Gi")]);
        const c = find(p, "kubernetes:apps/v1:StatefulSet", "postgres");
        assert.equal(c.action, "replace");
        assert.ok(c.deleteBeforeReplace, "fixed name: the provider deletes first");
        assert.match(c.replaceReasons[0].rule, /spec\.volumeClaimTemplates is replace-on-change/);
        assert.match(c.replaceReasons[0].source, /diff\.go/);
        assert.deepEqual(
            p.blocking.map((b) => b.name),
            ["postgres"],
        );
        const text = renderChangePlan(p);
        assert.ok(text.indexOf("BLOCKING") < text.indexOf("Changes:"), "blocking listed first");
        assert.match(text, /BLOCKED: 1/);
    });

    it("a StatefulSet pod-template change is a rolled update, not a replacement", () => {
        const base = sts("5Gi");
        const head = structuredClone(base);
        (head.inputs.spec as any).template.spec.containers[0].image = "postgres:17.1";
        const p = plan([provider(), base], [provider(), head]);
        const c = find(p, "kubernetes:apps/v1:StatefulSet", "postgres");
        assert.equal(c.action, "update");
        assert.ok(c.rolled);
        assert.equal(p.blocking.length, 0);
    });

    it("ConfigMap data: replaced (delete first) unless the provider sets enableConfigMapMutable", () => {
        let p = plan([provider(), configMap("1")], [provider(), configMap("2")]);
        let c = find(p, "kubernetes:core/v1:ConfigMap", "web");
        assert.equal(c.action, "replace");
        assert.ok(c.deleteBeforeReplace);
        p = plan([provider({ enableConfigMapMutable: "true" }), configMap("1")], [provider({ enableConfigMapMutable: "true" }), configMap("2")]);
        c = find(p, "kubernetes:core/v1:ConfigMap", "web");
        assert.equal(c.action, "update");
    });

    it("an autonamed object is created before the old one is deleted", () => {
        const p = plan([provider(), configMap("1", false)], [provider(), configMap("2", false)]);
        const c = find(p, "kubernetes:core/v1:ConfigMap", "web");
        assert.equal(c.action, "replace");
        assert.ok(!c.deleteBeforeReplace);
    });

    it("metadata.name change replaces any kind, the new one first", () => {
        const a = rec("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "r", { metadata: { name: "a", namespace: "m" }, spec: { groups: [] } });
        const b = rec("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "r", { metadata: { name: "b", namespace: "m" }, spec: { groups: [] } });
        const c = find(plan([provider(), a], [provider(), b]), a.type, "r");
        assert.equal(c.action, "replace");
        assert.ok(!c.deleteBeforeReplace);
        assert.match(c.replaceReasons[0].rule, /identity/);
    });

    it("a CustomResource spec change is an update (only identity paths are replace-on-change)", () => {
        const a = rec("kubernetes:karpenter.sh/v1:NodePool", "p", { metadata: { name: "default" }, spec: { limits: { cpu: "16" } } });
        const b = structuredClone(a);
        (b.inputs.spec as any).limits.cpu = "32";
        assert.equal(find(plan([provider(), a], [provider(), b]), a.type, "p").action, "update");
    });

    it("AWS ForceNew: an EKS cluster version is an update, its roleArn a replacement of a stateful resource", () => {
        const cl = (version: string, roleArn: string) => rec("aws:eks/cluster:Cluster", "c", { name: "c", version, roleArn, vpcConfig: { subnetIds: ["s1"] } });
        let p = plan([cl("1.34", "r1")], [cl("1.35", "r1")]);
        assert.equal(find(p, "aws:eks/cluster:Cluster", "c").action, "update");
        p = plan([cl("1.34", "r1")], [cl("1.34", "r2")]);
        const c = find(p, "aws:eks/cluster:Cluster", "c");
        assert.equal(c.action, "replace");
        assert.match(c.replaceReasons[0].source, /internal\/service\/eks\/cluster\.go@/);
        assert.equal(p.blocking.length, 1);
    });

    it("protect makes any replacement or deletion blocking", () => {
        const q = (n: string) => rec("aws:sqs/queue:Queue", "q", { name: n }, { protect: true });
        const p = plan([q("a")], [q("b")]);
        assert.equal(find(p, "aws:sqs/queue:Queue", "q").action, "replace");
        assert.match(p.blocking[0].stateful ?? "", /protect/);
        assert.equal(plan([q("a")], []).blocking.length, 1);
    });

    it("retainOnDelete: a deletion only forgets the resource — not blocking", () => {
        const k = rec(
            "aws:kms/key:Key",
            "k",
            { description: "x" },
            { options: { retainOnDelete: true, deleteBeforeReplace: false, replaceOnChanges: [], ignoreChanges: [], aliases: [], propertyDependencies: {} } },
        );
        const p = plan([k], []);
        assert.equal(p.blocking.length, 0);
        assert.match(p.changes[0].warnings.join(), /retainOnDelete/);
    });

    it("rename: a new URN is a delete and a create unless aliased", () => {
        const old = rec("aws:ecr/repository:Repository", "storefront", { name: "shop/storefront" });
        const moved = { ...rec("aws:ecr/repository:Repository", "storefront-repo", { name: "shop/storefront" }) };
        let p = plan([old], [moved]);
        assert.deepEqual(p.changes.map((c) => c.action).sort(), ["create", "delete"]);
        assert.equal(p.renames.length, 1);
        assert.equal(p.renames[0].aliased, false);
        assert.equal(p.blocking.length, 1, "deleting an ECR repository blocks");
        moved.options = {
            retainOnDelete: false,
            deleteBeforeReplace: false,
            replaceOnChanges: [],
            ignoreChanges: [],
            aliases: [old.urn],
            propertyDependencies: {},
        };
        p = plan([old], [moved]);
        assert.deepEqual(
            p.changes.map((c) => c.action),
            ["same"],
        );
        assert.ok(p.renames[0].aliased);
        assert.equal(p.blocking.length, 0);
    });

    it("replaceOnChanges option and a provider change force a replacement", () => {
        const a = rec(
            "aws:sqs/queue:Queue",
            "q",
            { name: "q", messageRetentionSeconds: 60 },
            {
                options: {
                    retainOnDelete: false,
                    deleteBeforeReplace: true,
                    replaceOnChanges: ["messageRetentionSeconds"],
                    ignoreChanges: [],
                    aliases: [],
                    propertyDependencies: {},
                },
            },
        );
        const b = structuredClone(a);
        b.inputs.messageRetentionSeconds = 120;
        const c = find(plan([a], [b]), a.type, "q");
        assert.equal(c.action, "replace");
        assert.ok(c.deleteBeforeReplace);
        const m = rec("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "shop" } });
        const m2 = { ...structuredClone(m), provider: `${PREFIX}pulumi:providers:kubernetes::other::id-2` };
        assert.equal(find(plan([provider(), m], [provider(), m2]), m.type, "ns").replaceReasons[0].path, "provider");
    });

    it("outputs that change flow on: a replaced password replaces the secret version that stores it", () => {
        const pw = (g: string) => rec("random:index/randomPassword:RandomPassword", "pw", { length: 32, keepers: { generation: g } });
        const sv = rec(
            "aws:secretsmanager/secretVersion:SecretVersion",
            "sv",
            { secretId: "arn:x", secretString: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: "[redacted]" } },
            {
                options: {
                    retainOnDelete: false,
                    deleteBeforeReplace: false,
                    replaceOnChanges: [],
                    ignoreChanges: [],
                    aliases: [],
                    propertyDependencies: { secretString: [pw("1").urn] },
                },
            },
        );
        const p = plan([pw("1"), sv], [pw("2"), structuredClone(sv)]);
        assert.equal(find(p, "random:index/randomPassword:RandomPassword", "pw").action, "replace");
        const c = find(p, "aws:secretsmanager/secretVersion:SecretVersion", "sv");
        assert.equal(c.action, "replace");
        assert.equal(c.via[0].key, "secretString");
        assert.ok(!JSON.stringify(changePlanJson(p)).includes('ciphertext":"x'), "secrets stay redacted");
    });

    it("an unknown type is an update with a warning, never silent", () => {
        const a = rec("aws:ec2/tag:Tag", "t", { key: "k", value: "1", resourceId: "sg-1" });
        const b = structuredClone(a);
        b.inputs.value = "2";
        const p = plan([a], [b]);
        const c = find(p, a.type, "t");
        assert.equal(c.action, "update");
        assert.match(c.warnings.join(), /^unknown: /);
        assert.match(p.warnings.join(), /aws:ec2\/tag:Tag/);
    });

    it("Helm release: values are a helm upgrade; name/namespace replace; a CRD chart's deletion blocks", () => {
        const rel = (v: string, ns = "kube-system", chart = "oci://public.ecr.aws/karpenter/karpenter-crd") =>
            rec("kubernetes:helm.sh/v3:Release", "crd", { chart, namespace: ns, version: v, values: {} });
        assert.equal(find(plan([provider(), rel("1.0.0")], [provider(), rel("1.1.0")]), "kubernetes:helm.sh/v3:Release", "crd").action, "update");
        const p = plan([provider(), rel("1.0.0")], [provider(), rel("1.0.0", "karpenter")]);
        assert.equal(find(p, "kubernetes:helm.sh/v3:Release", "crd").action, "replace");
        assert.match(p.blocking[0].stateful ?? "", /CRDs/);
        const eso = (crds: boolean) =>
            rec("kubernetes:helm.sh/v3:Release", "eso", { chart: "external-secrets", namespace: "x", values: { installCRDs: crds } });
        assert.equal(plan([provider(), eso(true)], [provider()]).blocking.length, 1);
        assert.equal(plan([provider(), eso(false)], [provider()]).blocking.length, 0);
    });

    it("CLI: --base <resources.json> prints the plan and exits 1 on a blocking change; --json too", function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "change-cli-"));
        const cli = (...a: string[]) =>
            spawnSync(process.execPath, ["--import", "tsx", "plan/cli.ts", ...a], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
        let r = cli("dev", "--out", path.join(dir, "base"));
        assert.ok(r.status === 0 || r.status === 1, r.stderr);
        const baseFile = path.join(dir, "base", "resources.json");
        r = cli("dev", "--base", baseFile, "--out", path.join(dir, "same"));
        assert.match(r.stdout, /No changes\./);
        r = cli("dev", "--base", baseFile, "--json", "--out", path.join(dir, "bigger"), "--config-override", "postgresStorageGiB=50");
        const doc = JSON.parse(r.stdout) as { format: string; blocking: string[]; summary: { replace: number } };
        assert.equal(doc.format, "shop-platform/change-plan@1");
        assert.equal(r.status, doc.blocking.length > 0 || (doc as any).mandatoryPolicyViolations ? 1 : 0);
        r = cli("prod", "--base", baseFile);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /plan of stack dev, not prod/);
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ resources: [] } satisfies Partial<ResourcesFile>));
        r = cli("dev", "--base", bad);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /not a shop-platform\/resources@1 file/);
        r = cli("dev", "--base", "no-such-ref-or-file");
        assert.equal(r.status, 2);
        assert.match(r.stderr, /neither a resources\.json file nor a git ref/);
    });
});
