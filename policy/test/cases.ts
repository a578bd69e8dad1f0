/** The table of cases, one entry per policy: violating, compliant, not-applicable and unknown-value cases. */
import type { ResourceRecord } from "../../harness/types";
import {
    awsProvider,
    clone,
    deploy,
    denyAll,
    goodContainer,
    goodPodSpec,
    k8s,
    mut,
    pdb,
    podWith,
    providerRef,
    rec,
    SECRET,
    TAGS,
    U,
    urnOf,
    workload,
} from "./helpers";

export interface Case {
    name: string;
    records: ResourceRecord[];
    params?: Record<string, unknown>;
    /** Exact number of violations, or one regex per expected violation (in order). */
    expect: number | RegExp[];
}

export interface RuleCases {
    violating: Case[];
    compliant: Case[];
    /** Resources the policy does not apply to: no violations. `naType` is also called directly and must raise notApplicable (resource policies). */
    notApplicable: Case[];
    naType?: string;
    /** Values unknown at preview (or opaque secrets): no violation, no crash. */
    unknown: Case[];
}

const c = (name: string, records: ResourceRecord[], expect: number | RegExp[], params?: Record<string, unknown>): Case => ({ name, records, expect, params });

// ---- AWS baselines ----
const EKS = "aws:eks/cluster:Cluster";
const goodCluster = {
    name: "shop",
    roleArn: "arn:aws:iam::123456789012:role/eks",
    version: "1.33",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/abc" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    accessConfig: { authenticationMode: "API" },
    tags: TAGS,
};
const eks = (inputs: object) => rec(EKS, "cluster", inputs as Record<string, unknown>);
const REPO = "aws:ecr/repository:Repository";
const goodRepo = {
    name: "storefront",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS" }],
    tags: TAGS,
};
const repo = (inputs: object, name = "storefront") => rec(REPO, name, inputs as Record<string, unknown>);
const RDS = "aws:rds/instance:Instance";
const goodDb = {
    engine: "postgres",
    instanceClass: "db.t4g.medium",
    storageEncrypted: true,
    publiclyAccessible: false,
    backupRetentionPeriod: 7,
    multiAz: true,
    deletionProtection: true,
    skipFinalSnapshot: false,
    tags: TAGS,
};
const db = (inputs: object) => rec(RDS, "db", inputs as Record<string, unknown>);
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const goodRg = {
    description: "cache",
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    authToken: SECRET,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    numCacheClusters: 2,
    tags: TAGS,
};
const rg = (inputs: object) => rec(RG, "cache", inputs as Record<string, unknown>);
const SG = "aws:ec2/securityGroup:SecurityGroup";
const sg = (ingress: object[]) => rec(SG, "sg", { vpcId: "vpc-1", ingress, tags: TAGS });
const KEY = "aws:kms/key:Key";
const goodKey = { description: "EKS secrets", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS };
const key = (inputs: object) => rec(KEY, "key", inputs as Record<string, unknown>);
const ROLE = "aws:iam/role:Role";
const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ec2Trust = doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
const irsaTrust = (cond: object | undefined) =>
    doc([
        {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" },
            Action: "sts:AssumeRoleWithWebIdentity",
            ...(cond ? { Condition: cond } : {}),
        },
    ]);
const role = (inputs: object, name = "role") => rec(ROLE, name, { tags: TAGS, ...inputs } as Record<string, unknown>);
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const lt = (metadataOptions: object | undefined) => rec(LT, "lt", { ...(metadataOptions ? { metadataOptions } : {}), tags: TAGS });
const NG = "aws:eks/nodeGroup:NodeGroup";
const ng = (inputs: object) =>
    rec(NG, "ng", {
        clusterName: "shop",
        nodeRoleArn: "arn",
        subnetIds: ["s"],
        scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 3 },
        tags: TAGS,
        ...inputs,
    });
const releaseOf = (inputs: object) =>
    k8s("kubernetes:helm.sh/v3:Release", "kps", {
        chart: "kube-prometheus-stack",
        version: "79.1.0",
        namespace: "monitoring",
        name: "kps",
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        ...inputs,
    });
const svc = (name: string, labels: Record<string, string>, spec: object = { type: "ClusterIP" }, ns = "shop") =>
    k8s("kubernetes:core/v1:Service", name, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: ns, labels },
        spec: { selector: labels, ports: [{ port: 80 }], ...spec },
    });
const sm = (name: string, labels: Record<string, string>, selector: object, ns = "shop", extra: object = {}) =>
    k8s("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", name, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name, namespace: ns, labels },
        spec: { selector, endpoints: [{ port: "http" }], ...extra },
    });
const hpa = (target: string, minReplicas: number | string, ns = "shop", deps: string[] = []) =>
    k8s(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        `${target}-hpa`,
        {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name: target, namespace: ns },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas, maxReplicas: 6 },
        },
        { dependencies: deps },
    );
const ns = (name: string) => k8s("kubernetes:core/v1:Namespace", name, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
const bucket = (name: string) => rec("aws:s3/bucket:Bucket", name, { bucket: `${name}-bkt`, tags: TAGS });
const pab = (name: string, bucketRef: string, flags: Partial<Record<string, unknown>> = {}, deps: string[] = []) =>
    rec(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        name,
        { bucket: bucketRef, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...flags },
        { dependencies: deps },
    );
const awsxVpc = (inputs: object = {}) => rec("awsx:ec2:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", tags: TAGS, ...inputs }, { custom: false, remote: true });
const flowLog = (inputs: object, deps: string[] = []) =>
    rec("aws:ec2/flowLog:FlowLog", "flow", { trafficType: "ALL", logDestination: "arn:aws:logs:...", tags: TAGS, ...inputs }, { dependencies: deps });
const lcp = (repository: unknown, deps: string[] = []) =>
    rec("aws:ecr/lifecyclePolicy:LifecyclePolicy", "lcp", { repository, policy: "{}" }, { dependencies: deps });

const kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];
/** One workload per kind with `pod` as its pod spec. */
const everyKind = (pod: object) => kinds.map((k) => k8s(k, `w-${k.toLowerCase()}`, workload(k, `w-${k.toLowerCase()}`, "shop", pod)));
const badSc = (sc: object) => podWith((p) => Object.assign(p.containers[0].securityContext, sc));
const unknownPod = podWith((p) => (p.containers[0].securityContext = U.object));
const withInit = (initSc: object) =>
    podWith((p) => (p.initContainers = [{ ...clone(goodContainer), name: "migrate", securityContext: { ...goodContainer.securityContext, ...initSc } }]));
const withEphemeral = (sc: object) =>
    podWith(
        (p) => (p.ephemeralContainers = [{ name: "debug", image: "public.ecr.aws/debug:1", securityContext: { ...goodContainer.securityContext, ...sc } }]),
    );
const otherRecords = [rec("aws:s3/bucketVersioning:BucketVersioning", "v", { bucket: "b" })];

export const CASES: Record<string, RuleCases> = {
    "aws-required-tags": {
        violating: [
            c(
                "tags missing keys, no provider defaults",
                [rec(REPO, "r", { ...goodRepo, tags: { Project: "shop" } })],
                [/Missing required tags: Environment, Owner, CostCenter, ManagedBy/],
            ),
            c("empty value", [rec(REPO, "r", { ...goodRepo, tags: { ...TAGS, Owner: " " } })], [/empty values: Owner/]),
            c("tagsAll (engine) is authoritative", [rec(REPO, "r", { ...goodRepo, tags: TAGS, tagsAll: { Project: "shop" } })], 1),
            c("custom requiredTags", [rec(REPO, "r", goodRepo)], [/Missing required tags: Team/], { requiredTags: ["Team"] }),
        ],
        compliant: [
            c("tags complete", [rec(REPO, "r", goodRepo)], 0),
            (() => {
                const p = awsProvider(TAGS);
                return c("provider defaultTags (JSON string) satisfy", [p, rec(REPO, "r", { name: "x" }, { provider: providerRef(p) })], 0);
            })(),
            (() => {
                const p = awsProvider({ Project: "shop", Environment: "test", Owner: "o" });
                return c(
                    "defaultTags merged with tags",
                    [p, rec(EKS, "c", { ...goodCluster, tags: { CostCenter: "1", ManagedBy: "pulumi" } }, { provider: providerRef(p) })],
                    0,
                );
            })(),
            c("tagsAll complete even without tags", [rec(REPO, "r", { name: "x", tagsAll: TAGS })], 0),
        ],
        notApplicable: [
            c(
                "non-taggable type",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
                0,
            ),
            c("kubernetes resources", [deploy()], 0),
            c(
                "autoscaling group list tags",
                [rec("aws:autoscaling/group:Group", "asg", { tags: [{ key: "Project", value: "x", propagateAtLaunch: true }] })],
                0,
            ),
        ],
        naType: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        unknown: [
            c("tagsAll unknown, tags unknown", [rec(REPO, "r", { name: "x", tags: U.object, tagsAll: U.object })], 0),
            c("a tag value unknown", [rec(REPO, "r", { ...goodRepo, tags: { ...TAGS, Owner: U.string } })], 0),
            c("tags secret", [rec(REPO, "r", { name: "x", tags: SECRET })], 0),
            (() => {
                const p = rec("pulumi:providers:aws", "aws", { defaultTags: U.string });
                return c("provider defaultTags unknown", [p, rec(REPO, "r", { name: "x" }, { provider: providerRef(p) })], 0);
            })(),
        ],
    },
    "eks-secrets-encryption": {
        violating: [
            c("no encryptionConfig", [eks(mut(goodCluster, (x) => delete x.encryptionConfig))], 1),
            c("no keyArn", [eks(mut(goodCluster, (x) => delete x.encryptionConfig.provider))], 1),
        ],
        compliant: [c("secrets + key", [eks(goodCluster)], 0)],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("keyArn unknown", [eks(mut(goodCluster, (x) => (x.encryptionConfig.provider.keyArn = U.string)))], 0)],
    },
    "eks-endpoint-private": {
        violating: [
            c("public default (no cidrs)", [eks(mut(goodCluster, (x) => delete x.vpcConfig.publicAccessCidrs))], [/open to 0.0.0.0\/0/]),
            c(
                "0.0.0.0/0 listed, no private access",
                [
                    eks(
                        mut(goodCluster, (x) => {
                            x.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"];
                            x.vpcConfig.endpointPrivateAccess = false;
                        }),
                    ),
                ],
                [/endpointPrivateAccess/, /allows 0.0.0.0\/0/],
            ),
            c("cidr outside allow-list", [eks(goodCluster)], [/not in the allow-list: 203.0.113.0\/24/], { allowedPublicCidrs: ["198.51.100.0/24"] }),
        ],
        compliant: [
            c("restricted cidrs", [eks(goodCluster)], 0),
            c(
                "private only",
                [
                    eks(
                        mut(goodCluster, (x) => {
                            x.vpcConfig.endpointPublicAccess = false;
                            delete x.vpcConfig.publicAccessCidrs;
                        }),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("repository", [repo(goodRepo)], 0)],
        naType: REPO,
        unknown: [c("vpcConfig unknown", [eks(mut(goodCluster, (x) => (x.vpcConfig = U.object)))], 0)],
    },
    "eks-control-plane-logging": {
        violating: [
            c("only api", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = ["api"])))], [/audit, authenticator, controllerManager, scheduler/]),
        ],
        compliant: [
            c("all five", [eks(goodCluster)], 0),
            c("configured subset", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = ["audit"])))], 0, { requiredLogTypes: ["audit"] }),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("log types unknown", [eks(mut(goodCluster, (x) => (x.enabledClusterLogTypes = U.array)))], 0)],
    },
    "eks-access-entries": {
        violating: [c("no accessConfig (CONFIG_MAP)", [eks(mut(goodCluster, (x) => delete x.accessConfig))], [/CONFIG_MAP/])],
        compliant: [
            c("API", [eks(goodCluster)], 0),
            c("API_AND_CONFIG_MAP", [eks(mut(goodCluster, (x) => (x.accessConfig.authenticationMode = "API_AND_CONFIG_MAP")))], 0),
        ],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("mode unknown", [eks(mut(goodCluster, (x) => (x.accessConfig.authenticationMode = U.string)))], 0)],
    },
    "eks-nodegroup-no-open-ssh": {
        violating: [c("remoteAccess without SGs", [ng({ remoteAccess: { ec2SshKey: "k" } })], 1)],
        compliant: [c("no remoteAccess", [ng({})], 0), c("with source SGs", [ng({ remoteAccess: { ec2SshKey: "k", sourceSecurityGroupIds: ["sg-1"] } })], 0)],
        notApplicable: [c("cluster", [eks(goodCluster)], 0)],
        naType: EKS,
        unknown: [c("remoteAccess unknown", [ng({ remoteAccess: U.object })], 0)],
    },
    "launch-template-imdsv2": {
        violating: [
            c("no metadataOptions", [lt(undefined)], 1),
            c("optional tokens, hop 3", [lt({ httpTokens: "optional", httpPutResponseHopLimit: 3 })], 2),
            c("hop 2 > 1", [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })], [/at most 1/]),
        ],
        compliant: [
            c("required, hop 1", [lt({ httpTokens: "required", httpPutResponseHopLimit: 1 })], 0),
            c("hop 2 allowed by config", [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })], 0, { maxHopLimit: 2 }),
            c("IMDS disabled", [lt({ httpEndpoint: "disabled" })], 0),
        ],
        notApplicable: [c("node group", [ng({})], 0)],
        naType: NG,
        unknown: [c("hop limit unknown", [lt({ httpTokens: "required", httpPutResponseHopLimit: U.number })], 0)],
    },
    "ecr-scan-on-push": {
        violating: [c("no scanning config", [repo(mut(goodRepo, (x) => delete x.imageScanningConfiguration))], 1)],
        compliant: [c("scanOnPush", [repo(goodRepo)], 0)],
        notApplicable: [c("lifecycle policy", [lcp("storefront")], 0)],
        naType: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        unknown: [c("scanOnPush unknown", [repo(mut(goodRepo, (x) => (x.imageScanningConfiguration.scanOnPush = U.boolean)))], 0)],
    },
    "ecr-immutable-tags": {
        violating: [
            c("default mutable", [repo(mut(goodRepo, (x) => delete x.imageTagMutability))], [/MUTABLE \(default\)/]),
            c("MUTABLE", [repo({ ...goodRepo, imageTagMutability: "MUTABLE" })], 1),
        ],
        compliant: [
            c("IMMUTABLE", [repo(goodRepo)], 0),
            c("IMMUTABLE_WITH_EXCLUSION", [repo({ ...goodRepo, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })], 0),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [repo({ ...goodRepo, imageTagMutability: U.string })], 0)],
    },
    "ecr-kms": {
        violating: [
            c("AES256 default", [repo(mut(goodRepo, (x) => delete x.encryptionConfigurations))], 1),
            c("CMK required", [repo(goodRepo)], [/kmsKey/], { requireCustomerManagedKey: true }),
        ],
        compliant: [
            c("KMS", [repo(goodRepo)], 0),
            c("KMS + CMK", [repo({ ...goodRepo, encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:k" }] })], 0, {
                requireCustomerManagedKey: true,
            }),
        ],
        notApplicable: [c("cluster", [eks(goodCluster)], 0)],
        naType: EKS,
        unknown: [c("unknown", [repo({ ...goodRepo, encryptionConfigurations: U.array })], 0)],
    },
    "ecr-lifecycle-policy": {
        violating: [c("repo without policy", [repo(goodRepo)], [/no lifecycle policy/]), c("policy for another repo", [repo(goodRepo), lcp("catalog")], 1)],
        compliant: [
            c("by repository name", [repo(goodRepo), lcp("storefront")], 0),
            c("by dependency (name from an output)", [repo({ ...goodRepo, name: undefined }), lcp("mock-generated-name", [urnOf(REPO, "storefront")])], 0),
        ],
        notApplicable: [c("no repositories", otherRecords, 0)],
        unknown: [c("repository unknown", [repo(goodRepo), lcp(U.string)], 0)],
    },
    "ecr-repo-policy-not-public": {
        violating: [
            c(
                "Principal *",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([{ Effect: "Allow", Principal: "*", Action: "ecr:*" }]),
                    }),
                ],
                1,
            ),
        ],
        compliant: [
            c(
                "account principal",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "ecr:BatchGetImage" }]),
                    }),
                ],
                0,
            ),
            c(
                "* with org condition",
                [
                    rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", {
                        repository: "r",
                        policy: doc([
                            { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } },
                        ]),
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("repo", [repo(goodRepo)], 0)],
        naType: REPO,
        unknown: [
            c("policy unknown", [rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", { repository: "r", policy: U.string })], 0),
            c("policy secret", [rec("aws:ecr/repositoryPolicy:RepositoryPolicy", "p", { repository: "r", policy: SECRET })], 0),
        ],
    },
    "rds-storage-encrypted": {
        violating: [
            c("unencrypted", [db({ ...goodDb, storageEncrypted: false })], 1),
            c("aurora cluster unencrypted", [rec("aws:rds/cluster:Cluster", "aur", { engine: "aurora-postgresql" })], 1),
        ],
        compliant: [c("encrypted", [db(goodDb)], 0), c("read replica", [db({ replicateSourceDb: "primary" })], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, storageEncrypted: U.boolean })], 0)],
    },
    "rds-not-public": {
        violating: [c("public", [db({ ...goodDb, publiclyAccessible: true })], 1)],
        compliant: [c("private", [db(goodDb)], 0), c("default", [db(mut(goodDb, (x) => delete x.publiclyAccessible))], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, publiclyAccessible: U.boolean })], 0)],
    },
    "rds-backups": {
        violating: [
            c("default 1 day", [db(mut(goodDb, (x) => delete x.backupRetentionPeriod))], [/1 \(default\)/]),
            c("3 < 7", [db({ ...goodDb, backupRetentionPeriod: 3 })], 1),
        ],
        compliant: [c("7", [db(goodDb)], 0), c("dev minimum 1", [db({ ...goodDb, backupRetentionPeriod: 1 })], 0, { minRetentionDays: 1 })],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, backupRetentionPeriod: U.number })], 0)],
    },
    "rds-multi-az": {
        violating: [c("single AZ", [db({ ...goodDb, multiAz: false })], 1)],
        compliant: [c("multi AZ", [db(goodDb)], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, multiAz: U.boolean })], 0)],
    },
    "rds-deletion-protection": {
        violating: [c("no protection, skip snapshot", [db({ ...goodDb, deletionProtection: false, skipFinalSnapshot: true })], 2)],
        compliant: [c("protected", [db(goodDb)], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, deletionProtection: U.boolean })], 0)],
    },
    "elasticache-encryption": {
        violating: [c("nothing", [rg({ description: "c" })], 3), c("no auth", [rg(mut(goodRg, (x) => delete x.authToken))], [/authToken or userGroupIds/])],
        compliant: [
            c("secret authToken counts as set", [rg(goodRg)], 0),
            c("RBAC user group", [rg({ ...mut(goodRg, (x) => delete x.authToken), userGroupIds: ["ug"] })], 0),
            c("auth not required", [rg(mut(goodRg, (x) => delete x.authToken))], 0, { requireAuth: false }),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [rg({ ...goodRg, transitEncryptionEnabled: U.boolean })], 0)],
    },
    "elasticache-ha": {
        violating: [c("single node", [rg({ ...goodRg, automaticFailoverEnabled: false, multiAzEnabled: false, numCacheClusters: 1 })], 3)],
        compliant: [
            c("two nodes", [rg(goodRg)], 0),
            c("cluster mode replicas", [rg({ ...mut(goodRg, (x) => delete x.numCacheClusters), numNodeGroups: 2, replicasPerNodeGroup: 1 })], 0),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [rg({ ...goodRg, multiAzEnabled: U.boolean })], 0)],
    },
    "sg-no-world-ingress": {
        violating: [
            c("ssh from world", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])], [/SSH\/RDP/]),
            c("all traffic ipv6", [sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }])], [/all ports/]),
            c(
                "5432 from world (rule)",
                [
                    rec("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
                        type: "ingress",
                        protocol: "tcp",
                        fromPort: 5432,
                        toPort: 5432,
                        cidrBlocks: ["0.0.0.0/0"],
                        securityGroupId: "sg",
                    }),
                ],
                [/not allow-listed/],
            ),
            c(
                "vpc ingress rule",
                [
                    rec("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", {
                        ipProtocol: "tcp",
                        fromPort: 8080,
                        toPort: 8080,
                        cidrIpv4: "0.0.0.0/0",
                        securityGroupId: "sg",
                    }),
                ],
                1,
            ),
        ],
        compliant: [
            c("443 from world", [sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }])], 0),
            c("ssh from VPC", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"] }])], 0),
            c(
                "egress rule ignored",
                [
                    rec("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
                        type: "egress",
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                        cidrBlocks: ["0.0.0.0/0"],
                        securityGroupId: "sg",
                    }),
                ],
                0,
            ),
            c("8443 allow-listed", [sg([{ protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] }])], 0, { allowedPorts: [8443] }),
        ],
        notApplicable: [c("vpc", [awsxVpc()], 0)],
        naType: "aws:ec2/vpc:Vpc",
        unknown: [c("cidrs unknown", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: U.array }])], 0)],
    },
    "vpc-flow-logs": {
        violating: [
            c("awsx vpc without flow log", [awsxVpc()], [/no flow log/]),
            c("flow log of another vpc", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", id: "vpc-1" }), flowLog({ vpcId: "vpc-2" })], 1),
        ],
        compliant: [
            c("flow log depends on the awsx vpc", [awsxVpc(), flowLog({ vpcId: "vpc-123" }, [urnOf("awsx:ec2:Vpc", "vpc")])], 0),
            c("flow log by vpcId (export outputs)", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", id: "vpc-1" }), flowLog({ vpcId: "vpc-1" })], 0),
            c(
                "awsx component covered through its child vpc",
                [awsxVpc(), rec("aws:ec2/vpc:Vpc", "v", { id: "vpc-9" }, { parent: urnOf("awsx:ec2:Vpc", "vpc") }), flowLog({ vpcId: "vpc-9" })],
                0,
            ),
        ],
        notApplicable: [c("no vpc", otherRecords, 0)],
        unknown: [c("vpcId unknown", [awsxVpc(), flowLog({ vpcId: U.string })], 0)],
    },
    "vpc-nat-per-az": {
        violating: [c("single NAT", [awsxVpc({ natGateways: { strategy: "Single" } })], 1)],
        compliant: [c("one per AZ", [awsxVpc({ natGateways: { strategy: "OnePerAz" } })], 0), c("default", [awsxVpc()], 0)],
        notApplicable: [c("aws vpc", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", tags: TAGS })], 0)],
        naType: "aws:ec2/vpc:Vpc",
        unknown: [c("strategy unknown", [awsxVpc({ natGateways: { strategy: U.string } })], 0)],
    },
    "iam-no-wildcard-admin": {
        violating: [
            c("*:* policy", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]) })], [/full admin/]),
            c(
                "iam:* role policy (object doc)",
                [
                    rec("aws:iam/rolePolicy:RolePolicy", "p", {
                        role: "r",
                        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:*"], Resource: "arn:aws:iam::1:role/x" }] },
                    }),
                ],
                [/iam:\*/],
            ),
            c(
                "inline policy of a role",
                [role({ assumeRolePolicy: ec2Trust, inlinePolicies: [{ name: "i", policy: doc([{ Effect: "Allow", NotAction: "s3:*", Resource: "*" }]) }] })],
                [/NotAction/],
            ),
        ],
        compliant: [
            c("scoped", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }]) })], 0),
            c("Deny *", [rec("aws:iam/policy:Policy", "p", { policy: doc([{ Effect: "Deny", Action: "*", Resource: "*" }]) })], 0),
        ],
        notApplicable: [
            c(
                "attachment",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
                0,
            ),
        ],
        naType: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        unknown: [
            c("doc unknown", [rec("aws:iam/policy:Policy", "p", { policy: U.string })], 0),
            c("doc secret", [rec("aws:iam/policy:Policy", "p", { policy: SECRET })], 0),
        ],
    },
    "iam-no-admin-managed-policies": {
        violating: [
            c(
                "AdministratorAccess attachment",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
                [/AdministratorAccess/],
            ),
            c(
                "IAMFullAccess in managedPolicyArns (gov partition)",
                [role({ assumeRolePolicy: ec2Trust, managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/IAMFullAccess"] })],
                1,
            ),
        ],
        compliant: [
            c(
                "worker node policy",
                [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" })],
                0,
            ),
            c(
                "customer policy named AdministratorAccess",
                [
                    rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {
                        role: "r",
                        policyArn: "arn:aws:iam::123456789012:policy/AdministratorAccess",
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("policy", [rec("aws:iam/policy:Policy", "p", { policy: "{}" })], 0)],
        naType: "aws:iam/policy:Policy",
        unknown: [c("arn unknown", [rec("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: U.string })], 0)],
    },
    "iam-trust-policy-scoped": {
        violating: [
            c("Principal *", [role({ assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }]) })], [/Principal "\*"/]),
            c("IRSA without conditions", [role({ assumeRolePolicy: irsaTrust(undefined) })], [/:sub/, /:aud/]),
            c(
                "GitHub sub wildcard",
                [
                    role({
                        assumeRolePolicy: doc([
                            {
                                Effect: "Allow",
                                Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
                                Action: "sts:AssumeRoleWithWebIdentity",
                                Condition: {
                                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" },
                                    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                                },
                            },
                        ]),
                    }),
                ],
                [/matches any subject/],
            ),
        ],
        compliant: [
            c("service principal", [role({ assumeRolePolicy: ec2Trust })], 0),
            c(
                "IRSA scoped",
                [
                    role({
                        assumeRolePolicy: irsaTrust({
                            StringEquals: {
                                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:shop:storefront",
                                "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                            },
                        }),
                    }),
                ],
                0,
            ),
            c(
                "object document (assumeRolePolicyForPrincipal)",
                [
                    role({
                        assumeRolePolicy: {
                            Version: "2012-10-17",
                            Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
                        },
                    }),
                ],
                0,
            ),
        ],
        notApplicable: [c("policy", [rec("aws:iam/policy:Policy", "p", { policy: "{}" })], 0)],
        naType: "aws:iam/policy:Policy",
        unknown: [c("trust unknown", [role({ assumeRolePolicy: U.string })], 0), c("trust secret", [role({ assumeRolePolicy: SECRET })], 0)],
    },
    "kms-rotation": {
        violating: [c("no rotation", [key({ ...goodKey, enableKeyRotation: false })], 1)],
        compliant: [
            c("rotation", [key(goodKey)], 0),
            c("asymmetric key", [key({ ...goodKey, enableKeyRotation: false, customerMasterKeySpec: "RSA_2048" })], 0),
        ],
        notApplicable: [c("alias", [rec("aws:kms/alias:Alias", "a", { targetKeyId: "k" })], 0)],
        naType: "aws:kms/alias:Alias",
        unknown: [c("unknown", [key({ ...goodKey, enableKeyRotation: U.boolean })], 0)],
    },
    "kms-policy-safe": {
        violating: [
            c(
                "bypass + * principal + short window + no description",
                [
                    key({
                        enableKeyRotation: true,
                        bypassPolicyLockoutSafetyCheck: true,
                        deletionWindowInDays: 7,
                        policy: doc([{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }]),
                    }),
                ],
                4,
                { minDeletionWindowDays: 30 },
            ),
        ],
        compliant: [c("safe", [key(goodKey)], 0), c("7 days ok by default", [key({ ...goodKey, deletionWindowInDays: 7 })], 0)],
        notApplicable: [c("alias", [rec("aws:kms/alias:Alias", "a", { targetKeyId: "k" })], 0)],
        naType: "aws:kms/alias:Alias",
        unknown: [c("policy unknown", [key({ ...goodKey, policy: U.string })], 0)],
    },
    "s3-public-access-block": {
        violating: [
            c("bucket without block", [bucket("logs")], [/no public access block/]),
            c("flag off", [bucket("logs"), pab("logs-pab", "logs-bkt", { ignorePublicAcls: false })], [/ignorePublicAcls/]),
        ],
        compliant: [
            c("by bucket name", [bucket("logs"), pab("logs-pab", "logs-bkt")], 0),
            c("by dependency", [bucket("logs"), pab("logs-pab", "generated", {}, [urnOf("aws:s3/bucket:Bucket", "logs")])], 0),
        ],
        notApplicable: [c("no buckets", otherRecords, 0)],
        unknown: [
            c("flag unknown", [bucket("logs"), pab("logs-pab", "logs-bkt", { blockPublicPolicy: U.boolean })], 0),
            c("bucket ref unknown", [bucket("logs"), pab("logs-pab", U.string)], 0),
        ],
    },
    "s3-no-public-acl": {
        violating: [
            c("public-read bucket", [rec("aws:s3/bucket:Bucket", "b", { acl: "public-read" })], 1),
            c(
                "AllUsers grant",
                [
                    rec("aws:s3/bucketAclV2:BucketAclV2", "a", {
                        bucket: "b",
                        accessControlPolicy: {
                            owner: { id: "o" },
                            grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }],
                        },
                    }),
                ],
                [/AllUsers/],
            ),
        ],
        compliant: [c("private", [rec("aws:s3/bucket:Bucket", "b", { acl: "private" })], 0), c("no acl", [bucket("b")], 0)],
        notApplicable: [c("versioning", otherRecords, 0)],
        naType: "aws:s3/bucketVersioning:BucketVersioning",
        unknown: [c("acl unknown", [rec("aws:s3/bucket:Bucket", "b", { acl: U.string })], 0)],
    },
    // Arithmetic (plan/pricing/eu-west-1.json, dev assumptions): the cluster is 730 h × $0.10 = $73.00,
    // its control-plane logs 5 types × 0.5 GB × $0.50 = $1.25 ingested, stored without a declared
    // group (never expires) 2.5 GB × 12 months × $0.03 = $0.90: $75.15. The default awsx VPC has
    // 3 NAT gateways: 3 × 730 × $0.045 = $98.55 + 3 EIPs × 730 × $0.005 = $10.95 + 50 GB × $0.045
    // = $2.25 → $111.75, plus 20 GB out to the internet × $0.09 = $1.80: $113.55.
    "cost-budget": {
        violating: [
            c(
                "cluster over a $50 budget",
                [eks(goodCluster)],
                [
                    /^Estimated monthly cost \$75\.15 exceeds the budget \$50\.00 by \$25\.15 \(eu-west-1, dev assumptions, prices read \d{4}-\d\d-\d\d\)\. Top cost drivers: Cluster cluster \$75\.15\.$/,
                ],
                {
                    monthlyBudgetUsd: 50,
                    region: "eu-west-1",
                    environment: "dev",
                },
            ),
            c(
                "three NAT gateways over $100, drivers named",
                [awsxVpc()],
                [/\$113\.55 exceeds the budget \$100\.00.*Top cost drivers: Vpc vpc \$111\.75; internet data transfer out \$1\.80\.$/],
                {
                    monthlyBudgetUsd: 100,
                    region: "eu-west-1",
                    environment: "dev",
                },
            ),
            c("no price file for the region", [eks(goodCluster)], [/^Cannot estimate .*no price file for region xx-east-9/], {
                monthlyBudgetUsd: 10,
                region: "xx-east-9",
            }),
        ],
        compliant: [
            c("cluster within $80", [eks(goodCluster)], 0, { monthlyBudgetUsd: 80, region: "eu-west-1", environment: "dev" }),
            c("no budget (0)", [eks(goodCluster)], 0, { region: "eu-west-1" }),
        ],
        notApplicable: [c("nothing priced", otherRecords, 0, { monthlyBudgetUsd: 1, region: "eu-west-1" })],
        unknown: [
            c("unknown role and version: the known inputs are priced", [eks({ ...goodCluster, roleArn: U.string, version: U.string })], 0, {
                monthlyBudgetUsd: 80,
                region: "eu-west-1",
                environment: "dev",
            }),
        ],
    },
    // ---- Kubernetes pod security ----
    "k8s-no-privileged": {
        violating: [
            c("every kind", everyKind(badSc({ privileged: true })), 7),
            c("init container", [deploy("a", withInit({ privileged: true }))], [/init container 'migrate' runs privileged/]),
            c("ephemeral container", [deploy("a", withEphemeral({ privileged: true }))], [/ephemeral container 'debug'/]),
        ],
        compliant: [c("every kind", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [c("securityContext unknown", [deploy("a", unknownPod)], 0)],
    },
    "k8s-no-privilege-escalation": {
        violating: [
            c(
                "unset",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.containers[0].securityContext.allowPrivilegeEscalation),
                    ),
                ],
                1,
            ),
            c(
                "cronjob init container",
                [k8s("CronJob", "cj", workload("CronJob", "cj", "shop", withInit({ allowPrivilegeEscalation: true })))],
                [/init container 'migrate'/],
            ),
        ],
        compliant: [c("false everywhere", everyKind(withInit({})), 0)],
        notApplicable: [c("namespace", [ns("shop")], 0)],
        naType: "kubernetes:core/v1:Namespace",
        unknown: [c("unknown", [deploy("a", unknownPod)], 0)],
    },
    "k8s-run-as-non-root": {
        violating: [
            c(
                "no runAsNonRoot anywhere",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.securityContext.runAsNonRoot;
                            delete p.containers[0].securityContext.runAsNonRoot;
                        }),
                    ),
                ],
                [/may run as root/],
            ),
            c("container false + uid 0", [deploy("a", badSc({ runAsNonRoot: false, runAsUser: 0 }))], [/runAsNonRoot: false/, /runAsUser: 0/]),
            c(
                "uid below minUid",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext.runAsUser = 999)),
                    ),
                ],
                [/below 10000/],
                { minUid: 10000 },
            ),
        ],
        compliant: [
            c("pod-level", [deploy()], 0),
            c(
                "postgres uid 999 is non-root",
                [
                    k8s(
                        "StatefulSet",
                        "postgres",
                        workload(
                            "StatefulSet",
                            "postgres",
                            "shop",
                            podWith((p) => (p.securityContext.runAsUser = 999)),
                            1,
                        ),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "pod securityContext unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-read-only-rootfs": {
        violating: [
            c("writable", [deploy("a", badSc({ readOnlyRootFilesystem: false }))], 1),
            c("job init container", [k8s("Job", "j", workload("Job", "j", "shop", withInit({ readOnlyRootFilesystem: false })))], 1),
        ],
        compliant: [c("read-only", everyKind(goodPodSpec), 0)],
        notApplicable: [c("configmap", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { namespace: "shop" }, data: { a: "b" } })], 0)],
        naType: "kubernetes:core/v1:ConfigMap",
        unknown: [c("unknown", [deploy("a", badSc({ readOnlyRootFilesystem: U.boolean }))], 0)],
    },
    "k8s-capabilities": {
        violating: [c("no drop ALL, adds SYS_ADMIN", [deploy("a", badSc({ capabilities: { add: ["SYS_ADMIN"] } }))], [/does not drop ALL/, /SYS_ADMIN/])],
        compliant: [
            c("drop ALL", [deploy()], 0),
            c("NET_BIND_SERVICE allowed", [deploy("a", badSc({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }))], 0),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [c("capabilities unknown", [deploy("a", badSc({ capabilities: U.object }))], 0)],
    },
    "k8s-seccomp": {
        violating: [
            c(
                "none",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.securityContext.seccompProfile),
                    ),
                ],
                [/no seccomp profile/],
            ),
            c("Unconfined container", [deploy("a", badSc({ seccompProfile: { type: "Unconfined" } }))], [/Unconfined/]),
        ],
        compliant: [
            c("pod RuntimeDefault", [deploy()], 0),
            c(
                "container Localhost",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.securityContext.seccompProfile;
                            p.containers[0].securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
                        }),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext.seccompProfile = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-host-namespaces": {
        violating: [
            c(
                "hostNetwork + hostPID",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            p.hostNetwork = true;
                            p.hostPID = true;
                        }),
                    ),
                ],
                2,
            ),
            c(
                "cronjob hostIPC",
                [
                    k8s(
                        "CronJob",
                        "cj",
                        workload(
                            "CronJob",
                            "cj",
                            "shop",
                            podWith((p) => (p.hostIPC = true)),
                        ),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("none", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.hostNetwork = U.boolean)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-volume-types": {
        violating: [
            c(
                "docker.sock hostPath",
                [
                    deploy(
                        "a",
                        podWith((p) => p.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } })),
                    ),
                ],
                [/hostPath \(\/var\/run\/docker.sock\)/],
            ),
        ],
        compliant: [
            c(
                "emptyDir + pvc + secret",
                [
                    deploy(
                        "a",
                        podWith((p) => p.volumes.push({ name: "d", persistentVolumeClaim: { claimName: "c" } }, { name: "s", secret: { secretName: "x" } })),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "volumes unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.volumes = U.array)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-hostport": {
        violating: [
            c(
                "hostPort",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].ports = [{ containerPort: 8080, hostPort: 8080 }])),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("container port only", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "ports unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].ports = U.array)),
                    ),
                ],
                0,
            ),
        ],
    },
    // ---- Kubernetes workloads ----
    "k8s-resources": {
        violating: [
            c(
                "no resources",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.containers[0].resources),
                    ),
                ],
                [/requests.cpu, requests.memory, limits.memory/],
            ),
            c(
                "init container",
                [deploy("a", withInit({}))].map((r) => mut(r, (x) => delete x.inputs.spec.template.spec.initContainers[0].resources)),
                1,
            ),
            c("cpu limit required", [deploy()], [/limits.cpu/], { requireCpuLimit: true }),
        ],
        compliant: [c("set", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "resources unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].resources = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-probes": {
        violating: [
            c(
                "no probes",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.containers[0].readinessProbe;
                            delete p.containers[0].livenessProbe;
                        }),
                    ),
                ],
                2,
            ),
            c(
                "statefulset no liveness",
                [
                    k8s(
                        "StatefulSet",
                        "pg",
                        workload(
                            "StatefulSet",
                            "pg",
                            "shop",
                            podWith((p) => delete p.containers[0].livenessProbe),
                            1,
                        ),
                    ),
                ],
                [/livenessProbe/],
            ),
        ],
        compliant: [
            c("probes", [deploy()], 0),
            c(
                "init containers need none",
                [deploy("a", withInit({}))].map((r) =>
                    mut(r, (x) => {
                        delete x.inputs.spec.template.spec.initContainers[0].readinessProbe;
                        delete x.inputs.spec.template.spec.initContainers[0].livenessProbe;
                    }),
                ),
                0,
            ),
        ],
        notApplicable: [
            c(
                "job",
                [
                    k8s(
                        "Job",
                        "j",
                        workload(
                            "Job",
                            "j",
                            "shop",
                            podWith((p) => delete p.containers[0].readinessProbe),
                        ),
                    ),
                ],
                0,
            ),
        ],
        naType: "kubernetes:batch/v1:Job",
        unknown: [
            c(
                "probe unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].readinessProbe = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-image-pinned": {
        violating: [
            c(
                "latest",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "nginx:latest")),
                    ),
                ],
                [/latest tag/],
            ),
            c(
                "no tag with registry port",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "registry.local:5000/app")),
                    ),
                ],
                [/no tag/],
            ),
            c("docker image latest", [rec("docker:index/image:Image", "img", { imageName: "123.dkr.ecr.us-east-1.amazonaws.com/app:latest" })], 1),
            c("digest required", [deploy()], [/digest/], { requireDigest: true }),
        ],
        compliant: [
            c("tag", [deploy()], 0),
            c(
                "digest",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "redis@sha256:abc")),
                    ),
                ],
                0,
                { requireDigest: true },
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "image unknown (from an output)",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-image-registry-allowlist": {
        violating: [
            c(
                "quay image",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "quay.io/evil/app:1")),
                    ),
                ],
                [/quay.io\/evil\/app:1/],
            ),
            c(
                "docker hub user image",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "someone/redis:7")),
                    ),
                ],
                1,
            ),
        ],
        compliant: [
            c("ECR", [deploy()], 0),
            c(
                "official postgres",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "postgres:16.4")),
                    ),
                ],
                0,
            ),
            c(
                "configured registry",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "quay.io/prometheus/node-exporter:v1.8.0")),
                    ),
                ],
                0,
                { allowedRegistries: ["quay.io/prometheus/**"] },
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "image unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-default-namespace": {
        violating: [
            c("default", [deploy("a", goodPodSpec, 2, "default")], [/default namespace/]),
            c("no namespace", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { name: "cm" }, data: {} })], [/has no namespace/]),
            c("helm release in default", [releaseOf({ namespace: "default" })], 1),
        ],
        compliant: [
            c("shop", [deploy()], 0),
            (() => {
                const p = k8s("pulumi:providers:kubernetes", "nsprov", { namespace: "shop" }, { provider: "" });
                return c(
                    "provider namespace",
                    [p, k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { name: "cm" }, data: {} }, { provider: `${p.urn}::id` })],
                    0,
                );
            })(),
        ],
        notApplicable: [
            c("namespace itself", [ns("shop")], 0),
            c("cluster role", [k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cr", { metadata: { name: "cr" } })], 0),
            c("karpenter node pool (cluster-scoped CR)", [k8s("kubernetes:karpenter.sh/v1:NodePool", "np", { metadata: { name: "default" } })], 0),
            c("cluster secret store", [k8s("kubernetes:external-secrets.io/v1:ClusterSecretStore", "css", { metadata: { name: "aws" } })], 0),
        ],
        naType: "kubernetes:core/v1:Namespace",
        unknown: [c("namespace from an output", [deploy("a", goodPodSpec, 2, U.string)], 0)],
    },
    "k8s-secrets-not-in-env": {
        violating: [
            c(
                "literal password",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "POSTGRES_PASSWORD", value: "hunter2" })),
                    ),
                ],
                [/POSTGRES_PASSWORD/],
            ),
            c("configmap token", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { namespace: "shop" }, data: { API_TOKEN: "abc" } })], 1),
            c("secretKeyRef flagged when configured", [deploy()], [/DB_PASSWORD comes from a Secret/], { flagSecretKeyRef: true }),
        ],
        compliant: [
            c("secretKeyRef", [deploy()], 0),
            c(
                "secret value (opaque)",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "REDIS_PASSWORD", value: SECRET })),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "value unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "API_KEY", value: U.string })),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-sa-token-automount": {
        violating: [
            c(
                "default automount",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.automountServiceAccountToken),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("false", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.automountServiceAccountToken = U.boolean)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-default-serviceaccount": {
        violating: [
            c(
                "unset",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.serviceAccountName),
                    ),
                ],
                1,
            ),
            c(
                "default",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.serviceAccountName = "default")),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("dedicated", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "from an output",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.serviceAccountName = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-public-service": {
        violating: [c("LoadBalancer", [svc("s", { app: "s" }, { type: "LoadBalancer" })], 1), c("NodePort", [svc("s", { app: "s" }, { type: "NodePort" })], 1)],
        compliant: [
            c("ClusterIP", [svc("s", { app: "s" })], 0),
            c("NodePort allowed by config", [svc("s", { app: "s" }, { type: "NodePort" })], 0, { forbiddenTypes: ["LoadBalancer"] }),
        ],
        notApplicable: [c("deployment", [deploy()], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("type unknown", [svc("s", { app: "s" }, { type: U.string })], 0)],
    },
    "k8s-no-bare-pods": {
        violating: [c("pod", [k8s("Pod", "p", workload("Pod", "p"))], 1)],
        compliant: [c("deployment", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("pod with unknown spec is still a pod", [k8s("Pod", "p", { metadata: { namespace: "shop" }, spec: U.object })], 1)],
    },
    "helm-release-pinned": {
        violating: [
            c(
                "no version, http repo",
                [releaseOf({ version: undefined, repositoryOpts: { repo: "http://charts.example.com" } })],
                [/No chart version/, /neither https/],
            ),
            c("range version", [releaseOf({ version: "^79.0.0" })], [/not an exact version/]),
            c("no repository", [releaseOf({ repositoryOpts: undefined, chart: "prometheus-community/kube-prometheus-stack" })], [/no repository/]),
            c("not allow-listed", [releaseOf({})], [/not allow-listed/], { allowedRepositories: ["oci://registry.example.com/**"] }),
        ],
        compliant: [
            c("https + exact", [releaseOf({})], 0),
            c("oci chart", [releaseOf({ chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", repositoryOpts: undefined })], 0),
            c(
                "v4 chart",
                [k8s("kubernetes:helm.sh/v4:Chart", "c", { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "20.1.0", namespace: "x" })],
                0,
            ),
        ],
        notApplicable: [c("deployment", [deploy()], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("version unknown", [releaseOf({ version: U.string })], 0)],
    },
    // ---- Kubernetes stack rules ----
    "k8s-replicas-ha": {
        violating: [
            c("1 replica", [deploy("a", goodPodSpec, 1)], [/runs 1 replica/]),
            c("HPA min 1", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 1)], [/HPA minReplicas/]),
        ],
        compliant: [
            c("2 replicas", [deploy()], 0),
            c("HPA min 2 (no replicas set)", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 2)], 0),
            c(
                "HPA by dependency",
                [
                    mut(deploy("a"), (x) => delete x.inputs.spec.replicas),
                    mut(hpa("generated-name", 3, "shop", [urnOf("kubernetes:apps/v1:Deployment", "a")]), (x) => (x.inputs.spec.scaleTargetRef.name = "a-3xyz")),
                ],
                0,
            ),
        ],
        notApplicable: [c("statefulset with 1 replica", [k8s("StatefulSet", "pg", workload("StatefulSet", "pg", "shop", goodPodSpec, 1))], 0)],
        unknown: [
            c("replicas unknown", [deploy("a", goodPodSpec, U.number as unknown as number)], 0),
            c("HPA min unknown", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", U.number)], 0),
        ],
    },
    "k8s-pdb": {
        violating: [
            c("no PDB", [deploy()], [/no PodDisruptionBudget/]),
            c("PDB in another namespace", [deploy(), pdb("p", { app: "storefront" }, { maxUnavailable: 1 }, "other")], 1),
            c("PDB selects other labels", [deploy(), pdb("p", { app: "catalog" })], 1),
            c("zero disruption", [deploy(), pdb("p", { app: "storefront" }, { maxUnavailable: 0 })], [/allows no voluntary disruption/]),
            c("minAvailable = replicas", [deploy(), pdb("p", { app: "storefront" }, { minAvailable: 2 })], 1),
            c("HPA-scaled deployment", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 2)], 1),
        ],
        compliant: [
            c("matching PDB", [deploy(), pdb("p", { app: "storefront" })], 0),
            c("single replica needs none", [deploy("a", goodPodSpec, 1)], 0),
            c("minAvailable 1 of 3", [deploy("storefront", goodPodSpec, 3), pdb("p", { app: "storefront" }, { minAvailable: 1 })], 0),
        ],
        notApplicable: [c("no workloads", [svc("s", { app: "s" })], 0)],
        unknown: [
            c("PDB spec unknown", [deploy(), k8s("kubernetes:policy/v1:PodDisruptionBudget", "p", { metadata: { namespace: "shop" }, spec: U.object })], 0),
            c("replicas unknown", [deploy("a", goodPodSpec, U.number as unknown as number)], 0),
        ],
    },
    "k8s-networkpolicy-coverage": {
        violating: [
            c("no policy", [deploy()], [/no default-deny NetworkPolicy for Ingress and Egress/]),
            c("ingress-only deny", [deploy(), denyAll("shop", ["Ingress"])], [/for Egress/]),
            c("deny in another namespace", [deploy(), denyAll("data")], 1),
            c("selector not empty", [deploy(), mut(denyAll(), (x) => (x.inputs.spec.podSelector = { matchLabels: { app: "storefront" } }))], 1),
        ],
        compliant: [
            c("default deny", [deploy(), denyAll()], 0),
            c("ingress-only when configured", [deploy(), denyAll("shop", ["Ingress"])], 0, { policyTypes: ["Ingress"] }),
            c("two policies together", [deploy(), denyAll("shop", ["Ingress"]), mut(denyAll("shop", ["Egress"]), (x) => (x.urn += "-e"))], 0),
        ],
        notApplicable: [c("no workloads", [denyAll()], 0)],
        unknown: [
            c(
                "policy spec unknown",
                [deploy(), k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "np", { metadata: { namespace: "shop" }, spec: U.object })],
                0,
            ),
            c("workload namespace unknown", [deploy("a", goodPodSpec, 2, U.string)], 0),
        ],
    },
    "k8s-servicemonitor-selected": {
        violating: [
            c(
                "missing release label",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", {}, { matchLabels: { app: "storefront" } })],
                [/lacks the label/],
            ),
            c(
                "selects no service",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "nope" } })],
                [/selects no Service/],
            ),
            c(
                "no prometheus release",
                [svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } })],
                [/no kube-prometheus-stack Release/],
            ),
        ],
        compliant: [
            c(
                "release label + service",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } })],
                0,
            ),
            c(
                "nil selector uses all",
                [
                    releaseOf({ values: { prometheus: { prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false } } } }),
                    svc("storefront", { app: "storefront" }),
                    sm("storefront", {}, { matchLabels: { app: "storefront" } }),
                ],
                0,
            ),
            c(
                "service in another namespace via namespaceSelector",
                [
                    releaseOf({}),
                    svc("storefront", { app: "storefront" }),
                    sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } }, "monitoring", { namespaceSelector: { matchNames: ["shop"] } }),
                ],
                0,
            ),
        ],
        notApplicable: [c("no service monitors", [releaseOf({}), svc("s", { app: "s" })], 0)],
        unknown: [
            c(
                "values unknown",
                [releaseOf({ values: U.object }), svc("storefront", { app: "storefront" }), sm("storefront", {}, { matchLabels: { app: "storefront" } })],
                0,
            ),
            c(
                "labels unknown",
                [
                    releaseOf({}),
                    svc("storefront", { app: "storefront" }),
                    k8s("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "m", { metadata: U.object, spec: {} }),
                ],
                0,
            ),
        ],
    },
    "k8s-spread": {
        violating: [c("no spread", [deploy()], [/no topologySpreadConstraints/])],
        compliant: [
            c(
                "topology spread",
                [
                    deploy(
                        "a",
                        podWith(
                            (p) =>
                                (p.topologySpreadConstraints = [
                                    {
                                        maxSkew: 1,
                                        topologyKey: "topology.kubernetes.io/zone",
                                        whenUnsatisfiable: "ScheduleAnyway",
                                        labelSelector: { matchLabels: { app: "a" } },
                                    },
                                ]),
                        ),
                    ),
                ],
                0,
            ),
            c(
                "anti-affinity",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } })),
                    ),
                ],
                0,
            ),
            c("single replica", [deploy("a", goodPodSpec, 1)], 0),
        ],
        notApplicable: [c("no workloads", otherRecords, 0)],
        unknown: [c("pod spec unknown", [k8s("Deployment", "a", { metadata: { namespace: "shop" }, spec: { replicas: 3, template: U.object } })], 0)],
    },
};
