/**
 * Component level: the DNS-validated certificate and ExternalDNS, each built alone under the mocks
 * (which answer like ACM and Route 53: validation options with trailing-dot FQDNs, Z… zone ids).
 */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DnsValidatedCertificate, publicHostedZone } from "../../components/addons/certificate";
import { EXTERNAL_DNS_NAMESPACE, ExternalDns } from "../../components/addons/externalDns";
import { LoadBalancerController } from "../../components/addons/loadBalancerController";
import { statefulPlacement } from "../../components/k8s";
import { runComponents } from "../../harness";
import { get, ofType, one, promiseOf } from "../helpers";
import { provider } from "./fixtures";

const CERT = "aws:acm/certificate:Certificate";
const RECORD = "aws:route53/record:Record";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const placement = statefulPlacement({ "shop.platform/node-group": "system" });

describe("component: DNS-validated certificate", () => {
    it("requests a DNS-validated certificate, writes each validation CNAME into the zone and validates over the records' FQDNs", async () => {
        let arn: pulumi.Output<string> | undefined;
        const r = await runComponents(() => {
            const zone = publicHostedZone("example.com");
            arn = new DnsValidatedCertificate("cert", { domainName: "shop.example.com", zone }).certificateArn;
        });
        const cert = one(r, CERT);
        assert.equal(cert.inputs.domainName, "shop.example.com");
        assert.equal(cert.inputs.validationMethod, "DNS");
        const [record] = ofType(r, RECORD);
        assert.equal(ofType(r, RECORD).length, 1, "one record per validation option");
        assert.match(String(record.inputs.zoneId), /^Z0[0-9A-F]{19}$/, "the looked-up zone's id");
        assert.match(String(record.inputs.name), /^_[0-9a-f]{32}\.shop\.example\.com\.$/);
        assert.equal(record.inputs.type, "CNAME");
        assert.equal((record.inputs.records as string[]).length, 1);
        assert.match((record.inputs.records as string[])[0], /\.acm-validations\.aws\.$/);
        assert.equal(record.inputs.ttl, 60);
        assert.equal(record.inputs.allowOverwrite, true);
        const validation = one(r, VALIDATION);
        assert.match(String(validation.inputs.certificateArn), /^arn:aws:acm:eu-west-1:\d{12}:certificate\/[0-9a-f-]{36}$/);
        assert.deepEqual(validation.inputs.validationRecordFqdns, [String(record.inputs.name).replace(/\.$/, "")]);
        assert.ok(validation.dependencies.includes(record.urn), "validation waits for the record");
        assert.ok(validation.dependencies.includes(cert.urn));
        // The ARN others get is the validated one (a listener never sees a pending certificate).
        assert.equal(await promiseOf(arn!), validation.inputs.certificateArn);
    });

    it("a certificate with alternative names gets one validation record per name, each with its own option", async () => {
        const r = await runComponents(() => {
            const zone = publicHostedZone("example.com");
            new DnsValidatedCertificate("cert", { domainName: "shop.example.com", subjectAlternativeNames: ["www.shop.example.com"], zone });
        });
        const names = ofType(r, RECORD)
            .map((x) => String(x.inputs.name))
            .sort();
        assert.equal(names.length, 2);
        assert.match(names[0], /\.shop\.example\.com\.$/);
        assert.match(names[1], /\.www\.shop\.example\.com\.$/);
        assert.deepEqual(one(r, CERT).inputs.subjectAlternativeNames, ["www.shop.example.com"]);
        assert.equal((one(r, VALIDATION).inputs.validationRecordFqdns as string[]).length, 2);
    });

    it("the load-balancer controller's route carries the validated ARN (an Output) into the Ingress annotations", async () => {
        let annotation: pulumi.Input<string> | undefined;
        let arn: pulumi.Output<string> | undefined;
        await runComponents(() => {
            const zone = publicHostedZone("example.com");
            arn = new DnsValidatedCertificate("cert", { domainName: "shop.example.com", zone }).certificateArn;
            const lbc = new LoadBalancerController("lbc", {
                provider: provider(),
                clusterName: "c",
                region: "eu-west-1",
                replicas: 1,
                vpcId: "vpc-1",
                tags: {},
            });
            annotation = lbc.route({ host: "shop.example.com", certificateArn: arn, tlsPolicy: "p", groupName: "g" }).annotations(1)[
                "alb.ingress.kubernetes.io/certificate-arn"
            ];
        });
        assert.equal(await promiseOf(pulumi.output(annotation!)), await promiseOf(arn!));
    });
});

describe("component: ExternalDNS", () => {
    const build = (monitoringCrds?: pulumi.Resource) => () => {
        const zone = publicHostedZone("example.com");
        new ExternalDns("external-dns", {
            provider: provider(),
            clusterName: "shop-test",
            region: "eu-west-1",
            zone,
            txtOwnerId: "shop-test",
            placement,
            monitoringCrds,
        });
    };

    it("watches Ingresses only and writes into the one public zone, owning its records by the cluster name (sync policy)", async () => {
        const r = await runComponents(build());
        const release = one(r, RELEASE);
        const v = release.inputs.values as Record<string, any>;
        assert.equal(release.inputs.chart, "external-dns");
        assert.equal(release.inputs.namespace, EXTERNAL_DNS_NAMESPACE);
        assert.equal(release.inputs.skipCrds, true);
        assert.equal(v.provider.name, "aws");
        assert.deepEqual(v.sources, ["ingress"]);
        assert.deepEqual(v.domainFilters, ["example.com"]);
        assert.match(v.extraArgs["zone-id-filter"], /^Z0[0-9A-F]{19}$/);
        assert.equal(v.extraArgs["aws-zone-type"], "public");
        assert.equal(v.registry, "txt");
        assert.equal(v.txtOwnerId, "shop-test");
        assert.equal(v.policy, "sync");
        assert.deepEqual(v.env, [{ name: "AWS_DEFAULT_REGION", value: "eu-west-1" }]);
        assert.equal(v.serviceAccount.name, "external-dns");
    });

    it("its Pod Identity role may change records of that zone only; ListHostedZones (no resource-level permission) is its only `*`", async () => {
        const r = await runComponents(build());
        const association = one(r, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.equal(`${association.inputs.namespace}/${association.inputs.serviceAccount}`, "kube-system/external-dns");
        const zoneId = (one(r, RELEASE).inputs.values as any).extraArgs["zone-id-filter"];
        const doc = JSON.parse(String(one(r, "aws:iam/rolePolicy:RolePolicy").inputs.policy));
        const grants = doc.Statement.flatMap((s: any) =>
            ([] as string[]).concat(s.Action).flatMap((a) => ([] as string[]).concat(s.Resource).map((res) => `${s.Effect} ${a} ${res}`)),
        );
        const zone = `arn:aws:route53:::hostedzone/${zoneId}`;
        assert.deepEqual(grants.sort(), [
            "Allow route53:ChangeResourceRecordSets " + zone,
            "Allow route53:ListHostedZones *",
            "Allow route53:ListResourceRecordSets " + zone,
            "Allow route53:ListTagsForResources " + zone,
        ]);
        assert.ok(one(r, RELEASE).dependencies.includes(association.urn), "the pod starts with its credentials");
    });

    it("runs as a restricted singleton on the system nodes, with requests and a memory limit", async () => {
        const v = one(await runComponents(build()), RELEASE).inputs.values as Record<string, any>;
        assert.deepEqual(v.nodeSelector, placement.nodeSelector);
        assert.deepEqual(v.podAnnotations, { "karpenter.sh/do-not-disrupt": "true" });
        assert.ok(v.resources.requests.cpu && v.resources.requests.memory && v.resources.limits.memory);
        assert.equal(v.podSecurityContext.runAsNonRoot, true);
        assert.equal(v.podSecurityContext.seccompProfile.type, "RuntimeDefault");
        assert.equal(v.securityContext.allowPrivilegeEscalation, false);
        assert.equal(v.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(v.securityContext.capabilities.drop, ["ALL"]);
        assert.equal(v.replicaCount, undefined, "the chart has no replica value (it renders replicas: 1)");
    });

    it("creates its ServiceMonitor only with the monitoring CRDs, and after them", async () => {
        const without = one(await runComponents(build()), RELEASE);
        assert.equal(get(without.inputs, "values.serviceMonitor.enabled"), false);
        let crdsUrn: pulumi.Output<string> | undefined;
        const r = await runComponents(() => {
            // A custom resource stands in for the CRDs release (a dependency on a component with no children is empty).
            const crds = new k8s.core.v1.ConfigMap("crds", { metadata: { name: "crds" } }, { provider: provider() });
            crdsUrn = crds.urn;
            build(crds)();
        });
        const release = one(r, RELEASE);
        assert.equal(get(release.inputs, "values.serviceMonitor.enabled"), true);
        assert.ok(release.dependencies.includes(await promiseOf(crdsUrn!)), "ServiceMonitor before its CRD");
    });
});
