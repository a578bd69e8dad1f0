import type * as aws from "@pulumi/aws";
import { hasCondition, isWildcardPrincipal, statementsOf } from "../../lib/aws";
import { typedResourceRule } from "../../lib/policy";
import { asArray, asObject } from "../../lib/values";

const REPO = "aws:ecr/repository:Repository";

export const ecrScanOnPush = typedResourceRule<aws.ecr.RepositoryArgs>({
    name: "ecr-scan-on-push",
    description: "ECR repositories must scan images on push (imageScanningConfiguration.scanOnPush = true).",
    why: "Known CVEs in a pushed image are found before it is deployed, not after.",
    defaultLevel: "mandatory",
    types: [REPO],
    check: (props, _args, report) => {
        if (asObject(props.imageScanningConfiguration)?.scanOnPush !== true) report("imageScanningConfiguration.scanOnPush must be true.");
    },
});

export const ecrImmutableTags = typedResourceRule<aws.ecr.RepositoryArgs>({
    name: "ecr-immutable-tags",
    description: "ECR repositories must have immutable image tags (imageTagMutability IMMUTABLE or IMMUTABLE_WITH_EXCLUSION).",
    why: "A re-pushed tag silently changes what a deployment pulls.",
    defaultLevel: "mandatory",
    types: [REPO],
    check: (props, _args, report) => {
        const m = props.imageTagMutability;
        if (typeof m !== "string" || !m.startsWith("IMMUTABLE")) report(`imageTagMutability is ${m ?? "MUTABLE (default)"}; tags must be immutable.`);
    },
});

export const ecrKms = typedResourceRule<aws.ecr.RepositoryArgs>({
    name: "ecr-kms",
    description: "ECR repositories should be encrypted with KMS (optionally a customer-managed key) instead of the AES256 default.",
    why: "Images carry code and configuration: encrypt them with a key whose use is audited.",
    defaultLevel: "advisory",
    types: [REPO],
    params: {
        requireCustomerManagedKey: { type: "boolean", default: false, description: "Also require encryptionConfigurations[0].kmsKey." },
    },
    check: (props, _args, report, cfg) => {
        const ec = asObject(asArray(props.encryptionConfigurations)[0]);
        const type = ec?.encryptionType;
        if (type !== "KMS" && type !== "KMS_DSSE") {
            report(`encryptionType is ${type ?? "AES256 (default)"}; use KMS.`);
            return;
        }
        if (cfg.requireCustomerManagedKey && !ec?.kmsKey) report("encryptionConfigurations[0].kmsKey must name a customer-managed KMS key.");
    },
});

export const ecrRepoPolicyNotPublic = typedResourceRule<aws.ecr.RepositoryPolicyArgs>({
    name: "ecr-repo-policy-not-public",
    description: "ECR repository policies must not allow a wildcard principal without a condition.",
    why: "A public repository policy publishes our images (and anything baked into them) to everyone.",
    defaultLevel: "mandatory",
    types: ["aws:ecr/repositoryPolicy:RepositoryPolicy"],
    check: (props, _args, report) => {
        const st = statementsOf(props.policy);
        if (!st) return;
        if (st.some((s) => s.Effect === "Allow" && isWildcardPrincipal(s.Principal) && !hasCondition(s)))
            report('The repository policy allows Principal "*" without a Condition (public repository).');
    },
});
