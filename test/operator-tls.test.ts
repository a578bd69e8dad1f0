/**
 * The prometheus-operator's certificate comes from Pulumi (components/monitoring/operatorTls.ts),
 * not from the chart's kube-webhook-certgen Jobs (issue 20: the one image no public source pins by
 * digest). On the real program's records, per stack: the chart is told to render no certgen Job,
 * the Secret the chart mounts exists under the chart's fixed name with the chart's key names, the
 * certificate covers the names the chart dials, and the keys are only ever secrets.
 */
import * as assert from "node:assert/strict";
import { ResourceRecord } from "../harness";
import { caBundleOf, OPERATOR_CERT_EARLY_RENEWAL_HOURS, OPERATOR_CERT_VALIDITY_HOURS, operatorTlsNames } from "../components/monitoring/operatorTls";
import { RELEASE_NAME } from "../components/monitoring";
import { isRedactedSecret } from "../harness/types";
import { get, one, ofType, STACKS, stackRun } from "./helpers";

const T = {
    key: "tls:index/privateKey:PrivateKey",
    ca: "tls:index/selfSignedCert:SelfSignedCert",
    csr: "tls:index/certRequest:CertRequest",
    leaf: "tls:index/locallySignedCert:LocallySignedCert",
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    external: "kubernetes:external-secrets.io/v1:ExternalSecret",
    version: "aws:secretsmanager/secretVersion:SecretVersion",
};
const kpsOf = (rs: ResourceRecord[]) => ofType(rs, T.release).find((r) => String(r.inputs.chart).endsWith("kube-prometheus-stack"))!;
const deps = (r: ResourceRecord, key: string) => r.options?.propertyDependencies?.[key] ?? [];

describe("prometheus-operator certificate (Pulumi-made, no certgen Jobs)", function () {
    this.timeout(300_000);

    it("the names are the chart's: Secret <fullname>-admission, Service <fullname>-operator and its .<ns>.svc name", () => {
        // kube-prometheus-stack-88.5.3 templates/_helpers.tpl "operator.admission-webhook.dnsNames" (no webhook Deployment),
        // deployment.yaml's secretName and servicemonitor.yaml's serverName.
        assert.deepEqual(operatorTlsNames("kps", "monitoring"), {
            secret: "kps-admission",
            service: "kps-operator",
            dnsNames: ["kps-operator", "kps-operator.monitoring.svc"],
        });
    });

    it("caBundle is base64 of the PEM bytes (a []byte field in the webhook configuration's JSON)", () => {
        const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert.equal(Buffer.from(caBundleOf(pem), "base64").toString("utf8"), pem);
        assert.match(caBundleOf(pem), /^[A-Za-z0-9+/]+=*$/);
    });

    it("the serving certificate is renewed by any deploy in its last 90 days, well before it expires", () => {
        assert.ok(OPERATOR_CERT_EARLY_RENEWAL_HOURS > 0 && OPERATOR_CERT_EARLY_RENEWAL_HOURS < OPERATOR_CERT_VALIDITY_HOURS / 2);
    });

    for (const stack of STACKS)
        describe(stack, () => {
            it("kube-prometheus-stack renders no certgen Job: patch disabled, no patch image, caBundle set, failurePolicy Ignore", async () => {
                const { resources } = await stackRun(stack);
                const hooks = get(kpsOf(resources).inputs, "values.prometheusOperator.admissionWebhooks");
                assert.equal(hooks.patch.enabled, false);
                assert.equal(hooks.patch.image, undefined, "no certgen image reaches the values");
                assert.equal(hooks.certManager?.enabled ?? false, false, "caBundle is rendered only without cert-manager");
                assert.equal(hooks.failurePolicy, "Ignore");
                const pem = Buffer.from(String(hooks.caBundle), "base64").toString("utf8");
                assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
                assert.ok(!JSON.stringify(kpsOf(resources).inputs).includes("kube-webhook-certgen"));
            });

            it("a CA and a serving certificate for exactly the chart's names; ECDSA keys, server-auth only", async () => {
                const { resources } = await stackRun(stack);
                const keys = ofType(resources, T.key);
                assert.equal(keys.length, 2);
                for (const k of keys) assert.deepEqual([k.inputs.algorithm, k.inputs.ecdsaCurve], ["ECDSA", "P256"]);
                const ca = one(resources, T.ca);
                assert.equal(ca.inputs.isCaCertificate, true);
                assert.deepEqual(ca.inputs.allowedUses, ["cert_signing", "crl_signing", "digital_signature"]);
                const csr = one(resources, T.csr);
                assert.deepEqual(csr.inputs.dnsNames, operatorTlsNames(RELEASE_NAME, "monitoring").dnsNames);
                const leaf = one(resources, T.leaf);
                assert.deepEqual(leaf.inputs.allowedUses, ["server_auth", "digital_signature", "key_encipherment"]);
                assert.equal(leaf.inputs.earlyRenewalHours, OPERATOR_CERT_EARLY_RENEWAL_HOURS);
                // Signed by that CA, for that request.
                assert.deepEqual(deps(leaf, "caCertPem"), [ca.urn]);
                assert.deepEqual(deps(leaf, "certRequestPem"), [csr.urn]);
                for (const r of [csr, leaf, ca]) for (const v of Object.values(r.inputs)) if (typeof v === "string") assert.doesNotMatch(v, /PRIVATE KEY/);
                assert.ok(
                    isRedactedSecret(leaf.inputs.caPrivateKeyPem) && isRedactedSecret(csr.inputs.privateKeyPem) && isRedactedSecret(ca.inputs.privateKeyPem),
                );
            });

            it("the release reads the CA only: a renewed serving certificate does not touch kube-prometheus-stack", async () => {
                const { resources } = await stackRun(stack);
                const kps = kpsOf(resources);
                const ca = one(resources, T.ca);
                const leaf = one(resources, T.leaf);
                assert.ok(deps(kps, "values").includes(ca.urn), "caBundle comes from the CA");
                assert.ok(!deps(kps, "values").includes(leaf.urn), "the serving certificate is not in the values");
            });

            it("the Secret the operator mounts (<fullname>-admission, keys ca/cert/key) exists before the release, its values secret", async () => {
                const { resources } = await stackRun(stack);
                const kps = kpsOf(resources);
                const name = operatorTlsNames(RELEASE_NAME, "monitoring").secret;
                const externals = ofType(resources, T.external).filter((e) => get(e.inputs, "spec.target.name") === name);
                const plain = ofType(resources, T.secret).filter((s) => get(s.inputs, "metadata.name") === name);
                if (externals.length) {
                    // External Secrets stacks: the key goes to Secrets Manager, and the operator syncs it under the fixed name.
                    assert.equal(plain.length, 0);
                    const e = externals[0];
                    assert.equal(get(e.inputs, "metadata.namespace"), "monitoring");
                    assert.deepEqual(
                        get(e.inputs, "spec.data")
                            .map((d: { secretKey: string }) => d.secretKey)
                            .sort(),
                        ["ca", "cert", "key"],
                    );
                    assert.ok(kps.dependencies.includes(e.urn), "the release waits for the synced Secret");
                    const version = ofType(resources, T.version).find((v) => deps(e, "spec").includes(v.urn) || e.dependencies.includes(v.urn));
                    assert.ok(version && isRedactedSecret(version.inputs.secretString));
                } else {
                    assert.equal(plain.length, 1, `one Secret named ${name}`);
                    const s = plain[0];
                    assert.equal(get(s.inputs, "metadata.namespace"), "monitoring");
                    assert.ok(isRedactedSecret(s.inputs.stringData), "stringData is a secret");
                    assert.ok(kps.dependencies.includes(s.urn), "the release waits for the Secret");
                    const from = deps(s, "stringData");
                    assert.ok(from.includes(one(resources, T.ca).urn) && from.includes(one(resources, T.leaf).urn));
                }
            });
        });
});
