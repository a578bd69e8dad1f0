/**
 * ExternalDNS (kubernetes-sigs/external-dns, chart `external-dns`, pin in components/versions.json):
 * points the stack's host at its ALB. The ALB is created by the AWS Load Balancer Controller after
 * Pulumi applies the Ingress, so its DNS name exists only in the Ingress status: a controller that
 * watches Ingresses writes the record, not Pulumi (which would need the name at preview time).
 *
 * Sources for every setting below: the chart at tag external-dns-helm-chart-1.21.1
 * (charts/external-dns/values.yaml, templates/deployment.yaml) and the app at v0.21.0
 * (docs/tutorials/aws.md, docs/registry/txt.md, provider/aws/aws.go), kubernetes-sigs/external-dns.
 */
import * as pulumi from "@pulumi/pulumi";
import { iamPolicy } from "../iam";
import { helmRelease } from "../helm";
import { Placement, restrictedContainerSecurity, restrictedPodSecurity } from "../k8s";
import { HostedZone } from "./certificate";
import { AddonContext, podIdentityRole } from "./common";

export const EXTERNAL_DNS_NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "external-dns";
/** The chart's default runAsUser/runAsGroup (values.yaml securityContext). */
const NONROOT = 65532;

/**
 * Pure: the policy of docs/tutorials/aws.md "IAM Policy" @v0.21.0, narrowed from
 * `hostedzone/*` to the one zone ("Explicitly providing a list of selected zones instead of `*`",
 * same section). The provider's Route53API (provider/aws/aws.go @v0.21.0) calls ListHostedZones,
 * ListResourceRecordSets, ChangeResourceRecordSets and ListTagsForResources (the last only with
 * --aws-zone-tags, kept because the tutorial grants it). ListHostedZones names no zone, so IAM
 * accepts it only on `*` (it lists, it cannot change anything).
 */
export function externalDnsPolicy(zoneArn: string): string {
    return iamPolicy([
        {
            Sid: "ManageRecordsInTheStacksZone",
            Effect: "Allow",
            Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"],
            Resource: zoneArn,
        },
        { Sid: "FindTheZone", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
    ]);
}

export interface ExternalDnsValuesArgs {
    zoneName: string;
    zoneId: string;
    /** TXT registry owner: the cluster name (unique per stack). */
    txtOwnerId: string;
    region: string;
    placement: Placement;
    serviceMonitor: boolean;
}

/** Pure: the chart values. */
export function externalDnsValues(a: ExternalDnsValuesArgs): Record<string, unknown> {
    return {
        provider: { name: "aws" },
        // Only Ingresses: we run no type-LoadBalancer Service, and none of ours should get a name by accident.
        sources: ["ingress"],
        domainFilters: [a.zoneName],
        extraArgs: {
            // The one zone by id (a second zone of the same name, e.g. a private split-horizon one, is never touched)...
            "zone-id-filter": a.zoneId,
            // ...and public zones only (the tutorial's --aws-zone-type=public).
            "aws-zone-type": "public",
        },
        // TXT registry: next to each record it writes a TXT record naming its owner, and it changes or
        // deletes only records whose owner is txtOwnerId (docs/registry/txt.md: per-cluster owner IDs
        // keep policy=sync from touching other clusters' records). Records it does not own, such as
        // the certificate's validation CNAMEs Pulumi writes, are never changed.
        registry: "txt",
        txtOwnerId: a.txtOwnerId,
        // sync (the chart defaults to upsert-only): when an Ingress is deleted or its host changes,
        // the record it owned is deleted too, instead of a stale name pointing at a deleted ALB
        // (docs/advanced/import-records.md: "With policy=sync ... ExternalDNS will also remove the
        // corresponding DNS record").
        policy: "sync",
        // React to Ingress changes (the ALB's hostname appearing in its status) at once, not only every interval.
        triggerLoopOnEvent: true,
        // The SDK needs a region for its endpoints; Pod Identity injects credentials only (the tutorial sets AWS_DEFAULT_REGION).
        env: [{ name: "AWS_DEFAULT_REGION", value: a.region }],
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        // The chart renders `replicas: 1` with a Recreate strategy (one writer per owner id), and it
        // is not on the request path: a restart only delays a record change. A singleton: it runs on
        // the system node group and is not disrupted by Karpenter consolidation.
        nodeSelector: a.placement.nodeSelector,
        podAnnotations: a.placement.annotations,
        resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
        // The restricted Pod Security profile. The chart's defaults already meet it (non-root uid/gid 65532,
        // no privilege escalation, read-only root, ALL capabilities dropped, RuntimeDefault seccomp); set
        // here so that a chart bump which relaxes its defaults does not change what runs.
        podSecurityContext: restrictedPodSecurity(NONROOT),
        securityContext: restrictedContainerSecurity(),
        // Its /metrics (port http, 7979) through the chart's ServiceMonitor (templates/servicemonitor.yaml).
        serviceMonitor: { enabled: a.serviceMonitor },
    };
}

export interface ExternalDnsArgs extends Omit<AddonContext, "replicas"> {
    zone: HostedZone;
    /** Owner id of the records it writes: the cluster name. */
    txtOwnerId: string;
    placement: Placement;
    /** The prometheus-operator CRDs release: with it, the chart's ServiceMonitor is created (after it). */
    monitoringCrds?: pulumi.Resource;
}

/** ExternalDNS for the stack's public zone, with a Pod Identity role that can change that zone only. */
export class ExternalDns extends pulumi.ComponentResource {
    readonly ready: pulumi.Resource;

    constructor(name: string, args: ExternalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:ExternalDns", name, {}, opts);
        const iam = podIdentityRole(this, name, {
            clusterName: args.clusterName,
            namespace: EXTERNAL_DNS_NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            policy: args.zone.arn.apply(externalDnsPolicy),
        });
        this.ready = helmRelease(
            name,
            {
                chart: "externalDns",
                namespace: EXTERNAL_DNS_NAMESPACE,
                // The chart's crds/ holds the DNSEndpoint CRD of the `crd` source, which we do not use.
                skipCrds: true,
                timeout: 300,
                values: args.zone.zoneId.apply((zoneId) =>
                    externalDnsValues({
                        zoneName: args.zone.name,
                        zoneId,
                        txtOwnerId: args.txtOwnerId,
                        region: args.region,
                        placement: args.placement,
                        serviceMonitor: args.monitoringCrds !== undefined,
                    }),
                ),
            },
            { parent: this, provider: args.provider, dependsOn: [iam.association, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] },
        );
        this.registerOutputs({});
    }
}
