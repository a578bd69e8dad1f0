import * as assert from "node:assert/strict";
import { albIngressAnnotations, LoadBalancerController } from "../../components/addons/loadBalancerController";
import { MetricsServer } from "../../components/addons/metricsServer";
import { runComponents } from "../../harness";
import { get, ofType } from "../helpers";
import { provider } from "./fixtures";

describe("component: add-ons", () => {
    for (const [replicas, pdb] of [
        [1, false],
        [2, true],
    ] as const) {
        it(`metrics-server with ${replicas} replica(s): PodDisruptionBudget ${pdb ? "on" : "off"}`, async () => {
            const r = await runComponents(() => new MetricsServer("metrics-server", { provider: provider(), clusterName: "c", region: "eu-west-1", replicas }));
            const [release] = ofType(r, "kubernetes:helm.sh/v3:Release");
            assert.equal(get(release.inputs, "values.podDisruptionBudget.enabled"), pdb);
            assert.equal(get(release.inputs, "values.replicas"), replicas);
            // A crash-looping replica must not block drains (issue 20 item 4).
            assert.equal(get(release.inputs, "values.podDisruptionBudget.unhealthyPodEvictionPolicy"), "AlwaysAllow");
        });
    }

    it("metrics-server: the APIService verifies TLS (no insecureSkipTLSVerify; the chart's Helm-generated CA in caBundle)", async () => {
        const r = await runComponents(() => new MetricsServer("metrics-server", { provider: provider(), clusterName: "c", region: "eu-west-1", replicas: 1 }));
        const [release] = ofType(r, "kubernetes:helm.sh/v3:Release");
        assert.equal(get(release.inputs, "values.apiService.insecureSkipTLSVerify"), false);
        assert.equal(get(release.inputs, "values.tls.type"), "helm");
    });

    for (const replicas of [1, 2])
        it(`the load-balancer controller with ${replicas} replica(s): restricted pods, a PDB (rendered from 2 on) and a zone spread from 2`, async () => {
            const r = await runComponents(
                () => new LoadBalancerController("lbc", { provider: provider(), clusterName: "c", region: "eu-west-1", replicas, vpcId: "vpc-1", tags: {} }),
            );
            const [release] = ofType(r, "kubernetes:helm.sh/v3:Release");
            const v = release.inputs.values as Record<string, any>;
            assert.deepEqual(v.securityContext.capabilities, { drop: ["ALL"] });
            assert.deepEqual(v.securityContext.seccompProfile, { type: "RuntimeDefault" });
            assert.equal(v.podDisruptionBudget.unhealthyPodEvictionPolicy, "AlwaysAllow");
            assert.equal(v.topologySpreadConstraints.length, replicas > 1 ? 1 : 0);
        });

    it("the load-balancer controller owns the IngressClass and the annotations an app's route gets", async () => {
        let route: ReturnType<LoadBalancerController["route"]> | undefined;
        await runComponents(() => {
            const lbc = new LoadBalancerController("lbc", {
                provider: provider(),
                clusterName: "c",
                region: "eu-west-1",
                replicas: 1,
                vpcId: "vpc-1",
                tags: { Project: "p" },
            });
            route = lbc.route({ host: "shop.example.com", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x", tlsPolicy: "p", groupName: "g" });
        });
        assert.equal(route!.className, "alb");
        assert.deepEqual(
            route!.annotations(7),
            albIngressAnnotations({ host: "shop.example.com", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x", tlsPolicy: "p", groupName: "g" }, 7),
        );
        assert.equal(route!.annotations(7)["alb.ingress.kubernetes.io/group.order"], "7");
    });
});
