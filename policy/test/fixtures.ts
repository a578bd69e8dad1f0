/** Baseline records the rule cases (the `*.cases.ts` file beside each rule module) build on: compliant resources of each type, and small builders. */
import type { ResourceRecord } from "../../harness/types";
import type { Case } from "./cases";
import { clone, goodContainer, k8s, podWith, rec, SECRET, TAGS, U, workload } from "./helpers";

export const c = (name: string, records: ResourceRecord[], expect: number | RegExp[], params?: Record<string, unknown>): Case => ({
    name,
    records,
    expect,
    params,
});

// ---- AWS baselines ----
export const EKS = "aws:eks/cluster:Cluster";
export const goodCluster = {
    name: "shop",
    roleArn: "arn:aws:iam::123456789012:role/eks",
    version: "1.33",
    vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/abc" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    accessConfig: { authenticationMode: "API" },
    tags: TAGS,
};
export const eks = (inputs: object) => rec(EKS, "cluster", inputs as Record<string, unknown>);
export const REPO = "aws:ecr/repository:Repository";
export const goodRepo = {
    name: "storefront",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS" }],
    tags: TAGS,
};
export const repo = (inputs: object, name = "storefront") => rec(REPO, name, inputs as Record<string, unknown>);
export const RDS = "aws:rds/instance:Instance";
export const goodDb = {
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
export const db = (inputs: object) => rec(RDS, "db", inputs as Record<string, unknown>);
export const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
export const goodRg = {
    description: "cache",
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    authToken: SECRET,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    numCacheClusters: 2,
    tags: TAGS,
};
export const rg = (inputs: object) => rec(RG, "cache", inputs as Record<string, unknown>);
export const SG = "aws:ec2/securityGroup:SecurityGroup";
export const sg = (ingress: object[]) => rec(SG, "sg", { vpcId: "vpc-1", ingress, tags: TAGS });
export const KEY = "aws:kms/key:Key";
export const goodKey = { description: "EKS secrets", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS };
export const key = (inputs: object) => rec(KEY, "key", inputs as Record<string, unknown>);
export const ROLE = "aws:iam/role:Role";
export const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
export const ec2Trust = doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
export const irsaTrust = (cond: object | undefined) =>
    doc([
        {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" },
            Action: "sts:AssumeRoleWithWebIdentity",
            ...(cond ? { Condition: cond } : {}),
        },
    ]);
export const role = (inputs: object, name = "role") => rec(ROLE, name, { tags: TAGS, ...inputs } as Record<string, unknown>);
export const LT = "aws:ec2/launchTemplate:LaunchTemplate";
export const lt = (metadataOptions: object | undefined) => rec(LT, "lt", { ...(metadataOptions ? { metadataOptions } : {}), tags: TAGS });
export const NG = "aws:eks/nodeGroup:NodeGroup";
export const ng = (inputs: object) =>
    rec(NG, "ng", {
        clusterName: "shop",
        nodeRoleArn: "arn",
        subnetIds: ["s"],
        scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 3 },
        tags: TAGS,
        ...inputs,
    });
export const releaseOf = (inputs: object) =>
    k8s("kubernetes:helm.sh/v3:Release", "kps", {
        chart: "kube-prometheus-stack",
        version: "79.1.0",
        namespace: "monitoring",
        name: "kps",
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        ...inputs,
    });
export const svc = (name: string, labels: Record<string, string>, spec: object = { type: "ClusterIP" }, ns = "shop") =>
    k8s("kubernetes:core/v1:Service", name, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: ns, labels },
        spec: { selector: labels, ports: [{ port: 80 }], ...spec },
    });
export const sm = (name: string, labels: Record<string, string>, selector: object, ns = "shop", extra: object = {}) =>
    k8s("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", name, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name, namespace: ns, labels },
        spec: { selector, endpoints: [{ port: "http" }], ...extra },
    });
export const hpa = (target: string, minReplicas: number | string, ns = "shop", deps: string[] = []) =>
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
export const ns = (name: string) => k8s("kubernetes:core/v1:Namespace", name, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
export const bucket = (name: string) => rec("aws:s3/bucket:Bucket", name, { bucket: `${name}-bkt`, tags: TAGS });
export const pab = (name: string, bucketRef: string, flags: Partial<Record<string, unknown>> = {}, deps: string[] = []) =>
    rec(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        name,
        { bucket: bucketRef, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...flags },
        { dependencies: deps },
    );
export const awsxVpc = (inputs: object = {}) =>
    rec("awsx:ec2:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", tags: TAGS, ...inputs }, { custom: false, remote: true });
export const flowLog = (inputs: object, deps: string[] = []) =>
    rec("aws:ec2/flowLog:FlowLog", "flow", { trafficType: "ALL", logDestination: "arn:aws:logs:...", tags: TAGS, ...inputs }, { dependencies: deps });
export const lcp = (repository: unknown, deps: string[] = []) =>
    rec("aws:ecr/lifecyclePolicy:LifecyclePolicy", "lcp", { repository, policy: "{}" }, { dependencies: deps });

export const kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];
/** One workload per kind with `pod` as its pod spec. */
export const everyKind = (pod: object) => kinds.map((k) => k8s(k, `w-${k.toLowerCase()}`, workload(k, `w-${k.toLowerCase()}`, "shop", pod)));
export const badSc = (sc: object) => podWith((p) => Object.assign(p.containers[0].securityContext, sc));
export const unknownPod = podWith((p) => (p.containers[0].securityContext = U.object));
export const withInit = (initSc: object) =>
    podWith((p) => (p.initContainers = [{ ...clone(goodContainer), name: "migrate", securityContext: { ...goodContainer.securityContext, ...initSc } }]));
export const withEphemeral = (sc: object) =>
    podWith(
        (p) => (p.ephemeralContainers = [{ name: "debug", image: "public.ecr.aws/debug:1", securityContext: { ...goodContainer.securityContext, ...sc } }]),
    );
export const otherRecords = [rec("aws:s3/bucketVersioning:BucketVersioning", "v", { bucket: "b" })];
