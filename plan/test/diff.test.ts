import * as assert from "node:assert/strict";
import { diffPlans, isVolatile, normaliseName, renderDiff, type PlanDiff } from "../diff";
import { planFor } from "./helpers";

const change = (d: PlanDiff, type: string, path: string) => d.inputs.find((i) => i.type === type && i.path === path);

describe("plan: --diff", () => {
    let d: PlanDiff;
    before(async () => {
        d = diffPlans(await planFor("dev"), await planFor("prod"));
    });

    it("normalises stack names only where they stand as a token", () => {
        assert.equal(normaliseName("shop-dev-node", "dev"), "shop-{stack}-node");
        assert.equal(normaliseName("shop-dev", "dev"), "shop-{stack}");
        assert.equal(normaliseName("devops", "dev"), "devops");
    });

    it("lists the known dev → prod differences: NAT strategy, AZs, node scaling, FlowLog count", () => {
        assert.deepEqual(
            change(d, "awsx:ec2:Vpc", "natGateways.strategy") && [
                change(d, "awsx:ec2:Vpc", "natGateways.strategy")!.a,
                change(d, "awsx:ec2:Vpc", "natGateways.strategy")!.b,
            ],
            ["Single", "OnePerAz"],
        );
        const azs = change(d, "awsx:ec2:Vpc", "numberOfAvailabilityZones");
        assert.deepEqual([azs?.a, azs?.b], [2, 3]);
        for (const p of ["scalingConfig.minSize", "scalingConfig.maxSize", "scalingConfig.desiredSize"]) {
            const c = change(d, "aws:eks/nodeGroup:NodeGroup", p);
            assert.ok(c, `no diff on NodeGroup ${p}`);
            assert.ok(Number(c.b) > Number(c.a), `${p}: prod (${String(c.b)}) should exceed dev (${String(c.a)})`);
        }
        assert.equal(change(d, "aws:eks/nodeGroup:NodeGroup", "scalingConfig.maxSize")!.name, "shop-{stack}-system");
        assert.deepEqual(
            d.counts.find((c) => c.type === "aws:ec2/flowLog:FlowLog"),
            { type: "aws:ec2/flowLog:FlowLog", a: 0, b: 1 },
        );
        assert.ok(change(d, "aws:cloudwatch/logGroup:LogGroup", "retentionInDays"), "control-plane log retention differs");
        assert.ok(change(d, "aws:eks/cluster:Cluster", "vpcConfig.endpointPublicAccess"));
        assert.ok(change(d, "kubernetes:apps/v1:Deployment", "spec.replicas"), "app replicas differ");
    });

    it("only rows that differ; no volatile values, no tags.Environment, no unchanged values", () => {
        assert.ok(d.counts.every((c) => c.a !== c.b));
        for (const i of d.inputs) {
            assert.ok(!/tags\.Environment$/.test(i.path), i.path);
            for (const v of [i.a, i.b]) assert.ok(!isVolatile(v) && !/^arn:|sha256:/.test(String(v)), `${i.type} ${i.path}: volatile ${String(v)}`);
            assert.notDeepEqual(i.a, i.b);
        }
        // a stack against itself differs in nothing
    });

    it("a stack diffed against itself is empty", async () => {
        const same = diffPlans(await planFor("dev"), await planFor("dev"));
        assert.deepEqual([same.counts, same.onlyInA, same.onlyInB, same.inputs], [[], [], [], []]);
    });

    it("renders a table with the stack names as columns", () => {
        const text = renderDiff(d);
        assert.match(text, /^type\s+dev\s+prod$/m);
        assert.match(text, /aws:ec2\/flowLog:FlowLog\s+0\s+1/);
        assert.match(text, /Vpc shop-\{stack\}\s+natGateways\.strategy\s+Single\s+OnePerAz/);
    });
});
