/** Small args for component-level tests: each test builds one component under the mocks (no stack file). */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesSecretSink } from "../../components/k8s/secrets";
import { WebAppArgs } from "../../components/apps";

/** A Kubernetes provider that the mocks accept (nothing is contacted). */
export const provider = () => new k8s.Provider("k8s", { kubeconfig: "{}", enableServerSideApply: true });

/** A stand-in for a resource others depend on (CRDs, a controller). */
export const marker = (name: string) => new pulumi.ComponentResource("test:index:Marker", name, {});

export function webAppArgs(overrides: Partial<WebAppArgs> = {}): WebAppArgs {
    return {
        provider: provider(),
        namespace: "shop",
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-test/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        port: 8000,
        replicas: 1,
        minReplicas: 1,
        maxReplicas: 2,
        config: { LOG_LEVEL: "info" },
        secrets: {},
        dependencies: [],
        monitoringNamespace: "monitoring",
        monitoringCrds: marker("crds"),
        secretSink: new KubernetesSecretSink(),
        credentialsGeneration: 1,
        ...overrides,
    };
}
