/**
 * What a certificate change does, on the real program's records, with the tls provider's own
 * replacement rules (plan/replacement-rules/tls.json). A renewal is the provider replacing the
 * serving certificate: its ModifyPlan marks `ready_for_renewal` inside the early-renewal window.
 * The offline plan cannot see the clock, so a renewal is modelled in two halves: the program runs
 * again with the certificate re-issued (the harness's `reissued`: new PEM, same inputs), so what
 * is computed from it downstream is recomputed; and the certificate's record is marked replaced
 * (a replace-on-change input), which is the provider's decision the records cannot show.
 */
import * as assert from "node:assert/strict";
import type { ResourceRecord } from "../../harness";
import { computeChangePlan, type ChangePlan } from "../change";
import { planStack } from "../plan";
import { basePlan, expectExactly, noStatefulReplaced, renderBrief } from "./changeRoutine";

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const KEY = "tls:index/privateKey:PrivateKey";
const SERVING = "monitoring-operator-serving";

async function mutated(stack: string, edit: (head: ResourceRecord[]) => void, reissued: string[] = []): Promise<ChangePlan> {
    const base = await basePlan(stack);
    const head = reissued.length ? (await planStack(stack, { reissued })).resources : structuredClone(base.resources);
    edit(head);
    return computeChangePlan({ stack, base: "committed config", baseResources: base.resources, resources: head });
}

/** The provider's renewal: the serving certificate re-issued and replaced. */
const renew = (stack: string) =>
    mutated(
        stack,
        (head) => {
            const leaf = head.find((r) => r.type === LEAF)!;
            leaf.inputs.validityPeriodHours = Number(leaf.inputs.validityPeriodHours) + 1;
        },
        [SERVING],
    );

describe("change plan: the prometheus-operator's certificate", function () {
    this.timeout(300_000);

    it("dev: a renewed serving certificate replaces the Secret (delete first: same name); the release and every pod stay", async () => {
        const p = await renew("dev");
        // pulumi-kubernetes replaces a Secret whose data changes unless the provider sets enableSecretMutable
        // (kubernetes.json); the name is the chart's, so it is deleted first. The running operator keeps the
        // files it has mounted and reloads the new ones when the kubelet syncs them.
        expectExactly(p, { replace: ["core/v1:Secret kps-admission", "tls:index/locallySignedCert:LocallySignedCert monitoring-operator-serving"] });
        assert.ok(p.changes.find((c) => c.name === "kps-admission")!.deleteBeforeReplace);
        assert.equal(p.changes.filter((c) => c.rolled).length, 0, renderBrief(p));
        assert.equal(p.blocking.length, 0);
    });

    it("prod: a renewed serving certificate is a new Secrets Manager version, synced in place by a new ExternalSecret; the release stays", async () => {
        const p = await renew("prod");
        // The ExternalSecret's name carries the new version's id (components/addons/externalSecrets.ts): a new
        // object, created before the old one goes; Orphan/Retain keep the Secret, which the operator updates in place.
        expectExactly(p, {
            replace: [
                "aws:secretsmanager/secretVersion:SecretVersion kps-admission",
                "external-secrets.io/v1:ExternalSecret kps-admission",
                "tls:index/locallySignedCert:LocallySignedCert monitoring-operator-serving",
            ],
        });
        const external = p.changes.find((c) => c.type.endsWith("ExternalSecret") && c.name === "kps-admission")!;
        assert.ok(
            external.replaceReasons.some((r) => r.path === "metadata.name"),
            renderBrief(p),
        );
        assert.equal(external.deleteBeforeReplace, false, "the new ExternalSecret exists before the old one goes");
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
