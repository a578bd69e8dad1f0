import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadPolicyConfig, PolicyConfigError, resolvePolicies, validatePolicyConfig } from "../config";
import { evaluate } from "../evaluate";
import { POLICY_FACTORIES } from "../rules";
import { deploy, podWith, rec } from "./helpers";

const CFG = path.join(__dirname, "..", "config");
const levelsOf = (env: string) => new Map(resolvePolicies(loadPolicyConfig(path.join(CFG, `${env}.json`))).map((r) => [r.factory.meta.name, r.level]));

describe("policy config", () => {
    it("the three env files validate and only name existing policies", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const raw = JSON.parse(fs.readFileSync(path.join(CFG, `${env}.json`), "utf8")) as Record<string, unknown>;
            validatePolicyConfig(raw);
            for (const k of Object.keys(raw)) assert.ok(k === "all" || POLICY_FACTORIES.some((f) => f.meta.name === k), `${env}: ${k}`);
        }
    });

    it("prod: all mandatory except the advisory-by-design rules", () => {
        const prod = levelsOf("prod");
        const advisory = [...prod]
            .filter(([, l]) => l === "advisory")
            .map(([n]) => n)
            .sort();
        assert.deepEqual(advisory, [
            "ecr-kms",
            "ecr-lifecycle-policy",
            "eks-access-entries",
            "k8s-no-default-serviceaccount",
            "k8s-sa-token-automount",
            "k8s-servicemonitor-selected",
            "k8s-spread",
        ]);
        assert.ok([...prod.values()].every((l) => l === "mandatory" || l === "advisory"));
    });

    it("a rule mandatory in prod.json is advisory in dev.json, and HA-only rules are disabled in dev", () => {
        const prod = levelsOf("prod");
        const staging = levelsOf("staging");
        const dev = levelsOf("dev");
        for (const n of ["eks-endpoint-private", "k8s-read-only-rootfs", "aws-required-tags", "k8s-networkpolicy-coverage"]) {
            assert.equal(prod.get(n), "mandatory", n);
            assert.equal(staging.get(n), "mandatory", n);
            assert.equal(dev.get(n), "advisory", n);
        }
        for (const n of ["k8s-replicas-ha", "k8s-pdb", "vpc-nat-per-az", "k8s-spread", "rds-multi-az", "elasticache-ha"])
            assert.equal(dev.get(n), "disabled", n);
        assert.equal(staging.get("vpc-nat-per-az"), "advisory");
        for (const n of ["k8s-no-privileged", "iam-no-wildcard-admin", "s3-public-access-block"]) assert.equal(dev.get(n), "mandatory", n); // M/M rows
    });

    it("the env level drives evaluate(): same violation, mandatory under prod, advisory under dev", () => {
        const bad = [
            deploy(
                "a",
                podWith((p) => (p.containers[0].securityContext.readOnlyRootFilesystem = false)),
            ),
        ];
        const pick = (env: string) => evaluate(bad, loadPolicyConfig(path.join(CFG, `${env}.json`))).filter((v) => v.policyName === "k8s-read-only-rootfs");
        assert.deepEqual(
            pick("prod").map((v) => v.enforcementLevel),
            ["mandatory"],
        );
        assert.deepEqual(
            pick("dev").map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("precedence: policy level > all > default; disabled rules do not run", () => {
        const r = new Map(
            resolvePolicies({ all: "advisory", "k8s-pdb": "mandatory", "ecr-kms": { enforcementLevel: "disabled" } }).map((x) => [
                x.factory.meta.name,
                x.level,
            ]),
        );
        assert.equal(r.get("k8s-pdb"), "mandatory");
        assert.equal(r.get("ecr-kms"), "disabled");
        assert.equal(r.get("eks-endpoint-private"), "advisory");
        const d = new Map(resolvePolicies({}).map((x) => [x.factory.meta.name, x.level]));
        assert.equal(d.get("eks-access-entries"), "advisory");
        assert.equal(d.get("eks-endpoint-private"), "mandatory");
        const repo = rec("aws:ecr/repository:Repository", "r", { imageTagMutability: "IMMUTABLE" });
        assert.equal(evaluate([repo], { "ecr-kms": "disabled" }).filter((v) => v.policyName === "ecr-kms").length, 0);
        assert.equal(evaluate([repo], {}).filter((v) => v.policyName === "ecr-kms").length, 1);
    });

    it("config params override defaults (rds-backups minRetentionDays)", () => {
        const db = rec("aws:rds/instance:Instance", "db", { backupRetentionPeriod: 3 });
        assert.equal(evaluate([db], { all: "disabled", "rds-backups": "mandatory" }).length, 1);
        assert.equal(evaluate([db], { all: "disabled", "rds-backups": { enforcementLevel: "mandatory", minRetentionDays: 3 } }).length, 0);
    });

    it("exemptions are generic: a glob on the name or the URN, for any policy", () => {
        const recs = [
            deploy(
                "postgres",
                podWith((p) => (p.containers[0].securityContext.readOnlyRootFilesystem = false)),
            ),
            deploy(
                "storefront",
                podWith((p) => (p.containers[0].securityContext.readOnlyRootFilesystem = false)),
            ),
        ];
        const names = (cfg: object) =>
            evaluate(recs, { all: "disabled", "k8s-read-only-rootfs": { enforcementLevel: "mandatory", ...cfg } }).map((v) => v.urn.split("::").pop());
        assert.deepEqual(names({}), ["postgres", "storefront"]);
        assert.deepEqual(names({ exemptions: ["postgres"] }), ["storefront"]);
        assert.deepEqual(names({ exemptions: ["post*"] }), ["storefront"]);
        assert.deepEqual(names({ exemptions: ["urn:pulumi:*::*::kubernetes:apps/v1:Deployment::storefront"] }), ["postgres"]);
        assert.deepEqual(names({ exemptions: ["*kubernetes:apps/v1:Deployment*"] }), []);
        // stack policies too
        const pdbNames = (cfg: object) =>
            evaluate(recs, { all: "disabled", "k8s-pdb": { enforcementLevel: "mandatory", ...cfg } }).map((v) => v.urn.split("::").pop());
        assert.deepEqual(pdbNames({}), ["postgres", "storefront"]);
        assert.deepEqual(pdbNames({ exemptions: ["storefront"] }), ["postgres"]);
    });

    it("bad config → a clear error naming the key", () => {
        const err = (cfg: unknown) => {
            try {
                validatePolicyConfig(cfg);
            } catch (e) {
                assert.ok(e instanceof PolicyConfigError);
                return (e as Error).message;
            }
            assert.fail("no error");
        };
        assert.match(err({ "no-such-rule": "mandatory" }), /"no-such-rule": no such policy/);
        assert.match(err({ all: "strict" }), /"all": "strict" is not an enforcement level/);
        assert.match(err({ "rds-backups": { minRetentionDays: "seven" } }), /"rds-backups\.minRetentionDays": must be integer/);
        assert.match(err({ "rds-backups": { minRetentionDayz: 7 } }), /"rds-backups\.minRetentionDayz": unknown parameter/);
        assert.match(err({ "k8s-pdb": { exemptions: "postgres" } }), /"k8s-pdb\.exemptions": must be array/);
        assert.match(err([]), /must be a JSON object/);
        assert.throws(() => evaluate([], { "k8s-pdb": "sometimes" } as never), /"k8s-pdb": "sometimes" is not an enforcement level/);
        assert.throws(() => loadPolicyConfig(path.join(CFG, "nope.json")), /cannot read/);
    });
});
