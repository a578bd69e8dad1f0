import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as YAML from "yaml";
import { CONFIG_TABLE, ConfigError, defaultsFor, parseShopConfig, PROJECT } from "../config";
import { loadStackConfig, runStack } from "../harness";
import { STACKS } from "./helpers";
import { expectedOutputs, OUTPUTS, projectConfigDeclarations } from "../scripts/gen-config";

const base = (env: string, extra: Record<string, string> = {}): Record<string, string> => ({
    "aws:region": "eu-west-1",
    [`${PROJECT}:environment`]: env,
    [`${PROJECT}:owner`]: "team",
    [`${PROJECT}:costCenter`]: "cc-1",
    ...(env === "prod" ? {} : { [`${PROJECT}:publicAccessCidrs`]: '["203.0.113.0/24"]' }),
    ...(env === "dev"
        ? {}
        : {
              [`${PROJECT}:ingressHost`]: "shop.example.com",
              [`${PROJECT}:certificateArn`]: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
          }),
    ...extra,
});
const k = (key: string) => `${PROJECT}:${key}`;

function problemsOf(raw: Record<string, string>, secretKeys: string[] = [], today = "2026-12-02"): Map<string, string> {
    try {
        parseShopConfig(raw, { stack: "test", secretKeys, today });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return new Map(e.problems.map((p) => [p.key, p.message]));
    }
    return new Map();
}

describe("config: stack files", () => {
    for (const stack of STACKS) {
        it(`Pulumi.${stack}.yaml parses with the ${stack} defaults`, () => {
            const sc = loadStackConfig(stack);
            const cfg = parseShopConfig(sc.config, { stack, secretKeys: sc.secretKeys });
            assert.equal(cfg.environment, stack);
            assert.equal(cfg.network.azCount, defaultsFor(stack).azCount);
            assert.deepEqual(cfg.tags, {
                Project: "shop-platform",
                Environment: stack,
                Owner: cfg.tags.Owner,
                CostCenter: cfg.tags.CostCenter,
                ManagedBy: "pulumi",
            });
        });
    }

    it("stack files hold no plaintext value for a secret key", () => {
        for (const stack of STACKS) {
            const doc = YAML.parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")).config ?? {};
            for (const [key, r] of Object.entries(CONFIG_TABLE)) {
                const v = doc[k(key)];
                if ("secret" in r && r.secret && v !== undefined) assert.ok(typeof v === "object" && "secure" in v, `${stack}: ${key} must be encrypted`);
            }
        }
    });

    it("Pulumi.yaml declares every key the loader reads, with its type, description and shared default (npm run gen:config)", () => {
        const declared = YAML.parse(fs.readFileSync("Pulumi.yaml", "utf8")).config as Record<string, { type: string; description: string }>;
        assert.deepEqual(declared, projectConfigDeclarations());
        for (const [key, r] of Object.entries(CONFIG_TABLE)) {
            assert.equal(declared[key].type, r.type, key);
            assert.ok(declared[key].description.length > 10, `${key} needs a description`);
        }
    });

    it("Pulumi.yaml, the README's per-stack table and docs/configuration.md are generated from the rows (npm run gen:config)", () => {
        const expected = expectedOutputs();
        for (const [name, file] of Object.entries(OUTPUTS) as [keyof typeof OUTPUTS, string][])
            assert.equal(fs.readFileSync(file, "utf8"), expected[name], `${file} is stale: run npm run gen:config`);
    });

    it("every row feeds exactly the option path it names, with the value the stack resolves to", () => {
        const sc = loadStackConfig("staging");
        const parsed = parseShopConfig(sc.config, { stack: "staging", secretKeys: sc.secretKeys });
        const cfg = parsed as unknown as Record<string, unknown>;
        const defaults = defaultsFor("staging") as Record<string, unknown>;
        const paths = new Set<string>();
        const standIns = new Set(parsed.deployGaps.map((g) => g.key));
        for (const [key, r] of Object.entries(CONFIG_TABLE)) {
            if (standIns.has(k(key))) continue; // a deploy gap: the offline stand-in feeds it (test/access.test.ts)
            assert.ok(!paths.has(r.feeds), `${key}: ${r.feeds} is fed by two rows`);
            paths.add(r.feeds);
            const raw = sc.config[k(key)];
            const got = r.feeds.split(".").reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], cfg);
            const want = raw !== undefined ? (r.type === "string" ? raw : JSON.parse(raw)) : defaults[key];
            assert.deepEqual(got, want, `${key} -> ${r.feeds}`);
        }
    });
});

describe("config: per-environment defaults", () => {
    it("dev is small with one NAT gateway; prod has 3 AZs, NAT per AZ, private endpoint, flow logs", () => {
        const dev = parseShopConfig(base("dev"), { stack: "dev" });
        const prod = parseShopConfig(base("prod"), { stack: "prod" });
        assert.equal(dev.network.natGateways, "Single");
        assert.equal(dev.network.flowLogs.enabled, false);
        assert.equal(prod.network.natGateways, "OnePerAz");
        assert.equal(prod.network.azCount, 3);
        assert.equal(prod.network.flowLogs.enabled, true);
        assert.equal(prod.cluster.publicAccess, false);
        assert.deepEqual(prod.cluster.publicAccessCidrs, []);
        assert.equal(prod.images.forceDelete, false);
        assert.equal(dev.images.forceDelete, true);
        assert.ok(prod.cluster.logRetentionDays > dev.cluster.logRetentionDays);
        assert.equal(dev.apps.storefront.cacheTtlSeconds, 10);
        assert.equal(dev.apps.catalog.cacheTtlSeconds, 60);
    });

    it("a stack value overrides the default", () => {
        const cfg = parseShopConfig(base("dev", { [k("nodeMaxSize")]: "7", [k("nodeInstanceTypes")]: '["m7i.xlarge"]' }), { stack: "dev" });
        assert.equal(cfg.cluster.nodeGroup.maxSize, 7);
        assert.deepEqual(cfg.cluster.nodeGroup.instanceTypes, ["m7i.xlarge"]);
    });
});

describe("config: validation", () => {
    const cases: [string, Record<string, string>, string, RegExp][] = [
        ["unknown environment", { [k("environment")]: "qa" }, "environment", /one of dev, staging, prod/],
        ["malformed CIDR", { [k("vpcCidr")]: "10.0.0.300/16" }, "vpcCidr", /IPv4 CIDR/],
        ["CIDR with host bits", { [k("vpcCidr")]: "10.0.0.1/16" }, "vpcCidr", /IPv4 CIDR/],
        ["too small VPC", { [k("vpcCidr")]: "10.0.0.0/24" }, "vpcCidr", /16 to \/20/],
        ["min > max", { [k("nodeMinSize")]: "5", [k("nodeMaxSize")]: "3", [k("nodeDesiredSize")]: "4" }, "nodeMinSize", /<= nodeMaxSize/],
        ["desired outside bounds", { [k("nodeDesiredSize")]: "9" }, "nodeDesiredSize", /between/],
        ["zero size", { [k("postgresStorageGiB")]: "0" }, "postgresStorageGiB", /greater than 0/],
        ["negative size", { [k("redisMaxMemoryMb")]: "-5" }, "redisMaxMemoryMb", /at least 32/],
        ["not a number", { [k("azCount")]: "three" }, "azCount", /whole number/],
        ["empty instance types", { [k("nodeInstanceTypes")]: "[]" }, "nodeInstanceTypes", /at least one/],
        ["bad instance type", { [k("nodeInstanceTypes")]: '["large"]' }, "nodeInstanceTypes", /instance type/],
        ["bad retention", { [k("clusterLogRetentionDays")]: "10" }, "clusterLogRetentionDays", /CloudWatch retention/],
        ["bad boolean", { [k("flowLogs")]: "yes" }, "flowLogs", /true or false/],
        ["bad ARN", { [k("adminPrincipalArns")]: '["admin"]' }, "adminPrincipalArns", /IAM role or user ARN/],
        ["open endpoint", { [k("publicAccessCidrs")]: '["0.0.0.0/0"]' }, "publicAccessCidrs", /0\.0\.0\.0\/0/],
        [
            "HPA min > max",
            { [k("storefrontMinReplicas")]: "3", [k("storefrontMaxReplicas")]: "2", [k("storefrontReplicas")]: "2" },
            "storefrontMinReplicas",
            /<= storefrontMaxReplicas/,
        ],
        ["negative TTL", { [k("catalogCacheTtlSeconds")]: "-1" }, "catalogCacheTtlSeconds", /0 \(no cache\)/],
        ["bad certificate ARN", { [k("certificateArn")]: "arn:aws:iam::123456789012:role/x" }, "certificateArn", /ACM certificate ARN/],
        ["bad capacity type", { [k("karpenterCapacityTypes")]: '["reserved"]' }, "karpenterCapacityTypes", /spot or on-demand/],
        ["typo in a key", { [k("nodeMaxSzie")]: "3" }, "nodeMaxSzie", /did you mean shop-platform:nodeMaxSize/],
        ["a restore without backups", { [k("postgresRecoveryCluster")]: "shop-db-pitr" }, "postgresRecoveryCluster", /needs postgresBackups/],
        [
            "a restore over shop-db",
            { [k("postgresBackups")]: "true", [k("postgresRecoveryCluster")]: "shop-db" },
            "postgresRecoveryCluster",
            /must be shop-db-<suffix>/,
        ],
        [
            "a restore name CNPG cannot use",
            { [k("postgresBackups")]: "true", [k("postgresRecoveryCluster")]: "shop-db-Pitr" },
            "postgresRecoveryCluster",
            /lowercase/,
        ],
        [
            "a restore the alerts would not see",
            { [k("postgresBackups")]: "true", [k("postgresRecoveryCluster")]: "restore1" },
            "postgresRecoveryCluster",
            /the alerts select shop-db-\*/,
        ],
        [
            "a restore named like one of shop-db's volumes",
            { [k("postgresBackups")]: "true", [k("postgresRecoveryCluster")]: "shop-db-2" },
            "postgresRecoveryCluster",
            /shop-db's own volumes/,
        ],
        [
            "a target time without a Cluster",
            { [k("postgresRecoveryTargetTime")]: "2026-12-02T13:49:23Z" },
            "postgresRecoveryTargetTime",
            /needs postgresRecoveryCluster/,
        ],
        [
            "a target time without its zone",
            { [k("postgresBackups")]: "true", [k("postgresRecoveryCluster")]: "shop-db-pitr", [k("postgresRecoveryTargetTime")]: "2026-12-02 13:49:23" },
            "postgresRecoveryTargetTime",
            /RFC 3339 time with its zone/,
        ],
        [
            "apps on a Cluster the stack does not run",
            { [k("postgresServingCluster")]: "shop-db-pitr" },
            "postgresServingCluster",
            /must be shop-db or postgresRecoveryCluster \(unset\)/,
        ],
    ];
    for (const [title, extra, key, message] of cases) {
        it(`rejects ${title} naming ${key}`, () => {
            const problems = problemsOf(base("dev", extra));
            assert.match(problems.get(k(key)) ?? "(no problem reported)", message);
        });
    }

    it("prod refuses 0.0.0.0/0, spot nodes, fewer than 3 AZs, a single NAT and single replicas", () => {
        const problems = problemsOf(
            base("prod", {
                [k("endpointPublicAccess")]: "true",
                [k("publicAccessCidrs")]: '["0.0.0.0/0"]',
                [k("nodeCapacityType")]: "SPOT",
                [k("azCount")]: "2",
                [k("natGateways")]: "Single",
                [k("catalogMinReplicas")]: "1",
                [k("catalogReplicas")]: "1",
                [k("karpenterCapacityTypes")]: '["spot"]',
            }),
        );
        assert.match(problems.get(k("karpenterCapacityTypes"))!, /spot in prod/);
        assert.match(problems.get(k("publicAccessCidrs"))!, /must not contain 0\.0\.0\.0\/0 in prod/);
        assert.match(problems.get(k("nodeCapacityType"))!, /ON_DEMAND in prod/);
        assert.match(problems.get(k("azCount"))!, /at least 3 in prod/);
        assert.match(problems.get(k("natGateways"))!, /OnePerAz in prod/);
        assert.match(problems.get(k("catalogMinReplicas"))!, /at least 2 in prod/);
    });

    it("reports every bad key in ONE error message", () => {
        const raw = base("dev", { [k("vpcCidr")]: "nope", [k("nodeMinSize")]: "0", [k("ecrKeepImages")]: "-1", [k("nodeInstanceTypes")]: "[]" });
        delete raw[k("owner")];
        let message = "";
        try {
            parseShopConfig(raw, { stack: "dev" });
        } catch (e) {
            message = (e as Error).message;
        }
        for (const key of ["vpcCidr", "nodeMinSize", "ecrKeepImages", "nodeInstanceTypes", "owner"])
            assert.ok(message.includes(k(key)), `${key} missing from:\n${message}`);
        assert.match(message, /5 problems/);
    });

    it("values a real deploy needs are deploy gaps, not errors: a public endpoint without CIDRs, ingress without a certificate", () => {
        const gaps = (extra: Record<string, string>) =>
            new Map(parseShopConfig(base("dev", extra), { stack: "dev", today: "2026-12-02" }).deployGaps.map((g) => [g.key, g.message]));
        assert.match(gaps({ [k("publicAccessCidrs")]: "[]" }).get(k("publicAccessCidrs"))!, /must list the CIDRs/);
        assert.match(
            gaps({ [k("ingressEnabled")]: "true", [k("ingressHost")]: "shop.example.com" }).get(k("certificateArn"))!,
            /must be set when ingressEnabled/,
        );
    });

    it("refuses a secret key given in plaintext, accepts it as a secret", () => {
        const url = "https://hooks.slack.com/services/T000/B000/XXXX";
        assert.match(problemsOf(base("dev", { [k("alertSlackWebhookUrl")]: url })).get(k("alertSlackWebhookUrl"))!, /--secret/);
        assert.equal(problemsOf(base("dev", { [k("alertSlackWebhookUrl")]: url }), [k("alertSlackWebhookUrl")]).size, 0);
    });

    it("requires aws:region, environment, owner and costCenter", () => {
        const problems = problemsOf({});
        for (const key of ["aws:region", k("environment"), k("owner"), k("costCenter")]) assert.ok(problems.has(key), key);
    });

    it("Kubernetes version: 1.36 by default; a version past its EKS end of standard support is refused with the next one to upgrade to", () => {
        assert.equal(parseShopConfig(base("dev"), { stack: "dev", today: "2026-12-02" }).cluster.version, "1.36");
        const expired = problemsOf(base("dev", { [k("kubernetesVersion")]: "1.34" }), [], "2026-12-02");
        assert.match(expired.get(k("kubernetesVersion"))!, /1\.34 left EKS standard support on 2026-12-02.*one minor version at a time to 1\.35/);
        assert.equal(problemsOf(base("dev", { [k("kubernetesVersion")]: "1.34" }), [], "2026-12-01").size, 0, "1.34 is still fine the day before");
        assert.match(problemsOf(base("dev", { [k("kubernetesVersion")]: "1.29" })).get(k("kubernetesVersion"))!, /config\/eks-versions\.json/);
        assert.match(problemsOf(base("dev", { [k("kubernetesVersion")]: "1.36" }), [], "2027-08-02").get(k("kubernetesVersion"))!, /left EKS standard support/);
    });

    it("a bad stack file fails the program before any resource is registered", async () => {
        let error: any;
        await runStack("dev", { configOverrides: { nodeMinSize: 0, vpcCidr: "300.0.0.0/16" } }).catch((e) => (error = e));
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /shop-platform:nodeMinSize/);
        assert.match(error.message, /shop-platform:vpcCidr/);
        assert.deepEqual((error as { registeredResources?: unknown }).registeredResources, []);
    });
});
