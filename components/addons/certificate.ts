/**
 * TLS for the stack's host without a hand-made ARN: the public Route 53 zone named in config is
 * looked up, an ACM certificate is requested with DNS validation, its validation records are
 * written into that zone and Pulumi waits until ACM has issued it. The ALB then uses the
 * validated certificate's ARN (see LoadBalancerController.route).
 *
 * Shape of the three resources: the DNS-validation example of @pulumi/aws 7.48.0
 * (acm/certificateValidation.d.ts and acm/certificate.d.ts "Referencing domainValidationOptions"):
 * one `aws.route53.Record` per domain validation option, `allowOverwrite: true`, TTL 60, and an
 * `aws.acm.CertificateValidation` over the records' FQDNs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A public Route 53 hosted zone the stack writes into (validation records here, ExternalDNS its host records). */
export interface HostedZone {
    /** The zone's DNS name as configured, e.g. `example.com`. */
    name: string;
    zoneId: pulumi.Output<string>;
    /** `arn:aws:route53:::hostedzone/<id>`: what IAM policies scope to. */
    arn: pulumi.Output<string>;
}

/**
 * Looks the zone up by name (it is not created here: a zone is delegated from its registrar and
 * outlives stacks). `privateZone: false`: a private zone of the same name (split-horizon) would
 * neither validate a public certificate nor serve the public host.
 */
export function publicHostedZone(name: string, opts?: pulumi.InvokeOutputOptions): HostedZone {
    const zone = aws.route53.getZoneOutput({ name, privateZone: false }, opts);
    return { name, zoneId: zone.zoneId, arn: zone.arn };
}

export interface DnsValidatedCertificateArgs {
    /** The certificate's name (the ALB's host). */
    domainName: string;
    /** Further names on the same certificate (each validated in `zone`). Defaults to none. */
    subjectAlternativeNames?: string[];
    /** Zone that holds every name above. */
    zone: HostedZone;
}

/**
 * An ACM certificate for `domainName`, issued through DNS validation in `zone`. ACM renews it on
 * its own "as long as the certificate is in use and your CNAME record remains in place" (ACM
 * User Guide, DNS validation: https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html,
 * read 2026-12-02); the records are Pulumi-managed here, so they stay.
 */
export class DnsValidatedCertificate extends pulumi.ComponentResource {
    /** The ARN once ACM reports the certificate ISSUED: a listener given it never sees a pending certificate. */
    readonly certificateArn: pulumi.Output<string>;
    readonly validationRecords: aws.route53.Record[];

    constructor(name: string, args: DnsValidatedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:DnsValidatedCertificate", name, {}, opts);
        const parent = { parent: this };
        const domains = [args.domainName, ...(args.subjectAlternativeNames ?? [])];
        // Pulumi's default for a replacement (a new domainName is force-new) is create-then-delete:
        // the new certificate is issued and the Ingress moved to it before the old one is deleted
        // (ACM refuses to delete a certificate a listener still uses).
        const certificate = new aws.acm.Certificate(
            name,
            {
                domainName: args.domainName,
                ...(args.subjectAlternativeNames?.length ? { subjectAlternativeNames: args.subjectAlternativeNames } : {}),
                validationMethod: "DNS",
            },
            parent,
        );
        // One record per validation option. The names are known now (the certificate's domains), so the
        // records are registered at preview time instead of inside an apply; each takes its option by domain.
        this.validationRecords = domains.map((domain, i) => {
            const option = certificate.domainValidationOptions.apply((options) => {
                const o = options.find((x) => x.domainName === domain);
                if (!o) throw new Error(`${name}: ACM returned no DNS validation option for ${domain}`);
                return o;
            });
            return new aws.route53.Record(
                `${name}-validation-${i}`,
                {
                    zoneId: args.zone.zoneId,
                    name: option.resourceRecordName,
                    type: option.resourceRecordType,
                    records: [option.resourceRecordValue],
                    ttl: 60,
                    // The record is "created specifically for your domain and your account" and serves
                    // replacement certificates of the same name (ACM User Guide, DNS validation, above):
                    // a replacement or a re-created stack writes the same record, so it must take it over.
                    allowOverwrite: true,
                },
                parent,
            );
        });
        const validation = new aws.acm.CertificateValidation(
            name,
            { certificateArn: certificate.arn, validationRecordFqdns: this.validationRecords.map((r) => r.fqdn) },
            parent,
        );
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}
