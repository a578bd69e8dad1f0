import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HELM_KEEP, helmRelease } from "../helm";
import { iamPolicy, nodeRole } from "../iam";
import { recommendedLabels } from "../k8s";
import { fillTemplate } from "../template";
import { AddonContext, podIdentityRole } from "./common";
import interruptionRules from "./data/karpenter-interruption-rules.json";

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "karpenter";
const NODE_CLASS = "default";

export interface NodePoolSettings {
    /** EC2 instance families Karpenter may launch. */
    instanceFamilies: string[];
    /** `spot` and/or `on-demand`. */
    capacityTypes: ("spot" | "on-demand")[];
    /** Total vCPUs the pool may provision. */
    cpuLimit: number;
    /** Total memory the pool may provision, GiB. */
    memoryLimitGiB: number;
    /** How long a node must be empty or underused before it is consolidated. */
    consolidateAfterMinutes: number;
    /** Create the account's spot service-linked role (else it is checked to exist when spot is allowed). Defaults to false. */
    createSpotServiceLinkedRole?: boolean;
    /** Maximum node lifetime. */
    expireAfterHours: number;
}

export interface KarpenterArgs extends AddonContext {
    /** Node label of the managed node group: the controller runs there, never on nodes it manages. */
    systemNodeSelector: Record<string, string>;
    nodePool: NodePoolSettings;
    /** Tags for the instances and volumes Karpenter launches (the stack's required tags). */
    tags: Record<string, string>;
    /** Mark the CRDs' release `protect` (config protectData): no `pulumi up` or destroy can delete the NodePool kinds. Defaults to false. */
    protect?: boolean;
}

/**
 * Pure: the karpenter-crd chart values. `additionalAnnotations` is rendered into every CRD's
 * metadata.annotations (aws/karpenter-provider-aws charts/karpenter-crd/values.yaml and
 * templates/karpenter.sh_nodepools.yaml at tag v1.14.1, commit bde00654cd316fddb3dccfba3f5ac07039865429;
 * added in e0cd8a470 "feat(crd): add optional custom annotations to the crds" (#7421), in every tag
 * from v1.2.0; the v1.15.0 tag is not in any stored copy: approximate).
 */
export function karpenterCrdValues() {
    return { additionalAnnotations: { ...HELM_KEEP } };
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

/** Pure: the EC2NodeClass spec (IMDSv2, encrypted gp3, subnets and security groups by discovery tag). */
export function nodeClassSpec(args: { role: string; clusterName: string; tags: Record<string, string> }) {
    return {
        role: args.role,
        // Tracks the latest EKS-optimised AL2023 AMI: patched nodes roll in under the NodePool's disruption budget.
        amiSelectorTerms: [{ alias: "al2023@latest" }],
        subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": args.clusterName } }],
        securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": args.clusterName } }],
        metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } }],
        tags: args.tags,
    };
}

/** Interruption handling: an SQS queue fed by EventBridge rules (spot interruptions, rebalance, state changes, scheduled events). */
function createInterruptionQueue(parent: pulumi.Resource, name: string, clusterName: pulumi.Input<string>): aws.sqs.Queue {
    const queue = new aws.sqs.Queue(
        name,
        { name: pulumi.interpolate`${clusterName}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true },
        { parent },
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
        { parent },
    );
    for (const rule of interruptionRules as { name: string; eventPattern: unknown }[]) {
        const eventRule = new aws.cloudwatch.EventRule(`${name}-${rule.name}`, { eventPattern: JSON.stringify(rule.eventPattern) }, { parent });
        new aws.cloudwatch.EventTarget(`${name}-${rule.name}`, { rule: eventRule.name, arn: queue.arn }, { parent });
    }
    return queue;
}

/**
 * Spot instances need the account's AWSServiceRoleForEC2Spot, which Karpenter's policy cannot create
 * (launches fail with AuthFailure.ServiceLinkedRoleCreationNotPermitted). Either create it here (one
 * stack per account; kept on destroy: other workloads of the account may use it), or check that it
 * exists: the check fails the preview, before anything is created, with the command to run.
 * Returns what the NodePool must wait for.
 */
function spotServiceLinkedRole(parent: pulumi.Resource, name: string, s: NodePoolSettings): pulumi.Input<string> | pulumi.Resource | undefined {
    if (!s.capacityTypes.includes("spot")) return undefined;
    if (s.createSpotServiceLinkedRole)
        return new aws.iam.ServiceLinkedRole(`${name}-spot`, { awsServiceName: "spot.amazonaws.com" }, { parent, retainOnDelete: true });
    return aws.iam.getRolesOutput({ pathPrefix: "/aws-service-role/spot.amazonaws.com/" }, { parent }).names.apply((names) => {
        if (!names.includes(SPOT_SERVICE_LINKED_ROLE))
            throw new Error(
                `${SPOT_SERVICE_LINKED_ROLE} does not exist in this account and spot is allowed (karpenterCapacityTypes): run once ` +
                    "`aws iam create-service-linked-role --aws-service-name spot.amazonaws.com`, or set createSpotServiceLinkedRole: true in one stack of the account",
            );
        return SPOT_SERVICE_LINKED_ROLE;
    });
}

/** The service-linked role EC2 uses for spot requests. */
export const SPOT_SERVICE_LINKED_ROLE = "AWSServiceRoleForEC2Spot";

/** The controller's policy: the published one, scoped to this cluster, queue and node role. */
function controllerPolicy(args: {
    region: string;
    accountId: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
    nodeRoleArn: pulumi.Input<string>;
}) {
    const template = fs.readFileSync(path.join(__dirname, "data", "karpenter-controller-policy.json"), "utf8");
    return pulumi.all([args.accountId, args.clusterName, args.queueArn, args.nodeRoleArn]).apply(([accountId, clusterName, queueArn, nodeRoleArn]) =>
        JSON.stringify(
            JSON.parse(
                fillTemplate(
                    template,
                    {
                        Partition: "aws",
                        AccountId: accountId,
                        Region: args.region,
                        ClusterName: clusterName,
                        InterruptionQueueArn: queueArn,
                        NodeRoleArn: nodeRoleArn,
                    },
                    "policy template",
                ),
            ),
        ),
    );
}

/**
 * Karpenter node autoscaling: the controller (on the managed node group) with its scoped IAM
 * policy through Pod Identity, interruption handling, a node role admitted by an EC2_LINUX access
 * entry, and a NodePool + EC2NodeClass from the stack config.
 */
export class Karpenter extends pulumi.ComponentResource {
    readonly nodeRoleName: pulumi.Output<string>;
    readonly interruptionQueueName: pulumi.Output<string>;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:Karpenter", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const identity = aws.getCallerIdentityOutput({}, { parent: this });

        const queue = createInterruptionQueue(this, name, args.clusterName);
        // Nodes Karpenter launches: their own role, admitted to the cluster as EC2_LINUX.
        const nodes = nodeRole(this, `${name}-node`);
        const accessEntry = new aws.eks.AccessEntry(
            `${name}-node`,
            { clusterName: args.clusterName, principalArn: nodes.role.arn, type: "EC2_LINUX" },
            { parent: this },
        );
        const controller = podIdentityRole(this, `${name}-controller`, {
            clusterName: args.clusterName,
            namespace: NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            policy: controllerPolicy({
                region: args.region,
                accountId: identity.accountId,
                clusterName: args.clusterName,
                queueArn: queue.arn,
                nodeRoleArn: nodes.role.arn,
            }),
        });

        // Deleting these CRDs deletes every NodePool and NodeClaim, and Karpenter's nodes with them.
        const crds = helmRelease(
            `${name}-crd`,
            { chart: "karpenterCrd", namespace: NAMESPACE, values: karpenterCrdValues() },
            { ...k8sOpts, protect: args.protect },
        );
        const release = helmRelease(
            name,
            {
                chart: "karpenter",
                namespace: NAMESPACE,
                skipCrds: true,
                values: pulumi.all([args.clusterName, queue.name]).apply(([clusterName, queueName]) => ({
                    replicas: args.replicas,
                    serviceAccount: { name: SERVICE_ACCOUNT },
                    settings: { clusterName, interruptionQueue: queueName },
                    nodeSelector: args.systemNodeSelector,
                    controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
                })),
            },
            { ...k8sOpts, dependsOn: [crds, controller.association, accessEntry] },
        );

        const nodeClass = new k8s.apiextensions.CustomResource(
            `${name}-default`,
            {
                apiVersion: "karpenter.k8s.aws/v1",
                kind: "EC2NodeClass",
                metadata: { name: NODE_CLASS, labels: recommendedLabels("karpenter", "node-autoscaling") },
                spec: pulumi.all([nodes.role.name, args.clusterName]).apply(([role, clusterName]) => nodeClassSpec({ role, clusterName, tags: args.tags })),
            },
            // The controller and the nodes' access entry must outlive the class: on destroy its finalizer waits for them.
            { ...k8sOpts, dependsOn: [crds, release, accessEntry] },
        );
        const spot = spotServiceLinkedRole(this, name, args.nodePool);
        new k8s.apiextensions.CustomResource(
            `${name}-default-pool`,
            {
                apiVersion: "karpenter.sh/v1",
                kind: "NodePool",
                metadata: {
                    name: NODE_CLASS,
                    labels: recommendedLabels("karpenter", "node-autoscaling"),
                    // On destroy, wait until its NodeClaims (the EC2 instances) are gone before the controller goes.
                    annotations: { "pulumi.com/deletionPropagationPolicy": "foreground" },
                },
                // The spot check's result gates the pool: a missing role fails here, at preview.
                spec:
                    spot && !(spot instanceof pulumi.Resource)
                        ? pulumi.output(spot).apply(() => nodePoolSpec(args.nodePool, NODE_CLASS))
                        : nodePoolSpec(args.nodePool, NODE_CLASS),
            },
            { ...k8sOpts, dependsOn: [crds, nodeClass, release, ...(spot instanceof pulumi.Resource ? [spot] : [])] },
        );

        this.nodeRoleName = nodes.role.name;
        this.interruptionQueueName = queue.name;
        this.registerOutputs({ nodeRoleName: this.nodeRoleName, interruptionQueueName: this.interruptionQueueName });
    }
}
