import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TAGGABLE_AWS_TYPES } from "../components/tagging";
import { hashBuildContext } from "../components/images";
import { CONTROL_PLANE_LOG_TYPES, MANAGED_ADDONS } from "../components/cluster";
import { defaultsFor, parseShopConfig } from "../config";
import { isRedactedSecret, runStack } from "../harness";
import { get, ofType, one, STACKS, stackRun, strings } from "./helpers";

const REQUIRED_TYPES = [
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
    "aws:kms/key:Key",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "docker:index/image:Image",
    "awsx:ec2:Vpc",
    "pulumi:providers:kubernetes",
];

for (const stack of STACKS) {
    describe(`AWS layer (${stack})`, () => {
        const defaults = defaultsFor(stack);

        it("registers at least 30 resources including every required type", async () => {
            const { resources } = await stackRun(stack);
            assert.ok(resources.length >= 30, `only ${resources.length} resources`);
            for (const t of REQUIRED_TYPES) assert.ok(ofType(resources, t).length > 0, `missing ${t}`);
            assert.equal(ofType(resources, "aws:ecr/repository:Repository").length, 2);
            assert.equal(ofType(resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy").length, 2);
            assert.equal(ofType(resources, "docker:index/image:Image").length, 2);
        });

        it("every resource belongs to one of our components (children are parented)", async () => {
            const { resources } = await stackRun(stack);
            for (const r of resources) {
                if (r.type.startsWith("shop:")) assert.match(r.parent, /pulumi:pulumi:Stack::/, r.urn);
                else assert.match(r.parent, /\$shop:[a-z0-9]+:[A-Za-z]+::/, `${r.urn} is not parented to a shop: component`);
            }
        });

        it("VPC: AZ count, NAT strategy and load-balancer subnet tags follow the stack", async () => {
            const vpc = one((await stackRun(stack)).resources, "awsx:ec2:Vpc");
            assert.equal(vpc.inputs.numberOfAvailabilityZones, defaults.azCount);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: defaults.natGateways });
            const specs = vpc.inputs.subnetSpecs as { type: string; tags: Record<string, string> }[];
            assert.equal(specs.find((s) => s.type === "Public")!.tags["kubernetes.io/role/elb"], "1");
            assert.equal(specs.find((s) => s.type === "Private")!.tags["kubernetes.io/role/internal-elb"], "1");
            assert.equal(specs.find((s) => s.type === "Private")!.tags["karpenter.sh/discovery"], `shop-${stack}`);
        });

        it(`flow logs ${defaults.flowLogs ? "go to a retention-bounded log group" : "are off"}`, async () => {
            const { resources } = await stackRun(stack);
            const flowLogs = ofType(resources, "aws:ec2/flowLog:FlowLog");
            assert.equal(flowLogs.length, defaults.flowLogs ? 1 : 0);
            if (defaults.flowLogs) {
                const group = ofType(resources, "aws:cloudwatch/logGroup:LogGroup").find((g) => String(g.inputs.name).endsWith("vpc-flow-logs"))!;
                assert.equal(group.inputs.retentionInDays, defaults.flowLogRetentionDays);
                assert.equal(flowLogs[0].inputs.trafficType, "ALL");
                assert.ok(
                    flowLogs[0].dependencies.some((d) => d.includes("awsx:ec2:Vpc")),
                    "flow log must depend on the VPC",
                );
            }
        });

        it("EKS: API auth, private endpoint, public access per stack, all control-plane logs", async () => {
            const { resources } = await stackRun(stack);
            const cluster = one(resources, "aws:eks/cluster:Cluster");
            assert.equal(get(cluster.inputs, "accessConfig.authenticationMode"), "API");
            assert.equal(get(cluster.inputs, "vpcConfig.endpointPrivateAccess"), true);
            assert.equal(get(cluster.inputs, "vpcConfig.endpointPublicAccess"), defaults.endpointPublicAccess);
            const cidrs = get(cluster.inputs, "vpcConfig.publicAccessCidrs") as string[] | undefined;
            if (defaults.endpointPublicAccess) assert.ok(cidrs && cidrs.length > 0 && !cidrs.includes("0.0.0.0/0"));
            else assert.equal(cidrs, undefined);
            assert.deepEqual(cluster.inputs.enabledClusterLogTypes, CONTROL_PLANE_LOG_TYPES);
            assert.equal(cluster.inputs.version, defaults.kubernetesVersion);
            assert.equal(cluster.inputs.deletionProtection, stack !== "dev");
            const logGroup = ofType(resources, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === `/aws/eks/shop-${stack}/cluster`)!;
            assert.equal(logGroup.inputs.retentionInDays, defaults.clusterLogRetentionDays);
            assert.ok(cluster.dependencies.includes(logGroup.urn), "the log group must exist before EKS creates one without retention");
        });

        it("EKS: secrets envelope encryption with a dedicated rotating KMS key", async () => {
            const { resources } = await stackRun(stack);
            const key = one(resources, "aws:kms/key:Key", `shop-${stack}-secrets`);
            assert.equal(key.inputs.enableKeyRotation, true);
            const cluster = one(resources, "aws:eks/cluster:Cluster");
            assert.deepEqual(get(cluster.inputs, "encryptionConfig.resources"), ["secrets"]);
            assert.match(String(get(cluster.inputs, "encryptionConfig.provider.keyArn")), /^arn:aws:kms:/);
            assert.ok(cluster.dependencies.includes(key.urn));
        });

        it("EKS: access entries give the deploy role and the configured admins cluster-admin, and nobody else", async () => {
            const { resources, stackConfig } = await stackRun(stack);
            const admins = JSON.parse(stackConfig.config["shop-platform:adminPrincipalArns"] ?? "[]") as string[];
            const deploy = parseShopConfig(stackConfig.config, { stack }).cluster.deployRoleArn!;
            const entries = ofType(resources, "aws:eks/accessEntry:AccessEntry").filter((e) => e.inputs.type === "STANDARD");
            assert.deepEqual(entries.map((e) => e.inputs.principalArn).sort(), [deploy, ...admins].sort());
            for (const a of ofType(resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
                assert.equal(a.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
            }
        });

        it("nodes: private subnets, IMDSv2 only (hop limit 1), encrypted gp3 root volume, sizes per stack", async () => {
            const { resources } = await stackRun(stack);
            const lt = one(resources, "aws:ec2/launchTemplate:LaunchTemplate");
            assert.deepEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            const ebs = get(lt.inputs, "blockDeviceMappings.0.ebs");
            assert.equal(ebs.volumeType, "gp3");
            assert.equal(ebs.encrypted, "true");
            assert.equal(ebs.volumeSize, defaults.nodeDiskSizeGiB);
            const ng = one(resources, "aws:eks/nodeGroup:NodeGroup");
            assert.deepEqual(ng.inputs.scalingConfig, { minSize: defaults.nodeMinSize, desiredSize: defaults.nodeDesiredSize, maxSize: defaults.nodeMaxSize });
            assert.deepEqual(ng.inputs.instanceTypes, defaults.nodeInstanceTypes);
            assert.ok(
                (ng.inputs.subnetIds as string[]).every((s) => s.startsWith("subnet-prv")),
                "node group must use private subnets",
            );
            assert.ok(ng.dependencies.includes(lt.urn));
        });

        it("managed add-ons, with the EBS CSI driver bound to its own Pod Identity role", async () => {
            const { resources } = await stackRun(stack);
            const addons = ofType(resources, "aws:eks/addon:Addon");
            assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), [...MANAGED_ADDONS].sort());
            const ebs = addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
            const assoc = get(ebs.inputs, "podIdentityAssociations.0");
            assert.equal(assoc.serviceAccount, "ebs-csi-controller-sa");
            const role = ofType(resources, "aws:iam/role:Role").find((r) => assoc.roleArn.endsWith(`/${r.name}`))!;
            assert.match(String(role.inputs.assumeRolePolicy), /pods\.eks\.amazonaws\.com/);
            for (const a of addons) assert.ok(a.inputs.addonVersion, `${a.inputs.addonName} has no version`);
        });

        it("ECR: scan on push, immutable tags, KMS encryption, lifecycle policy, forceDelete only outside prod", async () => {
            const { resources } = await stackRun(stack);
            for (const repo of ofType(resources, "aws:ecr/repository:Repository")) {
                assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                assert.equal(get(repo.inputs, "encryptionConfigurations.0.encryptionType"), "KMS");
                assert.equal(repo.inputs.forceDelete, stack !== "prod");
                const policy = ofType(resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy").find((p) => p.inputs.repository === repo.inputs.name)!;
                assert.ok(policy, `no lifecycle policy for ${repo.inputs.name}`);
                assert.equal(JSON.parse(String(policy.inputs.policy)).rules[0].selection.countNumber, defaults.ecrKeepImages);
            }
        });

        it("images: built for linux/amd64 from apps/<app>, content-hash tag, digest-pinned outputs, no `latest`", async () => {
            const { resources, outputs } = await stackRun(stack);
            for (const image of ofType(resources, "docker:index/image:Image")) {
                assert.equal(get(image.inputs, "build.platform"), "linux/amd64");
                assert.equal(get(image.inputs, "build.context"), `apps/${image.name}`);
                assert.match(String(image.inputs.imageName), /:[0-9a-f]{16}$/);
                assert.ok(isRedactedSecret(image.inputs.registry), "registry credentials must be secret");
            }
            assert.match(String(outputs.storefrontImageRef), /\/shop-[a-z]+\/storefront@sha256:[0-9a-f]{64}$/);
            assert.match(String(outputs.catalogImageRef), /\/shop-[a-z]+\/catalog@sha256:[0-9a-f]{64}$/);
            for (const r of resources) for (const s of strings(r.inputs)) assert.doesNotMatch(s, /:latest\b/, `${r.urn} references :latest`);
        });

        it("every IAM document (trust, inline and queue policies) is well-formed", async () => {
            const { resources } = await stackRun(stack);
            const docs: [string, unknown][] = [];
            for (const r of resources) {
                if (r.type === "aws:iam/role:Role") docs.push([`${r.name} trust`, r.inputs.assumeRolePolicy]);
                if (["aws:iam/rolePolicy:RolePolicy", "aws:sqs/queuePolicy:QueuePolicy", "aws:iam/policy:Policy"].includes(r.type))
                    docs.push([r.name, r.inputs.policy]);
            }
            assert.ok(docs.length >= 5);
            for (const [where, raw] of docs) {
                const doc = typeof raw === "string" ? JSON.parse(raw) : raw;
                assert.equal(doc.Version, "2012-10-17", where);
                assert.ok(Array.isArray(doc.Statement) && doc.Statement.length > 0, where);
                for (const st of doc.Statement) {
                    assert.ok(st.Effect === "Allow" || st.Effect === "Deny", `${where}: Effect ${st.Effect}`);
                    for (const a of ([] as string[]).concat(st.Action)) assert.match(a, /^([a-z0-9-]+:[A-Za-z0-9*]+|\*)$/, `${where}: action ${a}`);
                    assert.ok(st.Resource !== undefined || st.Principal !== undefined, `${where}: statement without Resource or Principal`);
                    for (const res of ([] as string[]).concat(st.Resource ?? []))
                        assert.match(res, /^(\*|arn:aws[a-z-]*:[a-z0-9-]+:)/, `${where}: resource ${res}`);
                }
            }
        });

        it("every taggable AWS resource carries the five required tags", async () => {
            const { resources } = await stackRun(stack);
            let checked = 0;
            for (const r of resources.filter((x) => TAGGABLE_AWS_TYPES.has(x.type))) {
                const tags = r.inputs.tags as Record<string, string>;
                assert.ok(tags, `${r.urn} has no tags`);
                for (const key of ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"]) assert.ok(tags[key], `${r.urn} lacks tag ${key}`);
                assert.equal(tags.Environment, stack);
                assert.equal(tags.ManagedBy, "pulumi");
                checked++;
            }
            assert.ok(checked >= 15, `only ${checked} taggable resources checked`);
            const vpc = one(resources, "awsx:ec2:Vpc");
            assert.equal((vpc.inputs.tags as Record<string, string>).Project, "shop-platform");
        });

        it("the kubeconfig output is a secret that execs `aws eks get-token`", async () => {
            const { outputs, resources } = await stackRun(stack);
            assert.ok(isRedactedSecret(outputs.kubeconfig));
            const provider = one(resources, "pulumi:providers:kubernetes");
            assert.ok(isRedactedSecret(provider.inputs.kubeconfig));
            assert.equal(provider.inputs.enableServerSideApply, "true");
        });
    });
}

describe("secrets never appear in plaintext", () => {
    it("a secure config value and the ECR token stay out of every input and output", async () => {
        const run = await runStack("dev", { configOverrides: { alertSlackWebhookUrl: { secure: "v1:AAAA" } } });
        const placeholder = Object.values(run.stackConfig.placeholders)[0];
        assert.ok(placeholder, "the override must have produced a placeholder");
        const everything = JSON.stringify({ r: run.resources, o: run.outputs });
        assert.ok(!everything.includes(placeholder), "the secure value leaked");
        assert.ok(!everything.includes("offline-ecr-token-never-printed"), "the ECR token leaked");
    });
});

describe("taggable types", () => {
    it("the program tags every map-tagged type the policy pack checks (one generated list)", () => {
        assert.ok(TAGGABLE_AWS_TYPES.size > 800);
        assert.ok(TAGGABLE_AWS_TYPES.has("aws:eks/cluster:Cluster"));
        assert.ok(!TAGGABLE_AWS_TYPES.has("aws:iam/rolePolicyAttachment:RolePolicyAttachment"));
        assert.ok(!TAGGABLE_AWS_TYPES.has("aws:autoscaling/group:Group"), "list-shaped tags are not merged as a map");
    });
});

describe("build-context hash", () => {
    it("changes with content, ignores .dockerignore'd files, is stable otherwise", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(dir, ".dockerignore"), ".venv/\n*.log\n");
        fs.writeFileSync(path.join(dir, "app.py"), "print(1)\n");
        const h1 = hashBuildContext(dir);
        fs.mkdirSync(path.join(dir, ".venv"));
        fs.writeFileSync(path.join(dir, ".venv", "x"), "ignored");
        fs.writeFileSync(path.join(dir, "debug.log"), "ignored");
        assert.equal(hashBuildContext(dir), h1);
        fs.writeFileSync(path.join(dir, "app.py"), "print(2)\n");
        assert.notEqual(hashBuildContext(dir), h1);
        fs.rmSync(dir, { recursive: true });
    });

    it("changes whenever anything that changes the image changes: Dockerfile, .dockerignore (even when they ignore themselves), platform, build args, context", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
        // Like apps/*/.dockerignore: the Dockerfile and .dockerignore keep themselves out of the context Docker sends.
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(dir, ".dockerignore"), "Dockerfile\n.dockerignore\n*.log\n");
        fs.writeFileSync(path.join(dir, "app.py"), "print(1)\n");
        const build = { platform: "linux/amd64", args: { A: "1" } };
        const h = () => hashBuildContext(dir, build);
        const seen = new Set([h()]);
        const expectNew = (what: string) => {
            const now = h();
            assert.ok(!seen.has(now), `${what} must change the tag`);
            seen.add(now);
        };
        fs.appendFileSync(path.join(dir, "Dockerfile"), "USER 10001\n");
        expectNew("a Dockerfile edit (e.g. a base-image bump)");
        fs.appendFileSync(path.join(dir, ".dockerignore"), "tests/\n");
        expectNew("a .dockerignore edit");
        build.platform = "linux/arm64";
        expectNew("another platform");
        build.args = { A: "2" };
        expectNew("another build arg");
        fs.writeFileSync(path.join(dir, "app.py"), "print(2)\n");
        expectNew("a context file");
        const before = h();
        fs.writeFileSync(path.join(dir, "debug.log"), "ignored");
        assert.equal(h(), before, "an ignored file does not change it");
        fs.rmSync(dir, { recursive: true });
    });

    it("refuses a context without a Dockerfile", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
        assert.throws(() => hashBuildContext(dir), /no Dockerfile/);
        fs.rmSync(dir, { recursive: true });
    });
});
