/**
 * Issue 14 finding 3, stack level: with a Route 53 zone named in config the program issues the
 * ALB's certificate itself (DNS validation) and runs ExternalDNS to point the host at the ALB; a
 * given certificateArn still wins. Config rules, the real program under the harness, chart keys,
 * IAM scoping and the policy pack's verdicts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseShopConfig, PROJECT } from "../config";
import { isInZone } from "../config/table";
import { ResourceRecord, runStack, RunResult } from "../harness";
import { planStack } from "../plan/plan";
import { get, ofType, one } from "./helpers";

const k = (key: string) => `${PROJECT}:${key}`;
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERT = "aws:acm/certificate:Certificate";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const RECORD = "aws:route53/record:Record";
const GIVEN_ARN = "arn:aws:acm:eu-west-1:210987654321:certificate/11111111-2222-3333-4444-555555555555";
const ZONE_ON = { hostedZoneName: "example.com", ingressHost: "shop.example.com", certificateArn: undefined };

/** The chart's values keys (the file test/chart-values.test.ts checks every release against, read here for this release alone). */
const chartKeys = (version: string) =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "components", "addons", "data", "chart-keys", `external-dns-${version}.json`), "utf8")) as {
        keys: string[];
        freeForm: string[];
    };
const leaves = (v: unknown, prefix = ""): string[] =>
    v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length
        ? Object.entries(v).flatMap(([key, x]) => leaves(x, prefix ? `${prefix}.${key}` : key))
        : [prefix];

const externalDns = (rs: ResourceRecord[]) => ofType(rs, RELEASE).find((r) => r.inputs.chart === "external-dns");
const certificateAnnotations = (rs: ResourceRecord[]) =>
    ofType(rs, INGRESS).map((i) => (get(i.inputs, "metadata.annotations") as Record<string, string>)["alb.ingress.kubernetes.io/certificate-arn"]);

describe("DNS and TLS from a hosted zone: config", () => {
    const raw = (extra: Record<string, string>): Record<string, string> => ({
        "aws:region": "eu-west-1",
        [k("environment")]: "staging",
        [k("owner")]: "team",
        [k("costCenter")]: "cc-1",
        [k("deployRoleArn")]: "arn:aws:iam::210987654321:role/deploy",
        [k("publicAccessCidrs")]: '["198.18.0.0/24"]',
        ...extra,
    });
    const problems = (extra: Record<string, string>) => {
        try {
            parseShopConfig(raw(extra), { stack: "staging", today: "2026-12-02" });
            return new Map<string, string>();
        } catch (e) {
            return new Map((e as { problems: { key: string; message: string }[] }).problems.map((p) => [p.key, p.message]));
        }
    };
    const gaps = (extra: Record<string, string>) =>
        new Map(parseShopConfig(raw(extra), { stack: "staging", today: "2026-12-02" }).deployGaps.map((g) => [g.key, g.message]));

    it("a host is in a zone when it is the apex or below it, label by label", () => {
        assert.ok(isInZone("shop.example.com", "example.com"));
        assert.ok(isInZone("example.com", "example.com"));
        assert.ok(isInZone("a.b.example.com", "example.com"));
        assert.ok(!isInZone("shopexample.com", "example.com"));
        assert.ok(!isInZone("example.com", "shop.example.com"));
        assert.ok(!isInZone("shop.example.org", "example.com"));
    });

    it("refuses a host outside the zone, naming ingressHost and the zone", () => {
        const p = problems({ [k("hostedZoneName")]: "example.org", [k("ingressHost")]: "shop.example.com" });
        assert.match(p.get(k("ingressHost")) ?? "(none)", /must be inside hostedZoneName example\.org.*got shop\.example\.com/);
    });

    it("refuses a zone name that is not a plain lower-case DNS name (a trailing dot, upper case, a scheme)", () => {
        for (const bad of ["example.com.", "Example.com", "https://example.com", "example"])
            assert.match(problems({ [k("hostedZoneName")]: bad }).get(k("hostedZoneName")) ?? "(none)", /DNS zone name/, bad);
    });

    it("a zone makes certificateArn optional (the program issues the certificate); a zone and an ARN together are allowed", () => {
        const zoneOnly = { [k("hostedZoneName")]: "example.com", [k("ingressHost")]: "shop.example.com" };
        assert.equal(problems(zoneOnly).size, 0);
        assert.equal(gaps(zoneOnly).has(k("certificateArn")), false, "no certificate gap with a zone");
        const cfg = parseShopConfig(raw(zoneOnly), { stack: "staging", today: "2026-12-02" });
        assert.equal(cfg.addons.ingress.certificateArn, undefined, "no stand-in ARN: the offline plan issues the certificate too");
        assert.equal(cfg.addons.ingress.hostedZoneName, "example.com");
        assert.equal(problems({ ...zoneOnly, [k("certificateArn")]: GIVEN_ARN }).size, 0);
        // Neither: the certificate is a deploy gap (lead's model), not a config error.
        assert.ok(gaps({ [k("ingressHost")]: "shop.example.com" }).has(k("certificateArn")));
    });

    it("the offline stand-in host (when ingressHost is a gap) lies in the zone", () => {
        const cfg = parseShopConfig(raw({ [k("hostedZoneName")]: "example.net" }), { stack: "staging", today: "2026-12-02" });
        assert.ok(cfg.deployGaps.some((g) => g.key === k("ingressHost")));
        assert.ok(isInZone(cfg.addons.ingress.host!, "example.net"), cfg.addons.ingress.host);
    });
});

describe("DNS and TLS from a hosted zone: the program (staging)", function () {
    this.timeout(180_000);
    let zoneOn: RunResult;
    let both: RunResult;
    let committed: RunResult;
    before(async () => {
        zoneOn = await runStack("staging", { configOverrides: ZONE_ON });
        both = await runStack("staging", { configOverrides: { ...ZONE_ON, certificateArn: GIVEN_ARN } });
        committed = await runStack("staging");
    });

    it("issues a DNS-validated certificate for the host and the Ingresses use the validated ARN", () => {
        const { resources } = zoneOn;
        const cert = one(resources, CERT);
        assert.equal(cert.inputs.domainName, "shop.example.com");
        assert.equal(cert.inputs.validationMethod, "DNS");
        const validation = one(resources, VALIDATION);
        const record = one(resources, RECORD);
        assert.ok(validation.dependencies.includes(record.urn));
        assert.match(String(record.inputs.name), /\.shop\.example\.com\.$/);
        assert.equal(record.inputs.allowOverwrite, true);
        const annotations = certificateAnnotations(resources);
        assert.equal(annotations.length, 2, "both apps' Ingresses");
        for (const a of annotations) assert.equal(a, validation.inputs.certificateArn);
        for (const i of ofType(resources, INGRESS)) assert.equal(get(i.inputs, "spec.rules.0.host"), "shop.example.com");
    });

    it("the certificate is tagged like every taggable AWS resource", () => {
        const tags = one(zoneOn.resources, CERT).inputs.tags as Record<string, string>;
        for (const key of ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"]) assert.ok(tags[key], key);
    });

    it("the validation record and ExternalDNS use the same zone, found by name as a public zone", () => {
        const zoneId = String(one(zoneOn.resources, RECORD).inputs.zoneId);
        assert.match(zoneId, /^Z0[0-9A-F]{19}$/);
        const values = externalDns(zoneOn.resources)!.inputs.values as Record<string, any>;
        assert.equal(values.extraArgs["zone-id-filter"], zoneId);
        assert.deepEqual(values.domainFilters, ["example.com"]);
        assert.equal(values.txtOwnerId, "shop-staging", "records are owned by this cluster only");
        assert.equal(values.policy, "sync");
    });

    it("ExternalDNS's role can change only that zone's records (and list zones, which IAM allows only on *)", () => {
        const { resources } = zoneOn;
        const association = ofType(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "external-dns")!;
        assert.equal(association.inputs.namespace, "kube-system");
        const role = ofType(resources, "aws:iam/role:Role").find((r) => String(association.inputs.roleArn).endsWith(`/${r.name}`))!;
        const [policy] = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.name);
        const doc = JSON.parse(String(policy.inputs.policy)) as { Statement: { Action: string | string[]; Resource: string | string[] }[] };
        const zoneArn = `arn:aws:route53:::hostedzone/${String(one(resources, RECORD).inputs.zoneId)}`;
        for (const s of doc.Statement) {
            const actions = ([] as string[]).concat(s.Action);
            const res = ([] as string[]).concat(s.Resource);
            assert.ok(
                actions.every((a) => a.startsWith("route53:") && !a.includes("*")),
                `no wildcard action: ${actions.join(", ")}`,
            );
            if (res.includes("*")) assert.deepEqual(actions, ["route53:ListHostedZones"], "only ListHostedZones on *");
            else assert.deepEqual(res, [zoneArn]);
        }
    });

    it("ExternalDNS's ServiceMonitor comes after the monitoring CRDs release; its values are all keys of the pinned chart", () => {
        const release = externalDns(zoneOn.resources)!;
        const crds = ofType(zoneOn.resources, RELEASE).find((r) => r.inputs.chart === "prometheus-operator-crds")!;
        assert.equal(get(release.inputs, "values.serviceMonitor.enabled"), true);
        assert.ok(release.dependencies.includes(crds.urn));
        const keys = chartKeys(String(release.inputs.version));
        const unknown = leaves(release.inputs.values).filter((p) => !keys.keys.includes(p) && !keys.freeForm.some((f) => p.startsWith(`${f}.`)));
        assert.deepEqual(unknown, []);
    });

    it("a given certificateArn wins: no certificate is issued, ExternalDNS still manages the record", () => {
        assert.equal(ofType(both.resources, CERT).length, 0);
        assert.equal(ofType(both.resources, VALIDATION).length, 0);
        assert.equal(ofType(both.resources, RECORD).length, 0);
        assert.deepEqual(certificateAnnotations(both.resources), [GIVEN_ARN, GIVEN_ARN]);
        assert.ok(externalDns(both.resources));
    });

    it("without a zone (the committed stack): no certificate, no validation record, no ExternalDNS", () => {
        assert.equal(ofType(committed.resources, CERT).length, 0);
        assert.equal(externalDns(committed.resources), undefined);
        assert.equal(ofType(committed.resources, RECORD).length, 0);
        assert.ok(!committed.resources.some((r) => r.name === "external-dns"));
    });

    it("dev (ingress off) with a zone: nothing DNS-related is created", async () => {
        const { resources } = await runStack("dev", { configOverrides: { hostedZoneName: "example.com" } });
        assert.equal(ofType(resources, CERT).length, 0);
        assert.equal(externalDns(resources), undefined);
    });
});

describe("DNS and TLS from a hosted zone: policy verdicts", function () {
    this.timeout(240_000);
    for (const stack of ["staging", "prod"]) {
        it(`${stack}: the new resources add no policy violation`, async () => {
            const host = stack === "prod" ? "shop.example.com" : "shop.staging.example.com";
            const on = await planStack(stack, { configOverrides: { hostedZoneName: "example.com", ingressHost: host } });
            const off = await planStack(stack, { configOverrides: { ingressHost: host } });
            const before = new Set(off.resources.map((r) => r.urn));
            const added = on.resources.filter((r) => !before.has(r.urn));
            assert.ok(
                added.some((r) => r.type === CERT) && added.some((r) => r.inputs.chart === "external-dns"),
                "the zone adds the certificate and ExternalDNS",
            );
            const addedUrns = new Set(added.map((r) => r.urn));
            const onNew = on.policy.violations.filter((v) => addedUrns.has(v.urn)).map((v) => `${v.enforcementLevel} ${v.policyName}: ${v.message}`);
            assert.deepEqual(onNew, []);
            const mandatory = (p: typeof on) => p.policy.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policyName} ${v.urn}`);
            assert.deepEqual(mandatory(on), mandatory(off), "no new mandatory verdict anywhere in the stack");
        });
    }
});
