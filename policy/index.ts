/**
 * The CrossGuard policy pack. This file ONLY constructs the PolicyPack: doing so starts the
 * policy gRPC server, so never import it from tests or tools (use ./rules or ./evaluate).
 *
 *   pulumi preview --stack <env> --policy-pack policy --policy-pack-config policy/config/<env>.json
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies, PACK_NAME } from "./rules";

new PolicyPack(PACK_NAME, {
    description: "shop-platform guardrails for AWS, EKS and Kubernetes (see docs/policies.md).",
    policies: allPolicies(),
});
