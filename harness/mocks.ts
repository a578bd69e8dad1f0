/**
 * Pulumi mocks that answer like the cloud would: every resource and invoke the program uses
 * gets realistic outputs (ids, ARNs, URLs, digests), because echoing inputs leaves downstream
 * inputs silently undefined (an ARN the mock does not return is an undefined input downstream).
 *
 * Values are deterministic (derived from names) so plans and tests are stable run to run.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

const hex = (s: string, n = 16) => crypto.createHash("sha256").update(s).digest("hex").slice(0, n);
/** A PEM-shaped placeholder (not a real key or certificate): label and a digest of `seed` as the body. */
const pem = (label: string, seed: string) => `-----BEGIN ${label}-----\nMOCK${hex(seed, 40)}\n-----END ${label}-----\n`;
/** A UUID-shaped id derived from `s` (ACM certificate ids, KMS key ids). */
const uuid = (s: string) =>
    crypto
        .createHash("md5")
        .update(s)
        .digest("hex")
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

export interface ShopMocksOptions {
    region: string;
    stack: string;
    /** Account-level roles that exist before the program runs (the spot service-linked role, by default). */
    existingRoles?: string[];
    /**
     * Logical names of resources the provider has re-issued (a tls certificate renewed inside its
     * early-renewal window): their generated outputs are new while their inputs are the same, so
     * everything downstream is computed from the new values, as in a real `up`. Defaults to none.
     */
    reissued?: string[];
}

export class ShopMocks implements pulumi.runtime.Mocks {
    constructor(private readonly o: ShopMocksOptions) {}

    private arn(service: string, resource: string, regional = true): string {
        return `arn:aws:${service}:${regional ? this.o.region : ""}:${MOCK_ACCOUNT_ID}:${resource}`;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const i = args.inputs as Record<string, any>;
        const name = (i.name as string | undefined) ?? args.name;
        const id = `${args.name}-${hex(args.type + args.name, 8)}`;
        // A re-issued resource's generated values differ from the ones its inputs alone would give.
        const issue = this.o.reissued?.includes(args.name) ? "|reissued" : "";
        const extra = ((): Record<string, unknown> => {
            switch (args.type) {
                case "awsx:ec2:Vpc": {
                    const azs = (i.numberOfAvailabilityZones as number | undefined) ?? 3;
                    const ids = (kind: string) => Array.from({ length: azs }, (_, n) => `subnet-${kind}${n}${hex(args.name, 8)}`);
                    return { vpcId: `vpc-${hex(args.name, 17)}`, publicSubnetIds: ids("pub"), privateSubnetIds: ids("prv"), isolatedSubnetIds: [] };
                }
                case "aws:iam/role:Role":
                    return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}`, name, uniqueId: `AROA${hex(name, 17).toUpperCase()}` };
                case "aws:iam/policy:Policy":
                    return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${name}`, name };
                case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                    return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${String(i.url ?? "").replace(/^https:\/\//, "")}` };
                case "aws:eks/cluster:Cluster": {
                    const clusterId = hex(name, 32).toUpperCase();
                    return {
                        name,
                        arn: this.arn("eks", `cluster/${name}`),
                        endpoint: `https://${clusterId}.gr7.${this.o.region}.eks.amazonaws.com`,
                        certificateAuthority: { data: Buffer.from(`offline-ca-${name}`).toString("base64") },
                        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${this.o.region}.amazonaws.com/id/${clusterId}` }] }],
                        vpcConfig: { ...(i.vpcConfig ?? {}), clusterSecurityGroupId: `sg-${hex(name + "cluster", 17)}`, vpcId: "vpc-offline" },
                        status: "ACTIVE",
                        platformVersion: "eks.1",
                    };
                }
                case "aws:eks/nodeGroup:NodeGroup":
                    return { arn: this.arn("eks", `nodegroup/${i.clusterName}/${args.name}/${hex(args.name, 8)}`), status: "ACTIVE" };
                case "aws:eks/addon:Addon":
                    return { arn: this.arn("eks", `addon/${i.clusterName}/${i.addonName}/${hex(args.name, 8)}`) };
                case "aws:ec2/launchTemplate:LaunchTemplate":
                    return { id: `lt-${hex(args.name, 17)}`, latestVersion: 1, arn: this.arn("ec2", `launch-template/lt-${hex(args.name, 17)}`) };
                case "aws:kms/key:Key": {
                    const keyId = crypto
                        .createHash("md5")
                        .update(args.name)
                        .digest("hex")
                        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
                    return { keyId, arn: this.arn("kms", `key/${keyId}`) };
                }
                case "aws:cloudwatch/logGroup:LogGroup":
                    return { name, arn: this.arn("logs", `log-group:${name}`) };
                case "aws:ecr/repository:Repository":
                    return {
                        name,
                        arn: this.arn("ecr", `repository/${name}`),
                        registryId: MOCK_ACCOUNT_ID,
                        repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${this.o.region}.amazonaws.com/${name}`,
                    };
                case "docker:index/image:Image": {
                    const imageName = String(i.imageName);
                    return { imageName, repoDigest: `${imageName.replace(/:[^:/]+$/, "")}@sha256:${hex(imageName, 64)}` };
                }
                case "aws:sqs/queue:Queue":
                    return { arn: this.arn("sqs", name), url: `https://sqs.${this.o.region}.amazonaws.com/${MOCK_ACCOUNT_ID}/${name}`, name };
                case "aws:secretsmanager/secret:Secret":
                    return { arn: this.arn("secretsmanager", `secret:${name}-${hex(name, 6)}`), name };
                case "aws:secretsmanager/secretVersion:SecretVersion": {
                    // A new version per value, like AWS (the value itself never appears).
                    const id = crypto
                        .createHash("md5")
                        .update(JSON.stringify(i.secretString ?? null))
                        .digest("hex");
                    return {
                        versionId: id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
                        arn: this.arn("secretsmanager", `secret:${args.name}`),
                    };
                }
                case "aws:acm/certificate:Certificate": {
                    // ACM answers a DNS-validation request with one CNAME per distinct name (a wildcard is
                    // validated through its base name), FQDNs with the trailing dot, and stays PENDING_VALIDATION.
                    const domains = [...new Set([String(i.domainName), ...((i.subjectAlternativeNames as string[] | undefined) ?? [])])];
                    const certificateId = uuid(`acm:${args.name}:${domains.join(",")}`);
                    return {
                        arn: this.arn("acm", `certificate/${certificateId}`),
                        keyAlgorithm: i.keyAlgorithm ?? "RSA_2048",
                        status: "PENDING_VALIDATION",
                        type: "AMAZON_ISSUED",
                        subjectAlternativeNames: domains,
                        domainValidationOptions:
                            i.validationMethod === "DNS"
                                ? domains.map((domainName) => {
                                      const base = domainName.replace(/^\*\./, "");
                                      return {
                                          domainName,
                                          resourceRecordName: `_${hex(`name:${base}`, 32)}.${base}.`,
                                          resourceRecordType: "CNAME",
                                          resourceRecordValue: `_${hex(`value:${base}`, 32)}.${hex(base, 10)}.acm-validations.aws.`,
                                      };
                                  })
                                : [],
                    };
                }
                case "aws:acm/certificateValidation:CertificateValidation":
                    // A waiter: it returns the certificate's ARN once ACM reports it ISSUED.
                    return { certificateArn: i.certificateArn };
                case "aws:route53/record:Record": {
                    const fqdn = String(i.name).replace(/\.$/, "").toLowerCase();
                    return { fqdn, name: fqdn };
                }
                case "aws:cloudwatch/eventRule:EventRule":
                    return { arn: this.arn("events", `rule/${name}`), name };
                case "random:index/randomPassword:RandomPassword":
                    // Deterministic but unguessable-looking; new keepers make a new value, as the provider does.
                    // The program must wrap it as a secret.
                    return { result: `offline-${hex(args.name + this.o.stack + JSON.stringify(i.keepers ?? null), 24)}` };
                // pulumi-tls: PEM-shaped placeholders derived from the inputs, so a changed input (or a
                // new key upstream) is a new PEM downstream, as with the real provider. No crypto.
                case "tls:index/privateKey:PrivateKey":
                    return {
                        privateKeyPem: pem("PRIVATE KEY", `${args.name}|${JSON.stringify(i)}${issue}`),
                        publicKeyPem: pem("PUBLIC KEY", `${args.name}|pub${issue}`),
                    };
                case "tls:index/certRequest:CertRequest":
                    return { certRequestPem: pem("CERTIFICATE REQUEST", `${args.name}|${JSON.stringify(i)}${issue}`) };
                case "tls:index/selfSignedCert:SelfSignedCert":
                case "tls:index/locallySignedCert:LocallySignedCert":
                    return { certPem: pem("CERTIFICATE", `${args.name}|${JSON.stringify(i)}${issue}`), readyForRenewal: false };
                default:
                    return args.type.startsWith("aws:") ? { arn: this.arn("mock", `${args.type}/${name}`) } : {};
            }
        })();
        return { id: args.type.startsWith("awsx:") ? undefined : id, state: { ...i, ...extra } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const i = args.inputs as Record<string, any>;
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: ["a", "b", "c", "d"].map((s) => `${this.o.region}${s}`), zoneIds: ["az1", "az2", "az3", "az4"] };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {
                    userName: "AWS",
                    password: "offline-ecr-token-never-printed",
                    proxyEndpoint: `https://${MOCK_ACCOUNT_ID}.dkr.ecr.${this.o.region}.amazonaws.com`,
                    authorizationToken: "offline",
                };
            case "aws:eks/getAddonVersion:getAddonVersion":
                return { addonName: i.addonName, kubernetesVersion: i.kubernetesVersion, version: `v0.0.0-eksbuild.offline-${i.kubernetesVersion}` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`, userId: "AIDAOFFLINE" };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com" };
            case "aws:route53/getZone:getZone": {
                // Route 53 returns zone names without the trailing dot (the provider normalises them) and ids like Z0…
                if (!i.name && !i.zoneId) throw new Error("offline harness: getZone needs a name or a zoneId");
                const name = String(i.name ?? "example.com")
                    .replace(/\.$/, "")
                    .toLowerCase();
                const zoneId = String(i.zoneId ?? `Z0${hex(`zone:${name}:${Boolean(i.privateZone)}`, 19).toUpperCase()}`);
                return {
                    id: zoneId,
                    zoneId,
                    name,
                    arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                    privateZone: Boolean(i.privateZone),
                    nameServers: [1, 2, 3, 4].map(
                        (n) => `ns-${parseInt(hex(name + n, 3), 16) % 2048}.awsdns-${n}${n}.${["com", "net", "org", "co.uk"][n - 1]}`,
                    ),
                    primaryNameServer: `ns-${parseInt(hex(name + 1, 3), 16) % 2048}.awsdns-11.com`,
                    resourceRecordSetCount: 2,
                    callerReference: hex(`caller:${name}`, 36),
                    comment: "",
                    tags: {},
                };
            }
            case "aws:iam/getRoles:getRoles": {
                const names = (this.o.existingRoles ?? ["AWSServiceRoleForEC2Spot"]).filter((n) => !i.nameRegex || new RegExp(i.nameRegex).test(n));
                return { names, arns: names.map((n) => `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${i.pathPrefix ?? "/"}${n}`), id: "roles" };
            }
            case "aws:index/getRegion:getRegion":
                return { name: this.o.region, region: this.o.region };
            default:
                throw new Error(`offline harness: no mock for invoke ${args.token}; add one to harness/mocks.ts`);
        }
    }
}
