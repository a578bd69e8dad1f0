/** Issue 14 findings 11 and 12, per stack: rollouts behind the ALB, and tags on what AWS creates for us. */
import * as assert from "node:assert/strict";
import { defaultsFor } from "../config";
import { evaluate, loadPolicyConfig } from "../policy/evaluate";
import { get, ofType, STACKS, stackRun } from "./helpers";

const REQUIRED = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"];

for (const stack of STACKS) {
    describe(`day 2 (${stack})`, () => {
        const d = defaultsFor(stack);

        it("tags reach the managed nodes' instances, volumes and ENIs, and every EBS volume the CSI driver provisions (finding 12)", async () => {
            const { resources } = await stackRun(stack);
            const [lt] = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate");
            const specs = get(lt.inputs, "tagSpecifications") as { resourceType: string; tags: Record<string, string> }[];
            assert.deepEqual(specs.map((s) => s.resourceType).sort(), ["instance", "network-interface", "volume"]);
            for (const s of specs) for (const k of REQUIRED) assert.ok(s.tags[k], `${s.resourceType} lacks ${k}`);
            const [sc] = ofType(resources, "kubernetes:storage.k8s.io/v1:StorageClass");
            const tagged = Object.entries(get(sc.inputs, "parameters") as Record<string, string>)
                .filter(([k]) => k.startsWith("tagSpecification"))
                .map(([, v]) => v.split("=")[0]);
            assert.deepEqual(tagged.sort(), [...REQUIRED].sort());
        });

        it("the load-balancer controller tags its ALBs, target groups and security groups (finding 12)", async () => {
            const { resources } = await stackRun(stack);
            const lbc = ofType(resources, "kubernetes:helm.sh/v3:Release").find((r) => r.name === "aws-load-balancer-controller");
            assert.equal(Boolean(lbc), d.ingressEnabled);
            if (lbc) for (const k of REQUIRED) assert.ok(get(lbc.inputs, `values.defaultTags.${k}`), k);
        });

        it("rollouts behind the ALB: readiness gates injected in the apps' namespace, a preStop drain within the grace period, a 30 s deregistration delay (finding 11)", async () => {
            const { resources } = await stackRun(stack);
            const shop = ofType(resources, "kubernetes:core/v1:Namespace").find((n) => get(n.inputs, "metadata.name") === "shop")!;
            assert.equal(get(shop.inputs, "metadata.labels")["elbv2.k8s.aws/pod-readiness-gate-inject"], d.ingressEnabled ? "enabled" : undefined);
            for (const dep of ofType(resources, "kubernetes:apps/v1:Deployment")) {
                const sleep = get(dep.inputs, "spec.template.spec.containers.0.lifecycle.preStop.sleep.seconds") as number;
                assert.ok(sleep > 0 && sleep < (get(dep.inputs, "spec.template.spec.terminationGracePeriodSeconds") as number), dep.name);
            }
            for (const ing of ofType(resources, "kubernetes:networking.k8s.io/v1:Ingress"))
                assert.equal(
                    get(ing.inputs, "metadata.annotations")["alb.ingress.kubernetes.io/target-group-attributes"],
                    "deregistration_delay.timeout_seconds=30",
                );
        });
    });
}

describe("images pinned by digest (issue 20)", () => {
    it("staging and prod require digests: the real program passes, a tag-only image fails mandatorily", async () => {
        for (const stack of ["staging", "prod"] as const) {
            const cfg = loadPolicyConfig(`policy/config/${stack}.json`);
            const { resources } = await stackRun(stack);
            assert.deepEqual(
                evaluate(resources, cfg, { stack }).filter((v) => v.policyName === "k8s-image-pinned"),
                [],
            );
            const sts = ofType(resources, "kubernetes:apps/v1:StatefulSet")[0];
            const tagOnly = structuredClone(sts);
            (get(tagOnly.inputs, "spec.template.spec.containers") as { image: string }[])[0].image = "redis:7.4.7-bookworm";
            const vs = evaluate([tagOnly], cfg, { stack }).filter((v) => v.policyName === "k8s-image-pinned");
            assert.equal(vs.length, 1);
            assert.equal(vs[0].enforcementLevel, "mandatory");
        }
    });
});
