/** Issue 14 findings 2, 4 and 6: no placeholder reaches AWS, one access model, spot in a fresh account. */
import * as assert from "node:assert/strict";
import { Karpenter } from "../components/addons/karpenter";
import { ConfigError, defaultsFor, parseShopConfig, PROJECT } from "../config";
import { loadStackConfig, runComponents, runStack } from "../harness";
import { get, ofType, STACKS, stackRun } from "./helpers";
import { provider } from "./components/fixtures";

const k = (key: string) => `${PROJECT}:${key}`;
const ROLE = "arn:aws:iam::210987654321:role/shop-deploy";
const PREVIEW = "arn:aws:iam::210987654321:role/shop-preview";
const deployable: Record<string, Record<string, unknown>> = {
    dev: { deployRoleArn: ROLE, publicAccessCidrs: ["198.18.0.0/24"] },
    staging: {
        deployRoleArn: ROLE,
        publicAccessCidrs: ["198.18.0.0/24"],
        ingressHost: "shop.staging.shop-example.net",
        certificateArn: "arn:aws:acm:eu-west-1:210987654321:certificate/11111111-2222-3333-4444-555555555555",
    },
    prod: {
        deployRoleArn: ROLE,
        ingressHost: "shop.shop-example.net",
        certificateArn: "arn:aws:acm:eu-west-1:210987654321:certificate/11111111-2222-3333-4444-555555555555",
    },
};

/** Runs the program as `pulumi up` would: not offline, so deploy gaps stop it. */
async function realRun(stack: string, overrides: Record<string, unknown> = {}) {
    process.env.SHOP_PLATFORM_OFFLINE = "0";
    try {
        return await runStack(stack, { configOverrides: overrides });
    } finally {
        process.env.SHOP_PLATFORM_OFFLINE = "1";
    }
}

describe("no placeholder reaches AWS (finding 2)", () => {
    for (const stack of STACKS) {
        it(`${stack}: the committed stack file makes \`pulumi up\` fail before any resource, naming every value to set`, async () => {
            let error: unknown;
            await realRun(stack).catch((e) => (error = e));
            assert.ok(error instanceof ConfigError, String(error));
            const keys = error.problems.map((p) => p.key);
            assert.ok(keys.includes(k("deployRoleArn")), keys.join(", "));
            if (defaultsFor(stack).ingressEnabled) for (const key of ["ingressHost", "certificateArn"]) assert.ok(keys.includes(k(key)), key);
            if (defaultsFor(stack).endpointPublicAccess) assert.ok(keys.includes(k("publicAccessCidrs")));
            assert.deepEqual((error as { registeredResources?: unknown[] }).registeredResources, []);
        });

        it(`${stack}: with the values only the operator knows, \`pulumi up\` runs (no gaps)`, async () => {
            const run = await realRun(stack, deployable[stack]);
            assert.ok(run.resources.length > 100);
        });
    }

    it("documentation ranges and the documentation account are refused as placeholders", () => {
        const sc = loadStackConfig("dev", {
            overrides: {
                deployRoleArn: "arn:aws:iam::123456789012:role/x",
                publicAccessCidrs: ["203.0.113.0/24"],
                adminPrincipalArns: ["arn:aws:iam::123456789012:role/admin"],
            },
        });
        const gaps = new Map(parseShopConfig(sc.config, { stack: "dev" }).deployGaps.map((g) => [g.key, g.message]));
        assert.match(gaps.get(k("deployRoleArn"))!, /documentation account/);
        assert.match(gaps.get(k("publicAccessCidrs"))!, /documentation ranges/);
        assert.match(gaps.get(k("adminPrincipalArns"))!, /documentation account/);
    });
});

describe("who may reach the cluster (finding 4)", () => {
    for (const stack of STACKS) {
        it(`${stack}: no implicit creator admin; the deploy role is cluster-admin through its own entry and the Kubernetes provider waits for it`, async () => {
            const { resources } = await stackRun(stack);
            const [cluster] = ofType(resources, "aws:eks/cluster:Cluster");
            assert.equal(get(cluster.inputs, "accessConfig.bootstrapClusterCreatorAdminPermissions"), false);
            const deploy = ofType(resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").find((a) => a.name.endsWith("-deploy"))!;
            assert.match(String(deploy.inputs.policyArn), /AmazonEKSClusterAdminPolicy$/);
            const [k8sProvider] = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.ok(k8sProvider.dependencies.includes(deploy.urn), "the provider must wait for the deploy role's access");
        });
    }

    it("a preview role gets a read-only entry that can read Secrets (Helm release state): AmazonEKSAdminViewPolicy", async () => {
        const { resources } = await runStack("staging", { configOverrides: { previewRoleArn: PREVIEW } });
        const preview = ofType(resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").find((a) => a.name.endsWith("-preview"))!;
        assert.equal(preview.inputs.principalArn, PREVIEW);
        assert.match(String(preview.inputs.policyArn), /AmazonEKSAdminViewPolicy$/);
    });

    it("config refuses contradictions: the deploy role listed again as an admin, a preview role equal to the deploy role", () => {
        const raw = (extra: Record<string, string>) => ({
            "aws:region": "eu-west-1",
            [k("environment")]: "dev",
            [k("owner")]: "t",
            [k("costCenter")]: "c",
            [k("deployRoleArn")]: ROLE,
            ...extra,
        });
        const problems = (extra: Record<string, string>) => {
            try {
                parseShopConfig(raw(extra), { stack: "dev" });
                return new Map<string, string>();
            } catch (e) {
                return new Map((e as ConfigError).problems.map((p) => [p.key, p.message]));
            }
        };
        assert.match(problems({ [k("adminPrincipalArns")]: JSON.stringify([ROLE]) }).get(k("adminPrincipalArns"))!, /must not list deployRoleArn/);
        assert.match(problems({ [k("previewRoleArn")]: ROLE }).get(k("previewRoleArn"))!, /must differ from deployRoleArn/);
    });
});

describe("spot in a fresh account (finding 6)", () => {
    const args = (createSpotServiceLinkedRole: boolean, capacityTypes: ("spot" | "on-demand")[] = ["spot", "on-demand"]) => ({
        provider: provider(),
        clusterName: "c",
        region: "eu-west-1",
        replicas: 1,
        systemNodeSelector: { "shop.platform/node-group": "system" },
        tags: {},
        nodePool: {
            instanceFamilies: ["m6i"],
            capacityTypes,
            cpuLimit: 8,
            memoryLimitGiB: 32,
            consolidateAfterMinutes: 1,
            expireAfterHours: 24,
            createSpotServiceLinkedRole,
        },
    });

    it("spot allowed, the role missing and not to be created: the program fails, naming the command to run", async () => {
        await assert.rejects(
            runComponents(() => new Karpenter("karpenter", args(false)), { existingRoles: [] }),
            /AWSServiceRoleForEC2Spot does not exist.*create-service-linked-role --aws-service-name spot\.amazonaws\.com/,
        );
    });

    it("spot allowed and the role present: nothing created; createSpotServiceLinkedRole: the role, kept on destroy", async () => {
        const present = await runComponents(() => new Karpenter("karpenter", args(false)));
        assert.equal(ofType(present, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
        const created = await runComponents(() => new Karpenter("karpenter", args(true)), { existingRoles: [] });
        const [slr] = ofType(created, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
        assert.equal(slr.inputs.awsServiceName, "spot.amazonaws.com");
        assert.equal(slr.options?.retainOnDelete, true);
    });

    it("on-demand only (prod): neither checked nor created", async () => {
        const r = await runComponents(() => new Karpenter("karpenter", args(false, ["on-demand"])), { existingRoles: [] });
        assert.equal(ofType(r, "aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
    });
});

describe("protect what holds data", () => {
    for (const stack of STACKS) {
        it(`${stack}: the cluster, KMS keys, ECR repositories and Secrets Manager entries are protected outside dev`, async () => {
            const { resources } = await stackRun(stack);
            const want = defaultsFor(stack).protectData;
            for (const t of ["aws:eks/cluster:Cluster", "aws:kms/key:Key", "aws:ecr/repository:Repository", "aws:secretsmanager/secret:Secret"])
                for (const r of ofType(resources, t)) assert.equal(r.protect, want, `${t} ${r.name}`);
        });
    }
});
