/**
 * Turning on DNS and TLS from a hosted zone (issue 14 finding 3) is a routine change: the change
 * plan on the real program, before/after under the harness, shows exactly what it creates and
 * updates, and that nothing stateful is touched.
 */
import * as assert from "node:assert/strict";
import { changed, expectExactly, label, noStatefulReplaced, renderBrief, rolled, routine } from "./changeRoutine";

const HOST = "shop.staging.example.com";
const ARN = "arn:aws:acm:eu-west-1:210987654321:certificate/11111111-2222-3333-4444-555555555555";
const EXTERNAL_DNS = [
    "aws:eks/podIdentityAssociation:PodIdentityAssociation external-dns",
    "aws:iam/role:Role external-dns",
    "aws:iam/rolePolicy:RolePolicy external-dns",
    "helm.sh/v3:Release external-dns",
];

describe("change plan: DNS and TLS from a hosted zone (staging)", function () {
    this.timeout(180_000);

    it("naming the zone next to a given certificate only creates ExternalDNS and its role: no update, nothing stateful", async () => {
        const p = await routine("staging", { hostedZoneName: "example.com" }, { ingressHost: HOST, certificateArn: ARN });
        expectExactly(p, { create: EXTERNAL_DNS });
        assert.equal(p.blocking.length, 0);
        assert.deepEqual(rolled(p), []);
    });

    it("replacing the certificate ARN by the zone also issues the certificate and updates only the Ingresses' certificate annotation", async () => {
        const p = await routine("staging", { hostedZoneName: "example.com", certificateArn: undefined }, { ingressHost: HOST, certificateArn: ARN });
        expectExactly(p, {
            create: [
                ...EXTERNAL_DNS,
                "aws:acm/certificate:Certificate ingress-certificate",
                "aws:acm/certificateValidation:CertificateValidation ingress-certificate",
                "aws:route53/record:Record ingress-certificate-validation-0",
            ],
            update: ["networking.k8s.io/v1:Ingress catalog", "networking.k8s.io/v1:Ingress storefront"],
        });
        for (const c of changed(p).filter((x) => x.action === "update"))
            assert.deepEqual(
                c.paths.map((x) => x.path),
                ["metadata.annotations.alb.ingress.kubernetes.io/certificate-arn"],
                `${label(c)}:\n${renderBrief(p)}`,
            );
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0);
        assert.deepEqual(rolled(p), [], "no pod restarts: the ALB listener changes, the apps do not");
    });

    it("a new host in the zone replaces the certificate, its validation record and waiter (ForceNew), new first; the Ingresses are updated", async () => {
        const zone = { hostedZoneName: "example.com", ingressHost: HOST };
        const p = await routine("staging", { ingressHost: "www.staging.example.com" }, zone);
        expectExactly(p, {
            replace: [
                "aws:acm/certificate:Certificate ingress-certificate",
                "aws:acm/certificateValidation:CertificateValidation ingress-certificate",
                "aws:route53/record:Record ingress-certificate-validation-0",
            ],
            update: ["networking.k8s.io/v1:Ingress catalog", "networking.k8s.io/v1:Ingress storefront"],
        });
        const byType = (t: string) => changed(p).find((c) => c.type === t)!;
        assert.deepEqual(
            byType("aws:acm/certificate:Certificate").replaceReasons.map((r) => r.path),
            ["domainName"],
        );
        assert.ok(
            byType("aws:route53/record:Record").replaceReasons.some((r) => r.path === "name"),
            renderBrief(p),
        );
        for (const c of changed(p).filter((x) => x.action === "replace")) assert.ok(!c.deleteBeforeReplace, `${label(c)}: created before the old one goes`);
        noStatefulReplaced(p);
        assert.equal(p.blocking.length, 0);
        assert.deepEqual(rolled(p), []);
    });
});
