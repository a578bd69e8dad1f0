import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_POLICY, nodeRole, podIdentityAssumeRolePolicy, serviceAssumeRolePolicy } from "../iam";
import { partOfLabels, Placement, statefulPlacement } from "../k8s";
import { buildKubeconfig } from "./kubeconfig";

/** Control-plane log types shipped to CloudWatch: all five. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Managed add-ons installed on every cluster, in the order they matter. */
export const MANAGED_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"] as const;

export interface NodeGroupOptions {
    instanceTypes: string[];
    capacityType: "ON_DEMAND" | "SPOT";
    minSize: number;
    desiredSize: number;
    maxSize: number;
    /** Encrypted gp3 root volume, GiB. */
    diskSizeGiB: number;
}

export interface ClusterArgs {
    /** EKS cluster name (also the Karpenter discovery tag value). */
    name: string;
    /** Kubernetes minor version of the control plane and the managed nodes, e.g. "1.36". */
    version: string;
    region: string;
    vpcId: pulumi.Input<string>;
    /** Nodes and the control plane's ENIs live here. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Expose the API endpoint publicly, restricted to `publicAccessCidrs`. The private endpoint is always on. */
    publicAccess: boolean;
    publicAccessCidrs: string[];
    /** IAM principals granted cluster-admin through access entries. */
    adminPrincipalArns: string[];
    /** The role that runs `pulumi up`: cluster-admin through its own access entry (the creator gets no implicit admin). */
    deployRoleArn: string;
    /** Optional role of pull-request previews: read-only, Secrets included (Helm keeps release state there). */
    previewRoleArn?: string;
    /** Mark the control plane and its KMS key `protect`. Defaults to false. */
    protect?: boolean;
    /** Retention of the control-plane log group. */
    logRetentionDays: number;
    deletionProtection: boolean;
    nodeGroup: NodeGroupOptions;
    /** Waiting period before the secrets KMS key is destroyed after a delete, days. Defaults to 30. */
    kmsDeletionWindowDays?: number;
    /**
     * Tags for what the cluster creates outside Pulumi: the node group's instances, volumes and
     * network interfaces (launch template tag specifications) and the EBS volumes the CSI driver
     * provisions (StorageClass parameters). The stack transformation cannot reach those.
     */
    tags: Record<string, string>;
}

/**
 * An EKS cluster from plain `@pulumi/aws` resources (not the `@pulumi/eks` remote component,
 * whose children no offline test or policy can see): API authentication with access entries,
 * envelope encryption of Secrets with a rotating KMS key, all control-plane logs, a managed node
 * group behind an IMDSv2-only launch template, the managed add-ons, a gp3 StorageClass, and a
 * server-side-apply Kubernetes provider for the Kubernetes layer.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly nodeRoleArn: pulumi.Output<string>;
    readonly nodeRoleName: pulumi.Output<string>;
    readonly clusterKmsKeyArn: pulumi.Output<string>;
    /** Secret: it embeds the endpoint and CA, and is what operators feed to kubectl. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Server-side-apply provider every Kubernetes resource of the platform uses. */
    readonly provider: k8s.Provider;
    /** Name of the default gp3 StorageClass (EBS CSI). */
    readonly storageClassName = "gp3";
    /** Label of the managed (system) node group's nodes: controllers that must not run on autoscaled nodes select it. */
    readonly systemNodeSelector = { "shop.platform/node-group": "system" };
    /** Where stateful and singleton pods go: the on-demand system nodes, never consolidated by Karpenter. */
    readonly statefulPlacement: Placement = statefulPlacement(this.systemNodeSelector);

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:cluster:Cluster", name, {}, opts);
        validateClusterArgs(args);

        const key = createSecretsKey(this, name, args);
        const cluster = createControlPlane(this, name, args, key);
        const deployAccess = createAccessEntries(this, name, args, cluster);
        const nodes = createNodeGroup(this, name, args, cluster, this.systemNodeSelector);
        const addons = createManagedAddons(this, name, cluster, nodes.nodeGroup);

        this.kubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
                .apply(([clusterName, endpoint, ca]) => buildKubeconfig({ clusterName, endpoint, certificateAuthorityData: ca, region: args.region })),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true, deleteUnreachable: false },
            // Nothing is applied before the deploying role can: it is admin only through its access entry.
            { parent: this, dependsOn: [nodes.nodeGroup, ...Object.values(addons), deployAccess] },
        );
        createStorageClass(this, name, this.storageClassName, this.provider, addons["aws-ebs-csi-driver"], args.tags);

        // Karpenter finds the security group for the nodes it launches by this tag (the subnets carry it too).
        new aws.ec2.Tag(
            `${name}-sg-discovery`,
            { resourceId: cluster.vpcConfig.clusterSecurityGroupId, key: "karpenter.sh/discovery", value: cluster.name },
            { parent: this },
        );

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.endpoint = cluster.endpoint;
        this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
        this.nodeRoleArn = nodes.role.arn;
        this.nodeRoleName = nodes.role.name;
        this.clusterKmsKeyArn = key.arn;
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeRoleArn: this.nodeRoleArn,
            clusterKmsKeyArn: this.clusterKmsKeyArn,
            kubeconfig: this.kubeconfig,
        });
    }
}

/** The KMS key that envelope-encrypts Kubernetes Secrets (rotating, with an alias). */
function createSecretsKey(parent: pulumi.Resource, name: string, args: ClusterArgs): aws.kms.Key {
    const key = new aws.kms.Key(
        `${name}-secrets`,
        { description: `EKS secrets envelope encryption for ${args.name}`, enableKeyRotation: true, deletionWindowInDays: args.kmsDeletionWindowDays ?? 30 },
        { parent, protect: args.protect },
    );
    new aws.kms.Alias(`${name}-secrets`, { name: `alias/${args.name}-eks-secrets`, targetKeyId: key.keyId }, { parent });
    return key;
}

/** The control plane, its role and its log group (created first so EKS does not create it with infinite retention). */
function createControlPlane(parent: pulumi.Resource, name: string, args: ClusterArgs, key: aws.kms.Key): aws.eks.Cluster {
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-control-plane`,
        { name: `/aws/eks/${args.name}/cluster`, retentionInDays: args.logRetentionDays },
        { parent },
    );
    const role = new aws.iam.Role(`${name}-cluster`, { assumeRolePolicy: serviceAssumeRolePolicy("eks.amazonaws.com", ["sts:TagSession"]) }, { parent });
    const policy = new aws.iam.RolePolicyAttachment(
        `${name}-cluster-policy`,
        { role: role.name, policyArn: MANAGED_POLICY("aws", "AmazonEKSClusterPolicy") },
        { parent },
    );
    return new aws.eks.Cluster(
        name,
        {
            name: args.name,
            version: args.version,
            roleArn: role.arn,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: args.publicAccess,
                publicAccessCidrs: args.publicAccess ? args.publicAccessCidrs : undefined,
            },
            // No implicit admin for whoever creates the cluster: the deploy role, the preview role and the
            // people in adminPrincipalArns get explicit access entries, the one model for every stack.
            // (ForceNew in the provider: it is decided once, at creation.)
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
            // Standard support only: extended support silently multiplies the control-plane price.
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: args.deletionProtection,
        },
        { parent, dependsOn: [logGroup, policy], protect: args.protect },
    );
}

const ACCESS_POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

/** One access entry with one cluster-scoped access policy. */
function accessEntry(parent: pulumi.Resource, id: string, cluster: aws.eks.Cluster, principalArn: string, policy: string): aws.eks.AccessPolicyAssociation {
    const entry = new aws.eks.AccessEntry(id, { clusterName: cluster.name, principalArn, type: "STANDARD" }, { parent });
    return new aws.eks.AccessPolicyAssociation(
        id,
        { clusterName: cluster.name, principalArn, policyArn: ACCESS_POLICY(policy), accessScope: { type: "cluster" } },
        { parent, dependsOn: [entry] },
    );
}

/**
 * Who may reach the API: the deploy role (cluster-admin; returned, the Kubernetes provider waits for
 * it), the preview role (AmazonEKSAdminViewPolicy: reads everything, Secrets included, changes
 * nothing) and each principal of adminPrincipalArns (cluster-admin).
 */
function createAccessEntries(parent: pulumi.Resource, name: string, args: ClusterArgs, cluster: aws.eks.Cluster): aws.eks.AccessPolicyAssociation {
    const idOf = (arn: string) =>
        arn
            .split(":")
            .pop()!
            .replace(/[^A-Za-z0-9-]/g, "-");
    const deploy = accessEntry(parent, `${name}-deploy`, cluster, args.deployRoleArn, "AmazonEKSClusterAdminPolicy");
    if (args.previewRoleArn) accessEntry(parent, `${name}-preview`, cluster, args.previewRoleArn, "AmazonEKSAdminViewPolicy");
    for (const principalArn of args.adminPrincipalArns)
        accessEntry(parent, `${name}-admin-${idOf(principalArn)}`, cluster, principalArn, "AmazonEKSClusterAdminPolicy");
    return deploy;
}

/** The managed (system) node group behind an IMDSv2-only launch template with an encrypted gp3 root volume. */
function createNodeGroup(parent: pulumi.Resource, name: string, args: ClusterArgs, cluster: aws.eks.Cluster, labels: Record<string, string>) {
    const { role, attachments } = nodeRole(parent, `${name}-node`);
    const launchTemplate = new aws.ec2.LaunchTemplate(
        `${name}-nodes`,
        {
            description: `Managed node group template for ${args.name}`,
            // IMDSv2 only, hop limit 1: pods cannot borrow the node role; they get their own through Pod Identity.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [
                { deviceName: "/dev/xvda", ebs: { volumeSize: args.nodeGroup.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
            ],
            updateDefaultVersion: true,
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: args.tags })),
        },
        { parent },
    );
    const nodeGroup = new aws.eks.NodeGroup(
        `${name}-system`,
        {
            clusterName: cluster.name,
            // Nodes follow the control plane: an upgrade rolls them (maxUnavailable 1) instead of leaving a skew that blocks the next one.
            version: cluster.version,
            nodeRoleArn: role.arn,
            subnetIds: args.privateSubnetIds,
            amiType: "AL2023_x86_64_STANDARD",
            instanceTypes: args.nodeGroup.instanceTypes,
            capacityType: args.nodeGroup.capacityType,
            scalingConfig: { minSize: args.nodeGroup.minSize, desiredSize: args.nodeGroup.desiredSize, maxSize: args.nodeGroup.maxSize },
            updateConfig: { maxUnavailable: 1 },
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            labels,
        },
        // The autoscaler owns desiredSize after creation; a re-apply must not undo its work.
        { parent, dependsOn: attachments, ignoreChanges: ["scalingConfig.desiredSize"] },
    );
    return { role, nodeGroup };
}

/**
 * The managed add-ons. The default version EKS publishes for the cluster's Kubernetes version
 * is resolved at deploy time and shown in every preview; a Kubernetes upgrade moves it.
 */
function createManagedAddons(parent: pulumi.Resource, name: string, cluster: aws.eks.Cluster, nodeGroup: aws.eks.NodeGroup): Record<string, aws.eks.Addon> {
    const ebsCsiRole = new aws.iam.Role(`${name}-ebs-csi`, { assumeRolePolicy: podIdentityAssumeRolePolicy() }, { parent });
    new aws.iam.RolePolicyAttachment(
        `${name}-ebs-csi`,
        { role: ebsCsiRole.name, policyArn: MANAGED_POLICY("aws", "service-role/AmazonEBSCSIDriverPolicy") },
        { parent },
    );
    const addons: Record<string, aws.eks.Addon> = {};
    for (const addonName of MANAGED_ADDONS) {
        const version = aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: false }, { parent });
        // vpc-cni and kube-proxy must exist before nodes join; the rest need nodes to schedule on.
        const beforeNodes = addonName === "vpc-cni" || addonName === "kube-proxy" || addonName === "eks-pod-identity-agent";
        addons[addonName] = new aws.eks.Addon(
            `${name}-${addonName}`,
            {
                clusterName: cluster.name,
                addonName,
                addonVersion: version.version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                // The VPC CNI enforces NetworkPolicies only when asked to; ours are the namespace firewall.
                configurationValues: addonName === "vpc-cni" ? JSON.stringify({ enableNetworkPolicy: "true" }) : undefined,
                podIdentityAssociations:
                    addonName === "aws-ebs-csi-driver" ? [{ roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }] : undefined,
            },
            { parent, dependsOn: beforeNodes ? [cluster] : [nodeGroup, addons["eks-pod-identity-agent"]].filter(Boolean) },
        );
    }
    return addons;
}

/** The default StorageClass: encrypted gp3 through the EBS CSI driver, expandable, volumes retained on delete. */
function createStorageClass(
    parent: pulumi.Resource,
    name: string,
    className: string,
    provider: k8s.Provider,
    ebsCsi: aws.eks.Addon,
    tags: Record<string, string>,
): void {
    new k8s.storage.v1.StorageClass(
        `${name}-gp3`,
        {
            metadata: {
                name: className,
                annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
                labels: partOfLabels("gp3", "storage"),
            },
            provisioner: "ebs.csi.aws.com",
            parameters: {
                type: "gp3",
                encrypted: "true",
                "csi.storage.k8s.io/fstype": "ext4",
                // The EBS CSI driver tags each volume it provisions with every `tagSpecification*` parameter
                // (kubernetes-sigs/aws-ebs-csi-driver docs/tagging.md, "StorageClass Tagging").
                ...Object.fromEntries(
                    Object.entries(tags)
                        .sort(([a], [b]) => a.localeCompare(b))
                        .map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`]),
                ),
            },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Retain",
        },
        { parent, provider, dependsOn: [ebsCsi] },
    );
}

/** Early, synchronous checks of what the config loader cannot know (components are reusable). */
export function validateClusterArgs(args: ClusterArgs): void {
    const problems: string[] = [];
    if (!/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/.test(args.name))
        problems.push(`name "${args.name}" must start with a letter and contain only letters, digits and hyphens`);
    if (args.nodeGroup.instanceTypes.length === 0) problems.push("nodeGroup.instanceTypes must not be empty");
    if (args.nodeGroup.minSize > args.nodeGroup.maxSize) problems.push("nodeGroup.minSize must be <= maxSize");
    if (args.publicAccess && args.publicAccessCidrs.length === 0) problems.push("publicAccessCidrs must be set when publicAccess is true");
    if (problems.length) throw new Error(`Cluster ${args.name}: ${problems.join("; ")}`);
}
