/**
 * The CRD releases are stateful to the change plan (issue 21 point 3): on the real program's
 * records, replacing or deleting prometheus-operator-crds, karpenter-crd or the external-secrets
 * release (it carries its CRDs) blocks (`plan --base` exits 1), in every stack and whether or not
 * the release is `protect`ed; and the new monitoring replicas are a routine helm upgrade.
 */
import * as assert from "node:assert/strict";
import { computeChangePlan, type ChangePlan } from "../change";
import { basePlan, expectExactly, label, noStatefulReplaced, renderBrief, routine } from "./changeRoutine";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const chartOf = (inputs: Record<string, unknown>) => String(inputs.chart).split("/").pop();

async function mutated(stack: string, chart: string, how: "delete" | "replace"): Promise<ChangePlan> {
    const base = await basePlan(stack);
    const head = structuredClone(base.resources);
    const i = head.findIndex((r) => r.type === RELEASE && chartOf(r.inputs) === chart);
    assert.ok(i >= 0, `${stack}: no ${chart} release`);
    if (how === "delete") head.splice(i, 1);
    else head[i].inputs.namespace = `${String(head[i].inputs.namespace)}-moved`; // name/namespace: ForceNew
    return computeChangePlan({ stack, base: "committed config", baseResources: base.resources, resources: head });
}

describe("change plan: CRD releases are stateful", function () {
    this.timeout(300_000);

    for (const [stack, charts] of [
        ["dev", ["prometheus-operator-crds", "karpenter-crd"]],
        ["prod", ["prometheus-operator-crds", "karpenter-crd", "external-secrets"]],
    ] as const)
        for (const chart of charts)
            for (const how of ["delete", "replace"] as const)
                it(`${stack}: ${how} of the ${chart} release blocks`, async () => {
                    const p = await mutated(stack, chart, how);
                    const hit = p.blocking.filter((c) => c.type === RELEASE && c.action === how);
                    assert.equal(hit.length, 1, renderBrief(p));
                    // prod: protected (protectData); dev: stateful.json's helmCharts entry alone.
                    assert.match(hit[0].stateful ?? "", stack === "prod" ? /^protect/ : /CRDs/, label(hit[0]));
                });

    it("staging: turning External Secrets off deletes its (protected) release: blocked", async () => {
        const p = await routine("staging", { externalSecrets: false });
        assert.ok(
            p.blocking.some((c) => c.type === RELEASE && c.name === "external-secrets" && c.action === "delete"),
            renderBrief(p),
        );
    });

    it("staging: monitoringReplicas 1 -> 2 is a helm upgrade of kube-prometheus-stack only; nothing stateful replaced", async () => {
        const p = await routine("staging", { monitoringReplicas: 2 });
        expectExactly(p, { update: ["helm.sh/v3:Release monitoring"] });
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0);
    });
});
