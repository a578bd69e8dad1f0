import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { iamPolicy, MANAGED_POLICY, serviceAssumeRolePolicy } from "../iam";
import { recommendedLabels } from "../k8s";
import { AddonContext, fillPolicyTemplate, helmAddon, HelmChartSpec, mergeValues, podIdentityRole, versions } from "./common";
import interruptionRules from "./data/karpenter-interruption-rules.json";

const OCI = "oci://public.ecr.aws/karpenter";
export const KARPENTER_CHARTS: { crds: HelmChartSpec; controller: HelmChartSpec } = {
    crds: { chart: `${OCI}/${versions.karpenter.crdChart}`, version: versions.karpenter.version, namespace: "kube-system" },
    controller: { chart: `${OCI}/${versions.karpenter.chart}`, version: versions.karpenter.version, namespace: "kube-system" },
};
const SERVICE_ACCOUNT = "karpenter";

export interface NodePoolSettings {
    instanceFamilies: string[];
    capacityTypes: ("spot" | "on-demand")[];
    cpuLimit: number;
    memoryLimitGiB: number;
    consolidateAfterMinutes: number;
    expireAfterHours: number;
}

export interface KarpenterArgs extends AddonContext {
    /** Node label of the managed node group: the controller runs there, never on nodes it manages. */
    systemNodeSelector: Record<string, string>;
    nodePool: NodePoolSettings;
    /** Tags for the instances and volumes Karpenter launches (the stack's required tags). */
    tags: Record<string, string>;
    values?: Record<string, unknown>;
}

/** Pure: the NodePool spec from the stack's settings. */
export function nodePoolSpec(s: NodePoolSettings, nodeClassName: string) {
    return {
        template: {
            metadata: { labels: { "shop.platform/node-group": "karpenter" } },
            spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
                requirements: [
                    { key: "karpenter.k8s.aws/instance-family", operator: "In", values: s.instanceFamilies },
                    { key: "karpenter.sh/capacity-type", operator: "In", values: s.capacityTypes },
                    { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
                    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                ],
                expireAfter: `${s.expireAfterHours}h`,
            },
        },
        limits: { cpu: String(s.cpuLimit), memory: `${s.memoryLimitGiB}Gi` },
        disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: `${s.consolidateAfterMinutes}m` },
    };
}

/**
 * Karpenter node autoscaling: the controller (on the managed node group) with its scoped IAM
 * policy through Pod Identity, interruption handling (an SQS queue fed by EventBridge rules for
 * spot interruptions, rebalance recommendations, instance state changes and scheduled events),
 * a node role admitted by an EC2_LINUX access entry, and a NodePool + EC2NodeClass from the
 * stack config (IMDSv2, encrypted gp3, subnets and security groups found by discovery tags).
 */
export class Karpenter extends pulumi.ComponentResource {
    readonly nodeRoleName: pulumi.Output<string>;
    readonly interruptionQueueName: pulumi.Output<string>;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:Karpenter", name, {}, opts);
        const parent = { parent: this };
        const k8sOpts = { parent: this, provider: args.provider };
        const identity = aws.getCallerIdentityOutput({}, parent);

        // Interruption handling.
        const queue = new aws.sqs.Queue(
            name,
            { name: pulumi.interpolate`${args.clusterName}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true },
            parent,
        );
        new aws.sqs.QueuePolicy(
            name,
            {
                queueUrl: queue.url,
                policy: queue.arn.apply((arn) =>
                    iamPolicy([
                        {
                            Sid: "EventBridgeAndSqs",
                            Effect: "Allow",
                            Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
                            Action: "sqs:SendMessage",
                            Resource: arn,
                        },
                        {
                            Sid: "DenyHTTP",
                            Effect: "Deny",
                            Principal: { AWS: "*" },
                            Action: "sqs:*",
                            Resource: arn,
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ]),
                ),
            },
            parent,
        );
        for (const rule of interruptionRules as { name: string; eventPattern: unknown }[]) {
            const eventRule = new aws.cloudwatch.EventRule(`${name}-${rule.name}`, { eventPattern: JSON.stringify(rule.eventPattern) }, parent);
            new aws.cloudwatch.EventTarget(`${name}-${rule.name}`, { rule: eventRule.name, arn: queue.arn }, parent);
        }

        // Nodes Karpenter launches: their own role, admitted to the cluster as EC2_LINUX.
        const nodeRole = new aws.iam.Role(`${name}-node`, { assumeRolePolicy: serviceAssumeRolePolicy("ec2.amazonaws.com") }, parent);
        for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]) {
            new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: MANAGED_POLICY("aws", policy) }, parent);
        }
        const accessEntry = new aws.eks.AccessEntry(`${name}-node`, { clusterName: args.clusterName, principalArn: nodeRole.arn, type: "EC2_LINUX" }, parent);

        // The controller: the published policy, scoped to this cluster, queue and node role.
        const template = fs.readFileSync(path.join(__dirname, "data", "karpenter-controller-policy.json"), "utf8");
        const controller = podIdentityRole(this, `${name}-controller`, {
            clusterName: args.clusterName,
            namespace: KARPENTER_CHARTS.controller.namespace,
            serviceAccount: SERVICE_ACCOUNT,
            policy: pulumi.all([identity.accountId, args.clusterName, queue.arn, nodeRole.arn]).apply(([accountId, clusterName, queueArn, nodeRoleArn]) =>
                JSON.stringify(
                    JSON.parse(
                        fillPolicyTemplate(template, {
                            Partition: "aws",
                            AccountId: accountId,
                            Region: args.region,
                            ClusterName: clusterName,
                            InterruptionQueueArn: queueArn,
                            NodeRoleArn: nodeRoleArn,
                        }),
                    ),
                ),
            ),
        });

        const crds = helmAddon(`${name}-crd`, KARPENTER_CHARTS.crds, {}, k8sOpts);
        const release = helmAddon(
            name,
            KARPENTER_CHARTS.controller,
            pulumi.output(
                pulumi.all([args.clusterName, queue.name]).apply(([clusterName, queueName]) =>
                    mergeValues(
                        {
                            replicas: args.replicas,
                            serviceAccount: { name: SERVICE_ACCOUNT },
                            settings: { clusterName, interruptionQueue: queueName },
                            nodeSelector: args.systemNodeSelector,
                            controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
                        },
                        args.values,
                    ),
                ),
            ),
            { ...k8sOpts, dependsOn: [crds, controller.association, accessEntry] },
            { skipCrds: true },
        );

        const nodeClass = new k8s.apiextensions.CustomResource(
            `${name}-default`,
            {
                apiVersion: "karpenter.k8s.aws/v1",
                kind: "EC2NodeClass",
                metadata: {
                    name: "default",
                    labels: recommendedLabels("karpenter", "node-autoscaling"),
                },
                spec: {
                    role: nodeRole.name,
                    // Tracks the latest EKS-optimised AL2023 AMI: patched nodes roll in under the NodePool's disruption budget.
                    amiSelectorTerms: [{ alias: "al2023@latest" }],
                    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": args.clusterName } }],
                    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": args.clusterName } }],
                    metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                    blockDeviceMappings: [
                        { deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } },
                    ],
                    tags: args.tags,
                },
            },
            { ...k8sOpts, dependsOn: [crds] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-default-pool`,
            {
                apiVersion: "karpenter.sh/v1",
                kind: "NodePool",
                metadata: {
                    name: "default",
                    labels: recommendedLabels("karpenter", "node-autoscaling"),
                },
                spec: nodePoolSpec(args.nodePool, "default"),
            },
            { ...k8sOpts, dependsOn: [crds, nodeClass, release] },
        );

        this.nodeRoleName = nodeRole.name;
        this.interruptionQueueName = queue.name;
        this.registerOutputs({ nodeRoleName: this.nodeRoleName, interruptionQueueName: this.interruptionQueueName });
    }
}
