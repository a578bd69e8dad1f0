/**
 * What a certificate change does, on the real program's records, with the tls provider's own
 * replacement rules (plan/replacement-rules/tls.json). A renewal is the provider replacing the
 * serving certificate: its ModifyPlan marks `ready_for_renewal` inside the early-renewal window.
 * The offline plan cannot see the clock, so the tests force the same replacement through a
 * replace-on-change input and follow what flows from it.
 */
import * as assert from "node:assert/strict";
import type { ResourceRecord } from "../../harness";
import { computeChangePlan, type ChangePlan } from "../change";
import { basePlan, expectExactly, noStatefulReplaced, renderBrief } from "./changeRoutine";

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const KEY = "tls:index/privateKey:PrivateKey";

async function mutated(stack: string, edit: (head: ResourceRecord[]) => void): Promise<ChangePlan> {
    const base = await basePlan(stack);
    const head = structuredClone(base.resources);
    edit(head);
    return computeChangePlan({ stack, base: "committed config", baseResources: base.resources, resources: head });
}

describe("change plan: the prometheus-operator's certificate", function () {
    this.timeout(300_000);

    it("dev: a renewed serving certificate replaces the Secret (delete first: same name); the release and every pod stay", async () => {
        const p = await mutated("dev", (head) => {
            const leaf = head.find((r) => r.type === LEAF)!;
            leaf.inputs.validityPeriodHours = Number(leaf.inputs.validityPeriodHours) + 1;
        });
        // pulumi-kubernetes replaces a Secret whose data changes unless the provider sets enableSecretMutable
        // (kubernetes.json); the name is the chart's, so it is deleted first. The running operator keeps the
        // files it has mounted and reloads the new ones when the kubelet syncs them.
        expectExactly(p, { replace: ["core/v1:Secret kps-admission", "tls:index/locallySignedCert:LocallySignedCert monitoring-operator-serving"] });
        assert.ok(p.changes.find((c) => c.name === "kps-admission")!.deleteBeforeReplace);
        assert.equal(p.changes.filter((c) => c.rolled).length, 0, renderBrief(p));
        assert.equal(p.blocking.length, 0);
    });

    it("prod: a renewed serving certificate is a new Secrets Manager version, synced in place by a new ExternalSecret; the release stays", async () => {
        const p = await mutated("prod", (head) => {
            const leaf = head.find((r) => r.type === LEAF)!;
            leaf.inputs.validityPeriodHours = Number(leaf.inputs.validityPeriodHours) + 1;
        });
        // The ExternalSecret's name carries the new version's id (components/addons/externalSecrets.ts), so the
        // engine replaces it, and Orphan/Retain keep the Secret, which the operator then updates in place. The
        // records only know that `metadata` takes the version's output, not which field, so this forced
        // replacement shows it as an update through the version; the credentials rotation test, where the
        // harness recomputes the name, shows the replacement.
        expectExactly(p, {
            replace: [
                "aws:secretsmanager/secretVersion:SecretVersion kps-admission",
                "tls:index/locallySignedCert:LocallySignedCert monitoring-operator-serving",
            ],
            update: ["external-secrets.io/v1:ExternalSecret kps-admission"],
        });
        const external = p.changes.find((c) => c.type.endsWith("ExternalSecret") && c.name === "kps-admission")!;
        assert.deepEqual(
            external.via.map((v) => [v.key, v.from.split("::").pop()]),
            [["metadata", "kps-admission"]],
        );
        assert.equal(p.changes.filter((c) => c.rolled).length, 0, renderBrief(p));
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0);
    });

    it("dev: a new CA key replaces the chain and updates the release's caBundle (a helm upgrade, never a replacement)", async () => {
        const p = await mutated("dev", (head) => {
            const caKey = head.find((r) => r.type === KEY && r.name.endsWith("-ca"))!;
            caKey.inputs.ecdsaCurve = "P384";
        });
        expectExactly(p, {
            replace: [
                "core/v1:Secret kps-admission",
                "tls:index/locallySignedCert:LocallySignedCert monitoring-operator-serving",
                "tls:index/privateKey:PrivateKey monitoring-operator-ca",
                "tls:index/selfSignedCert:SelfSignedCert monitoring-operator-ca",
            ],
            update: ["helm.sh/v3:Release monitoring"],
        });
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0);
    });
});
