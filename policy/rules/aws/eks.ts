import type * as aws from "@pulumi/aws";
import { WORLD_CIDRS, strings } from "../../lib/aws";
import { typedResourceRule } from "../../lib/policy";
import { asArray, asObject } from "../../lib/values";

const CLUSTER = "aws:eks/cluster:Cluster";

export const eksSecretsEncryption = typedResourceRule<aws.eks.ClusterArgs>({
    name: "eks-secrets-encryption",
    description:
        'EKS clusters must envelope-encrypt Kubernetes secrets with a KMS key (encryptionConfig.resources includes "secrets" and provider.keyArn is set).',
    why: "Kubernetes Secrets are only base64 in etcd unless envelope-encrypted with a KMS key.",
    defaultLevel: "mandatory",
    types: [CLUSTER],
    check: (props, _args, report) => {
        // v7 is a single object; accept a list too (older shapes).
        const cfgs = Array.isArray(props.encryptionConfig) ? props.encryptionConfig : props.encryptionConfig ? [props.encryptionConfig] : [];
        const ok = cfgs.some((c: any) => strings(c?.resources).includes("secrets") && typeof c?.provider?.keyArn === "string" && c.provider.keyArn !== "");
        if (!ok) report('EKS secrets encryption is not configured: set encryptionConfig { resources: ["secrets"], provider: { keyArn } }.');
    },
});

export const eksEndpointPrivate = typedResourceRule<aws.eks.ClusterArgs>({
    name: "eks-endpoint-private",
    description:
        "The EKS API endpoint must have private access and either no public access or public access restricted to allow-listed CIDRs (never 0.0.0.0/0 or ::/0).",
    why: "An API endpoint open to the internet is a target for every credential-stuffing scan.",
    defaultLevel: "mandatory",
    types: [CLUSTER],
    params: {
        allowedPublicCidrs: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "When non-empty, every publicAccessCidrs entry must be one of these.",
        },
        requirePrivateAccess: { type: "boolean", default: true, description: "Require vpcConfig.endpointPrivateAccess = true." },
    },
    check: (props, _args, report, cfg) => {
        const vpc = asObject(props.vpcConfig) ?? {};
        if (cfg.requirePrivateAccess && vpc.endpointPrivateAccess !== true)
            report("vpcConfig.endpointPrivateAccess must be true (nodes reach the API inside the VPC).");
        if (vpc.endpointPublicAccess === false) return;
        const cidrs = strings(vpc.publicAccessCidrs);
        if (cidrs.length === 0) {
            report(
                "The public API endpoint is open to 0.0.0.0/0 (endpointPublicAccess defaults to true and publicAccessCidrs to 0.0.0.0/0): disable it or set publicAccessCidrs.",
            );
            return;
        }
        const world = cidrs.filter((c) => WORLD_CIDRS.has(c));
        if (world.length) report(`The public API endpoint allows ${world.join(", ")}.`);
        const allowed = cfg.allowedPublicCidrs as string[];
        if (allowed.length) {
            const extra = cidrs.filter((c) => !WORLD_CIDRS.has(c) && !allowed.includes(c));
            if (extra.length) report(`publicAccessCidrs not in the allow-list: ${extra.join(", ")}.`);
        }
    },
});

export const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogging = typedResourceRule<aws.eks.ClusterArgs>({
    name: "eks-control-plane-logging",
    description: "EKS control-plane logging must be enabled for the required log types.",
    why: "Without audit and authenticator logs nobody can say who did what to the cluster.",
    defaultLevel: "mandatory",
    types: [CLUSTER],
    params: {
        requiredLogTypes: {
            type: "array",
            items: { type: "string", enum: ALL_LOG_TYPES },
            default: ALL_LOG_TYPES,
            description: "Log types that must be in enabledClusterLogTypes.",
        },
    },
    check: (props, _args, report, cfg) => {
        const enabled = strings(props.enabledClusterLogTypes);
        const missing = (cfg.requiredLogTypes as string[]).filter((t) => !enabled.includes(t));
        if (missing.length) report(`Control-plane log types not enabled: ${missing.join(", ")}.`);
    },
});

export const eksAccessEntries = typedResourceRule<aws.eks.ClusterArgs>({
    name: "eks-access-entries",
    description: "EKS clusters must use access entries (accessConfig.authenticationMode API or API_AND_CONFIG_MAP), not only the aws-auth ConfigMap.",
    why: "The aws-auth ConfigMap is one hand-edited file that can lock everyone out; access entries are API-managed.",
    defaultLevel: "advisory",
    types: [CLUSTER],
    params: {
        allowedModes: {
            type: "array",
            items: { type: "string", enum: ["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"] },
            default: ["API", "API_AND_CONFIG_MAP"],
            description: "Accepted authentication modes.",
        },
    },
    check: (props, _args, report, cfg) => {
        const mode = asObject(props.accessConfig)?.authenticationMode ?? "CONFIG_MAP";
        if (!(cfg.allowedModes as string[]).includes(String(mode)))
            report(`accessConfig.authenticationMode is ${mode}; use one of ${(cfg.allowedModes as string[]).join(", ")}.`);
    },
});

export const eksNodegroupNoOpenSsh = typedResourceRule<aws.eks.NodeGroupArgs>({
    name: "eks-nodegroup-no-open-ssh",
    description: "EKS node groups must not enable SSH remote access without source security groups (that opens port 22 to 0.0.0.0/0).",
    why: "SSH without source security groups opens port 22 on every node to the internet.",
    defaultLevel: "mandatory",
    types: ["aws:eks/nodeGroup:NodeGroup"],
    check: (props, _args, report) => {
        const ra = asObject(props.remoteAccess);
        if (!ra) return;
        if (asArray(ra.sourceSecurityGroupIds).length === 0) report("remoteAccess is set without sourceSecurityGroupIds: SSH is open to 0.0.0.0/0.");
    },
});

export const launchTemplateImdsv2 = typedResourceRule<aws.ec2.LaunchTemplateArgs>({
    name: "launch-template-imdsv2",
    description: "Launch templates must require IMDSv2 (metadataOptions.httpTokens = required) with a bounded hop limit.",
    why: "IMDSv1 lets any SSRF in a pod read the node role's credentials.",
    defaultLevel: "mandatory",
    types: ["aws:ec2/launchTemplate:LaunchTemplate"],
    params: {
        maxHopLimit: {
            type: "integer",
            minimum: 1,
            maximum: 64,
            default: 1,
            description: "Highest allowed httpPutResponseHopLimit (1 keeps pods off the node's IMDS; 2 if pods need it).",
        },
    },
    check: (props, _args, report, cfg) => {
        const md = asObject(props.metadataOptions);
        if (md?.httpEndpoint === "disabled") return;
        if (md?.httpTokens !== "required") report('metadataOptions.httpTokens must be "required" (IMDSv2 only).');
        const hop = md?.httpPutResponseHopLimit;
        if (typeof hop === "number" && hop > (cfg.maxHopLimit as number))
            report(`metadataOptions.httpPutResponseHopLimit is ${hop}; at most ${cfg.maxHopLimit} is allowed.`);
    },
});
