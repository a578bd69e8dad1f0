/**
 * The prometheus-operator's serving certificate: made by Pulumi instead of the chart's
 * kube-webhook-certgen Jobs.
 *
 * Why: the chart's certificate Jobs run `ghcr.io/jkroepke/kube-webhook-certgen`, the one image of
 * the program no public source pins by digest. They are also Helm hooks with a ClusterRole
 * that may patch webhook configurations. `@pulumi/tls` is the well-kept provider that makes
 * the same chain declaratively. It is a bridge of hashicorp/terraform-provider-tls. The private
 * keys are Pulumi secrets, and the chain is renewed by a routine `pulumi up`.
 *
 * What the chart expects, read at prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3,
 * charts/kube-prometheus-stack/templates/prometheus-operator/:
 *  - deployment.yaml mounts Secret `<fullname>-admission` at /cert and starts the operator with
 *    `--web.cert-file=/cert/cert --web.key-file=/cert/key` (the non-cert-manager key names);
 *  - servicemonitor.yaml scrapes the operator over https with `ca` of that Secret and
 *    `serverName: <fullname>-operator`;
 *  - the webhook configurations call Service `<fullname>-operator` in the release namespace. They carry
 *    `caBundle` from values only when `patch.enabled` and `certManager.enabled` are both false.
 *    The default failurePolicy is then Fail; with the patch Jobs it was Ignore, and it stays
 *    Ignore (see kubePrometheusStackValues);
 *  - the names the certificate must cover are `_helpers.tpl` "operator.admission-webhook.dnsNames":
 *    `<fullname>-operator` and `<fullname>-operator.<namespace>.svc` (no webhook Deployment).
 *
 * Renewal: the operator reloads its certificate files without a restart (prometheus-operator
 * v0.93.1 pkg/server/server.go: `dynamiccertificates.NewDynamicServingContentFromFiles` with a
 * running watcher). So a renewed leaf updates the Secret in place and no pod rolls. The CA is
 * long-lived: replacing it changes `caBundle` and so the Helm release.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { SecretSink } from "../k8s/secrets";

/** Hours a CA certificate is valid: 10 years. Replacing it is a release update (new caBundle), so it is rare on purpose. */
export const OPERATOR_CA_VALIDITY_HOURS = 10 * 365 * 24;
/** Hours the operator's serving certificate is valid: 1 year. */
export const OPERATOR_CERT_VALIDITY_HOURS = 365 * 24;
/**
 * Hours before expiry from which `pulumi up` re-issues the serving certificate: 90 days. The
 * provider marks the certificate `readyForRenewal` then, and plans its replacement. Any deploy
 * in that window renews it. Only a stack with no `pulumi up` for 9 months lets it expire. Then
 * Prometheus cannot scrape the operator (TargetDown), and the webhooks fail open (Ignore).
 */
export const OPERATOR_CERT_EARLY_RENEWAL_HOURS = 90 * 24;

export interface OperatorTlsArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    /** The chart's fullname (`fullnameOverride`): the Secret is `<fullname>-admission`, the Service `<fullname>-operator`. */
    fullname: string;
    labels: Record<string, string>;
    secretSink: SecretSink;
}

/** The chart's names for the operator's Service, its Secret and the names its certificate must cover. */
export function operatorTlsNames(fullname: string, namespace: string) {
    const service = `${fullname}-operator`;
    return { secret: `${fullname}-admission`, service, dnsNames: [service, `${service}.${namespace}.svc`] };
}

/** Pure: a PEM certificate as the webhook configurations' `caBundle` (base64 of the PEM bytes, as `[]byte` is in JSON). */
export function caBundleOf(certPem: string): string {
    return Buffer.from(certPem, "utf8").toString("base64");
}

export interface OperatorTls {
    /** The Secret `<fullname>-admission` the operator Deployment mounts. */
    secretName: pulumi.Output<string>;
    /** What to depend on before the operator starts (the Secret, or the ExternalSecret that syncs it). */
    ready: pulumi.Resource;
    /** `admissionWebhooks.caBundle`: base64 of the CA certificate (public). */
    caBundle: pulumi.Output<string>;
}

/** A CA, and a serving certificate it signs, in the Secret the chart mounts. */
export function operatorTls(parent: pulumi.Resource, name: string, args: OperatorTlsArgs): OperatorTls {
    const opts = { parent };
    // ECDSA P-256: what kube-webhook-certgen generates too, and cheap to verify on every webhook call.
    const key = (id: string) => new tls.PrivateKey(id, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const caKey = key(`${name}-ca`);
    const ca = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: caKey.privateKeyPem,
            subject: { commonName: `${args.fullname}-admission-ca` },
            isCaCertificate: true,
            validityPeriodHours: OPERATOR_CA_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        opts,
    );
    const servingKey = key(`${name}-serving`);
    const names = pulumi.output(args.namespace).apply((ns) => operatorTlsNames(args.fullname, ns));
    const request = new tls.CertRequest(
        `${name}-serving`,
        { privateKeyPem: servingKey.privateKeyPem, subject: { commonName: names.apply((n) => n.dnsNames[1]) }, dnsNames: names.apply((n) => n.dnsNames) },
        opts,
    );
    const serving = new tls.LocallySignedCert(
        `${name}-serving`,
        {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: OPERATOR_CERT_VALIDITY_HOURS,
            earlyRenewalHours: OPERATOR_CERT_EARLY_RENEWAL_HOURS,
            allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
        },
        opts,
    );
    const secret = args.secretSink.create(parent, args.provider, {
        name: operatorTlsNames(args.fullname, "").secret,
        namespace: args.namespace,
        labels: args.labels,
        // The chart reads this exact name (no content hash); the operator reloads the files in place.
        fixedName: true,
        data: { ca: ca.certPem, cert: serving.certPem, key: servingKey.privateKeyPem },
    });
    return { secretName: secret.name, ready: secret.ready, caBundle: ca.certPem.apply(caBundleOf) };
}
