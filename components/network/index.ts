import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { iamPolicy, serviceAssumeRolePolicy } from "../iam";

export interface NetworkArgs {
    /** IPv4 CIDR of the VPC. */
    cidr: string;
    /** Availability zones to spread public and private subnets over. */
    azCount: number;
    /** `Single` (cheap, dev) or `OnePerAz` (no cross-AZ single point of failure). */
    natGateways: "Single" | "OnePerAz";
    /** Cluster name: private subnets carry its Karpenter discovery tag. */
    clusterName: string;
    /** VPC flow logs to a retention-bounded CloudWatch log group. */
    flowLogs: { enabled: boolean; retentionDays: number };
    /** Tags for the awsx VPC's children (a remote component: the stack transform cannot reach them). */
    tags: Record<string, string>;
}

/**
 * The VPC: public subnets for internet-facing load balancers, private subnets for nodes and
 * internal load balancers, NAT egress, and (outside dev) flow logs.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly flowLogGroupName: pulumi.Output<string> | undefined;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:network:Network", name, {}, opts);

        const vpc = new awsx.ec2.Vpc(
            name,
            {
                cidrBlock: args.cidr,
                numberOfAvailabilityZones: args.azCount,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: args.natGateways },
                subnetStrategy: "Auto",
                subnetSpecs: [
                    // The AWS Load Balancer Controller places internet-facing ALBs by this tag.
                    { type: "Public", tags: { ...args.tags, "kubernetes.io/role/elb": "1" } },
                    {
                        type: "Private",
                        tags: { ...args.tags, "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": args.clusterName },
                    },
                ],
                tags: { ...args.tags, Name: name },
            },
            { parent: this },
        );
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;

        if (args.flowLogs.enabled) {
            const logGroup = new aws.cloudwatch.LogGroup(
                `${name}-flow-logs`,
                { name: `/shop/${name}/vpc-flow-logs`, retentionInDays: args.flowLogs.retentionDays },
                { parent: this },
            );
            const role = new aws.iam.Role(`${name}-flow-logs`, { assumeRolePolicy: serviceAssumeRolePolicy("vpc-flow-logs.amazonaws.com") }, { parent: this });
            new aws.iam.RolePolicy(
                `${name}-flow-logs`,
                {
                    role: role.id,
                    // Scoped to this log group only (not logs:* on *).
                    policy: logGroup.arn.apply((arn) =>
                        iamPolicy([
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ]),
                    ),
                },
                { parent: this },
            );
            new aws.ec2.FlowLog(
                `${name}-flow-logs`,
                {
                    vpcId: vpc.vpcId,
                    trafficType: "ALL",
                    logDestinationType: "cloud-watch-logs",
                    logDestination: logGroup.arn,
                    iamRoleArn: role.arn,
                    maxAggregationInterval: 60,
                },
                { parent: this, dependsOn: [vpc] },
            );
            this.flowLogGroupName = logGroup.name;
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
