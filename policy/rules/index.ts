/**
 * Every policy of the pack, as factories `(enforcementLevel?) => Policy` carrying `.meta`.
 * Importing this module has no side effects (no policy server): tests and tools use it;
 * only ../index.ts constructs the PolicyPack.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type { PolicyFactory } from "../lib/policy";
import { awsRequiredTags } from "./aws/tags";
import { eksAccessEntries, eksControlPlaneLogging, eksEndpointPrivate, eksNodegroupNoOpenSsh, eksSecretsEncryption, launchTemplateImdsv2 } from "./aws/eks";
import { ecrImmutableTags, ecrKms, ecrRepoPolicyNotPublic, ecrScanOnPush } from "./aws/ecr";
import { rdsBackups, rdsDeletionProtection, rdsMultiAz, rdsNotPublic, rdsStorageEncrypted } from "./aws/rds";
import { elasticacheEncryption, elasticacheHa } from "./aws/elasticache";
import { sgNoWorldIngress, vpcNatPerAz } from "./aws/network";
import { iamNoAdminManagedPolicies, iamNoWildcardAdmin, iamTrustPolicyScoped } from "./aws/iam";
import { kmsPolicySafe, kmsRotation } from "./aws/kms";
import { s3NoPublicAcl } from "./aws/s3";
import { ecrLifecyclePolicy, s3PublicAccessBlock, vpcFlowLogs } from "./stack/aws";
import {
    k8sCapabilities,
    k8sNoHostNamespaces,
    k8sNoHostPort,
    k8sNoPrivileged,
    k8sNoPrivilegeEscalation,
    k8sReadOnlyRootfs,
    k8sRunAsNonRoot,
    k8sSeccomp,
    k8sVolumeTypes,
} from "./k8s/pod-security";
import {
    k8sImagePinned,
    k8sImageRegistryAllowlist,
    k8sNoBarePods,
    k8sNoDefaultNamespace,
    k8sNoDefaultServiceAccount,
    k8sNoPublicService,
    k8sProbes,
    k8sResources,
    k8sSaTokenAutomount,
    k8sSecretsNotInEnv,
} from "./k8s/workloads";
import { helmReleasePinned } from "./k8s/helm";
import { costBudget } from "./stack/cost";
import { databaseBackups } from "./stack/database";
import { k8sNetworkpolicyCoverage, k8sPdb, k8sReplicasHa, k8sServicemonitorSelected, k8sSpread } from "./stack/k8s";

export const POLICY_FACTORIES: readonly PolicyFactory[] = [
    // AWS
    awsRequiredTags,
    eksSecretsEncryption,
    eksEndpointPrivate,
    eksControlPlaneLogging,
    eksAccessEntries,
    eksNodegroupNoOpenSsh,
    launchTemplateImdsv2,
    ecrScanOnPush,
    ecrImmutableTags,
    ecrKms,
    ecrLifecyclePolicy,
    ecrRepoPolicyNotPublic,
    rdsStorageEncrypted,
    rdsNotPublic,
    rdsBackups,
    databaseBackups,
    rdsMultiAz,
    rdsDeletionProtection,
    elasticacheEncryption,
    elasticacheHa,
    sgNoWorldIngress,
    vpcFlowLogs,
    vpcNatPerAz,
    iamNoWildcardAdmin,
    iamNoAdminManagedPolicies,
    iamTrustPolicyScoped,
    kmsRotation,
    kmsPolicySafe,
    s3PublicAccessBlock,
    s3NoPublicAcl,
    costBudget,
    // Kubernetes
    k8sNoPrivileged,
    k8sNoPrivilegeEscalation,
    k8sRunAsNonRoot,
    k8sReadOnlyRootfs,
    k8sCapabilities,
    k8sSeccomp,
    k8sNoHostNamespaces,
    k8sVolumeTypes,
    k8sNoHostPort,
    k8sResources,
    k8sProbes,
    k8sImagePinned,
    k8sImageRegistryAllowlist,
    k8sNoDefaultNamespace,
    k8sSecretsNotInEnv,
    k8sSaTokenAutomount,
    k8sNoDefaultServiceAccount,
    k8sReplicasHa,
    k8sPdb,
    k8sNetworkpolicyCoverage,
    k8sNoPublicService,
    k8sNoBarePods,
    k8sServicemonitorSelected,
    helmReleasePinned,
    k8sSpread,
];

export const PACK_NAME = "shop-platform-policy";

/** All policies at their default levels (or `level` for every one). */
export function allPolicies(level?: EnforcementLevel): Policies {
    return POLICY_FACTORIES.map((f) => f(level));
}

export function factoryByName(name: string): PolicyFactory | undefined {
    return POLICY_FACTORIES.find((f) => f.meta.name === name);
}

export * from "./aws/tags";
export * from "./aws/eks";
export * from "./aws/ecr";
export * from "./aws/rds";
export * from "./aws/elasticache";
export * from "./aws/network";
export * from "./aws/iam";
export * from "./aws/kms";
export * from "./aws/s3";
export * from "./stack/aws";
export * from "./k8s/pod-security";
export * from "./k8s/workloads";
export * from "./k8s/helm";
export * from "./stack/k8s";
export * from "./stack/cost";
