import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { POLICY_FACTORIES, allPolicies } from "../rules";
import { scanTaggableTypes, taggableTypes, TAGGABLE_FILE } from "../lib/taggable";

describe("pack metadata", () => {
    it("names are unique kebab-case, descriptions are sentences, configSchema has no enforcementLevel", () => {
        const names = new Set<string>();
        for (const f of POLICY_FACTORIES) {
            const p = f();
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.notEqual(p.name, "all");
            assert.ok(!names.has(p.name), `duplicate ${p.name}`);
            names.add(p.name);
            assert.match(p.description, /^[A-Z].*\.$/);
            assert.ok(p.configSchema && !("enforcementLevel" in p.configSchema.properties));
            assert.ok("exemptions" in p.configSchema.properties, "generic exemptions param");
            assert.equal(p.enforcementLevel, f.meta.defaultLevel);
            assert.equal(f("advisory").enforcementLevel, "advisory");
            for (const [k, s] of Object.entries(f.meta.params))
                assert.ok(s.default !== undefined && s.description, `${p.name}.${k} needs default + description`);
        }
        assert.equal(allPolicies().length, POLICY_FACTORIES.length);
    });

    it("index.ts only constructs the PolicyPack from ./rules", () => {
        const src = fs.readFileSync(path.join(__dirname, "..", "index.ts"), "utf8");
        assert.match(src, /new PolicyPack\(PACK_NAME,/);
        assert.match(src, /from "\.\/rules"/);
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
        assert.equal(pkg.name, "shop-platform-policy");
        assert.equal(pkg.dependencies["@pulumi/policy"], "1.21.0");
        assert.equal(pkg.dependencies["@pulumi/pulumi"], "3.270.0");
        assert.match(fs.readFileSync(path.join(__dirname, "..", "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    it("every exact aws:* type a rule names exists in the installed @pulumi/aws", () => {
        const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
        const tokens = new Set<string>();
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else if (e.name.endsWith(".js")) for (const m of fs.readFileSync(p, "utf8").matchAll(/__pulumiType = '([^']+)'/g)) tokens.add(m[1]);
            }
        };
        walk(awsDir);
        for (const f of POLICY_FACTORIES)
            for (const t of f.meta.resourceTypes) if (t.startsWith("aws:")) assert.ok(tokens.has(t), `${f.meta.name}: unknown type ${t}`);
    });
});

describe("taggable types (generated from @pulumi/aws)", function () {
    this.timeout(60_000);
    it("data/aws-taggable-types.json is up to date with the installed @pulumi/aws (run gen-taggable.ts on drift)", () => {
        const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
        const fresh = scanTaggableTypes(awsDir);
        const committed = JSON.parse(fs.readFileSync(TAGGABLE_FILE, "utf8"));
        assert.equal(committed.awsVersion, fresh.awsVersion);
        assert.deepEqual(committed.types, fresh.types);
        assert.ok(fresh.types.length > 800);
    });
    it("EKS cluster, ECR repository, flow log and VPC ingress rules are taggable; attachments and policies are not", () => {
        const t = taggableTypes();
        for (const x of [
            "aws:eks/cluster:Cluster",
            "aws:eks/nodeGroup:NodeGroup",
            "aws:ecr/repository:Repository",
            "aws:ec2/flowLog:FlowLog",
            "aws:kms/key:Key",
            "aws:iam/role:Role",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ])
            assert.ok(t.has(x), x);
        for (const x of [
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "aws:kms/alias:Alias",
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        ])
            assert.ok(!t.has(x), x);
    });
});
