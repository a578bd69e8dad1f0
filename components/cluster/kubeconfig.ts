/**
 * A kubeconfig for an EKS cluster that authenticates by exec-ing `aws eks get-token`, so no
 * long-lived credential is ever stored: whoever runs kubectl (or Pulumi) needs AWS credentials
 * that an access entry admits.
 */
export interface KubeconfigInput {
    clusterName: string;
    endpoint: string;
    certificateAuthorityData: string;
    region: string;
}

export function buildKubeconfig(k: KubeconfigInput): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: k.clusterName, cluster: { server: k.endpoint, "certificate-authority-data": k.certificateAuthorityData } }],
        contexts: [{ name: k.clusterName, context: { cluster: k.clusterName, user: k.clusterName } }],
        "current-context": k.clusterName,
        users: [
            {
                name: k.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", k.clusterName, "--region", k.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
