import * as assert from "node:assert/strict";
import { descendants, renderCounts, renderTree, type TreeNode } from "../tree";
import { planFor } from "./helpers";

const find = (n: TreeNode, pred: (x: TreeNode) => boolean): TreeNode[] => [...(pred(n) ? [n] : []), ...n.children.flatMap((c) => find(c, pred))];

describe("plan: tree and totals", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: shop:cluster:Cluster has aws:eks/cluster:Cluster and the node group beneath it`, async () => {
            const plan = await planFor(stack);
            const [cluster] = find(plan.tree, (n) => n.type === "shop:cluster:Cluster");
            assert.ok(cluster, "no shop:cluster:Cluster in the tree");
            assert.equal(cluster.name, `shop-${stack}`);
            const below = descendants(cluster).map((n) => n.type);
            assert.ok(below.includes("aws:eks/cluster:Cluster"));
            assert.ok(below.includes("aws:eks/nodeGroup:NodeGroup"));
            // the Vpc lives under the Network component, not under the root
            const [network] = find(plan.tree, (n) => n.type === "shop:network:Network");
            const vpc = network.children.find((c) => c.type === "awsx:ec2:Vpc");
            assert.ok(vpc && vpc.remote, "the awsx Vpc (remote) is a child of shop:network:Network");
        });

        it(`${stack}: every resource appears exactly once; totals equal the number of resources`, async () => {
            const plan = await planFor(stack);
            const urns = descendants(plan.tree).map((n) => n.urn);
            assert.equal(urns.length, plan.resources.length);
            assert.deepEqual([...urns].sort(), plan.resources.map((r) => r.urn).sort());
            assert.equal(plan.total, plan.resources.length);
            assert.equal(
                Object.values(plan.counts).reduce((a, b) => a + b, 0),
                plan.resources.length,
            );
            assert.match(renderCounts(plan.counts), new RegExp(`\\+ ${plan.resources.length} to create`));
            // children hang off their parent's URN
            for (const n of descendants(plan.tree)) for (const c of n.children) assert.equal(plan.resources.find((r) => r.urn === c.urn)!.parent, n.urn);
        });
    }

    it("renders a preview-like tree: + op, type column with indentation, name column", async () => {
        const text = renderTree((await planFor("dev")).tree);
        const lines = text.split("\n");
        assert.match(lines[1], /^ \+ {2}pulumi:pulumi:Stack\s+shop-platform-dev$/);
        const clusterLine = lines.findIndex((l) => /^ \+ {2}├─ shop:cluster:Cluster\s+shop-dev$/.test(l));
        assert.ok(clusterLine > 0, text);
        assert.ok(lines.some((l, i) => i > clusterLine && /^ \+ {2}│ {2}[├└]─ aws:eks\/cluster:Cluster\s+shop-dev$/.test(l)));
        assert.match(text, /awsx:ec2:Vpc\s+shop-dev {2}\(remote component: children not visible offline\)/);
    });

    it("counts differ by environment where the stacks differ (FlowLog only with flow logs on)", async () => {
        assert.equal((await planFor("dev")).counts["aws:ec2/flowLog:FlowLog"] ?? 0, 0);
        assert.equal((await planFor("prod")).counts["aws:ec2/flowLog:FlowLog"], 1);
    });
});
