/**
 * `pulumi destroy` deletes a resource only after everything that depends on it (its dependents,
 * its children, the resources using it as their provider). These tests prove, from the real
 * program's registrations, that every stack tears down in an order that cannot strand anything:
 * a required "A before B" holds when B is reachable from A over those edges, in every stack.
 */
import * as assert from "node:assert/strict";
import type { ResourceRecord } from "../harness";
import { STACKS, stackRun } from "./helpers";

/** Edges A -> B meaning "A is deleted before B". */
function deletionEdges(rs: ResourceRecord[]): Map<string, Set<string>> {
    const edges = new Map<string, Set<string>>();
    const add = (a: string, b: string) => (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    for (const r of rs) {
        for (const d of r.dependencies) add(r.urn, d);
        if (r.parent) add(r.urn, r.parent);
        if (r.provider) add(r.urn, r.provider.split("::").slice(0, -1).join("::"));
    }
    return edges;
}

function before(edges: Map<string, Set<string>>, a: string, b: string): boolean {
    const seen = new Set<string>();
    const stack = [a];
    while (stack.length) {
        const x = stack.pop()!;
        if (x === b) return true;
        if (seen.has(x)) continue;
        seen.add(x);
        for (const y of edges.get(x) ?? []) stack.push(y);
    }
    return false;
}

const find = (rs: ResourceRecord[], type: string, name?: string | RegExp) =>
    rs.filter((r) => r.type === type && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))));

for (const stack of STACKS) {
    describe(`teardown order (${stack}), finding 9`, () => {
        it("Karpenter: NodePool, then EC2NodeClass, then the controller, its node role and access entry; all before the managed node group and the cluster", async () => {
            const { resources: rs } = await stackRun(stack);
            const e = deletionEdges(rs);
            const [pool] = find(rs, "kubernetes:karpenter.sh/v1:NodePool");
            const [nodeClass] = find(rs, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass");
            const [controller] = find(rs, "kubernetes:helm.sh/v3:Release", "karpenter");
            const [entry] = find(rs, "aws:eks/accessEntry:AccessEntry", "karpenter-node");
            const [nodeRole] = find(rs, "aws:iam/role:Role", "karpenter-node");
            const [queue] = find(rs, "aws:sqs/queue:Queue");
            const [nodeGroup] = find(rs, "aws:eks/nodeGroup:NodeGroup");
            const [cluster] = find(rs, "aws:eks/cluster:Cluster");
            for (const [a, b] of [
                [pool, nodeClass],
                [pool, controller],
                [nodeClass, controller],
                [nodeClass, entry],
                [nodeClass, nodeRole],
                [controller, queue],
                [controller, nodeGroup],
                [pool, nodeGroup],
                [nodeGroup, cluster],
            ] as const)
                assert.ok(before(e, a.urn, b.urn), `${a.name} must be deleted before ${b.name}`);
            assert.equal(
                pool.inputs.metadata && (pool.inputs.metadata as Record<string, any>).annotations["pulumi.com/deletionPropagationPolicy"],
                "foreground",
            );
        });

        it("load balancers and secrets: every Ingress before the load-balancer controller, every ExternalSecret before the operator", async () => {
            const { resources: rs } = await stackRun(stack);
            const e = deletionEdges(rs);
            const [lbc] = find(rs, "kubernetes:helm.sh/v3:Release", "aws-load-balancer-controller");
            for (const ing of find(rs, "kubernetes:networking.k8s.io/v1:Ingress")) assert.ok(before(e, ing.urn, lbc.urn), ing.name);
            const [eso] = find(rs, "kubernetes:helm.sh/v3:Release", "external-secrets");
            for (const es of find(rs, "kubernetes:external-secrets.io/v1:ExternalSecret")) assert.ok(before(e, es.urn, eso.urn), es.name);
        });

        it("every Kubernetes object before the node group (the cluster still runs them while they go), every AWS resource of the cluster before the VPC", async () => {
            const { resources: rs } = await stackRun(stack);
            const e = deletionEdges(rs);
            const [nodeGroup] = find(rs, "aws:eks/nodeGroup:NodeGroup");
            const [vpc] = find(rs, "awsx:ec2:Vpc");
            const [cluster] = find(rs, "aws:eks/cluster:Cluster");
            for (const r of rs.filter((x) => x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:providers")))
                assert.ok(before(e, r.urn, nodeGroup.urn), `${r.type} ${r.name}`);
            assert.ok(before(e, cluster.urn, vpc.urn), "the cluster before the VPC");
        });
    });
}
