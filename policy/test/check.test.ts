import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const FIX = path.join(__dirname, "fixtures");

function cli(...args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "policy/check.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines, violations: lines.filter((l) => !l.startsWith("policy:check:")) };
}

const PROD = (t: string, n: string) => `urn:pulumi:prod::shop-platform::${t}::${n}`;

describe("policy:check CLI", function () {
    this.timeout(120_000);

    it("reports bad resources of a stack export with their URNs, exits 1 on mandatory, infers config/prod.json", () => {
        const r = cli(path.join(FIX, "export-prod.json"));
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /with policy\/config\/prod\.json/);
        const legacy = PROD("aws:ecr/repository:Repository", "legacy");
        const debug = PROD("kubernetes:apps/v1:Deployment", "debug");
        assert.ok(r.violations.includes(`mandatory ecr-immutable-tags ${legacy} imageTagMutability is MUTABLE; tags must be immutable.`), r.stdout);
        assert.ok(r.violations.some((l) => l.startsWith(`mandatory ecr-scan-on-push ${legacy} `)));
        assert.ok(r.violations.some((l) => l.startsWith(`mandatory k8s-no-privileged ${debug} `)));
        assert.ok(r.violations.some((l) => l.startsWith(`advisory ecr-lifecycle-policy ${legacy} `)));
        // every violation line has the documented shape
        for (const l of r.violations) assert.match(l, /^(mandatory|advisory) [a-z0-9-]+ urn:pulumi:\S+ .+$/);
        const mand = r.violations.filter((l) => l.startsWith("mandatory ")).length;
        const adv = r.violations.filter((l) => l.startsWith("advisory ")).length;
        assert.equal(r.lines.at(-1), `policy:check: ${mand} mandatory, ${adv} advisory violations in 5 resources`);
    });

    it("does not report good resources: defaultTags from the provider satisfy tagging, secrets are opaque", () => {
        const r = cli(path.join(FIX, "export-prod.json"));
        const catalog = PROD("aws:ecr/repository:Repository", "catalog");
        const role = PROD("aws:iam/role:Role", "secret-trust");
        assert.ok(!r.stdout.includes(`${catalog} `), r.stdout);
        assert.ok(!r.stdout.includes(role), r.stdout);
        assert.ok(!r.stdout.includes("pulumi:pulumi:Stack"));
        assert.ok(!r.stdout.includes("pulumi:providers:"));
        // the bad repo's own tags miss CostCenter even though tagsAll (outputs) has the rest from defaults
        assert.ok(
            r.violations.some((l) => /aws-required-tags .*::legacy Missing required tags: CostCenter \(/.test(l)),
            r.stdout,
        );
    });

    it("exits 0 on a clean export (pack defaults when no config matches the stack)", () => {
        const r = cli(path.join(FIX, "export-clean.json"));
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stderr, /with pack defaults/);
        assert.deepEqual(r.violations, []);
        assert.equal(r.lines.at(-1), "policy:check: 0 mandatory, 0 advisory violations in 3 resources");
    });

    it("honours --config: the same export under dev.json has fewer mandatory violations", () => {
        const prod = cli(path.join(FIX, "export-prod.json"));
        const dev = cli(path.join(FIX, "export-prod.json"), "--config", "policy/config/dev.json");
        assert.equal(dev.code, 1); // k8s-no-privileged stays mandatory in dev
        const m = (x: ReturnType<typeof cli>) => x.violations.filter((l) => l.startsWith("mandatory ")).length;
        assert.ok(m(dev) < m(prod));
        assert.ok(dev.violations.some((l) => l.startsWith("advisory ecr-immutable-tags ")));
        assert.ok(dev.violations.some((l) => l.startsWith("mandatory k8s-no-privileged ")));
        assert.ok(!dev.stdout.includes("k8s-replicas-ha")); // disabled in dev
    });

    it("reads shop-platform/resources@1 files (advisory only in dev → exit 0)", () => {
        const r = cli(path.join(FIX, "resources-dev.json"));
        assert.equal(r.code, 0);
        assert.ok(r.violations.some((l) => l.startsWith("advisory k8s-no-public-service urn:pulumi:dev::shop-platform::kubernetes:core/v1:Service::web ")));
        assert.ok(r.violations.every((l) => l.startsWith("advisory ")));
    });

    it("exits 2 with a clear message on unreadable, non-JSON, unknown-format input and bad config", () => {
        const missing = cli(path.join(FIX, "does-not-exist.json"));
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /cannot read .*does-not-exist\.json/);
        const notJson = cli(path.join(FIX, "not-json.txt"));
        assert.equal(notJson.code, 2);
        assert.match(notJson.stderr, /is not JSON/);
        const neither = cli(path.join(FIX, "neither.json"));
        assert.equal(neither.code, 2);
        assert.match(neither.stderr, /neither a `pulumi stack export`/);
        const none = cli();
        assert.equal(none.code, 2);
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-"));
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ all: "mandatory", "k8s-pdb": { enforcementLevel: "sometimes" } }));
        const badCfg = cli(path.join(FIX, "export-clean.json"), "--config", bad);
        assert.equal(badCfg.code, 2);
        assert.match(badCfg.stderr, /"k8s-pdb\.enforcementLevel": "sometimes" is not an enforcement level/);
    });
});
