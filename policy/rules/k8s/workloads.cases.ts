/** Cases of the rules in workloads.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c, everyKind, ns, releaseOf, svc, withInit } from "../../test/fixtures";
import { SECRET, U, deploy, goodPodSpec, k8s, mut, podWith, rec, workload } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "k8s-resources": {
        violating: [
            c(
                "no resources",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.containers[0].resources),
                    ),
                ],
                [/requests.cpu, requests.memory, limits.memory/],
            ),
            c(
                "init container",
                [deploy("a", withInit({}))].map((r) => mut(r, (x) => delete x.inputs.spec.template.spec.initContainers[0].resources)),
                1,
            ),
            c("cpu limit required", [deploy()], [/limits.cpu/], { requireCpuLimit: true }),
        ],
        compliant: [c("set", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "resources unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].resources = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-probes": {
        violating: [
            c(
                "no probes",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.containers[0].readinessProbe;
                            delete p.containers[0].livenessProbe;
                        }),
                    ),
                ],
                2,
            ),
            c(
                "statefulset no liveness",
                [
                    k8s(
                        "StatefulSet",
                        "pg",
                        workload(
                            "StatefulSet",
                            "pg",
                            "shop",
                            podWith((p) => delete p.containers[0].livenessProbe),
                            1,
                        ),
                    ),
                ],
                [/livenessProbe/],
            ),
        ],
        compliant: [
            c("probes", [deploy()], 0),
            c(
                "init containers need none",
                [deploy("a", withInit({}))].map((r) =>
                    mut(r, (x) => {
                        delete x.inputs.spec.template.spec.initContainers[0].readinessProbe;
                        delete x.inputs.spec.template.spec.initContainers[0].livenessProbe;
                    }),
                ),
                0,
            ),
        ],
        notApplicable: [
            c(
                "job",
                [
                    k8s(
                        "Job",
                        "j",
                        workload(
                            "Job",
                            "j",
                            "shop",
                            podWith((p) => delete p.containers[0].readinessProbe),
                        ),
                    ),
                ],
                0,
            ),
        ],
        naType: "kubernetes:batch/v1:Job",
        unknown: [
            c(
                "probe unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].readinessProbe = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-image-pinned": {
        violating: [
            c(
                "latest",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "nginx:latest")),
                    ),
                ],
                [/latest tag/],
            ),
            c(
                "no tag with registry port",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "registry.local:5000/app")),
                    ),
                ],
                [/no tag/],
            ),
            c("docker image latest", [rec("docker:index/image:Image", "img", { imageName: "123.dkr.ecr.us-east-1.amazonaws.com/app:latest" })], 1),
            c("digest required", [deploy()], [/digest/], { requireDigest: true }),
        ],
        compliant: [
            c("tag", [deploy()], 0),
            c(
                "digest",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "redis@sha256:abc")),
                    ),
                ],
                0,
                { requireDigest: true },
            ),
            // A build pushes by tag; what runs it references the digest.
            c(
                "build tag with digests required",
                [rec("docker:index/image:Image", "img", { imageName: "123.dkr.ecr.us-east-1.amazonaws.com/app:0123abcd" })],
                0,
                {
                    requireDigest: true,
                },
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "image unknown (from an output)",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-image-registry-allowlist": {
        violating: [
            c(
                "quay image",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "quay.io/evil/app:1")),
                    ),
                ],
                [/quay.io\/evil\/app:1/],
            ),
            c(
                "docker hub user image",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "someone/redis:7")),
                    ),
                ],
                1,
            ),
        ],
        compliant: [
            c("ECR", [deploy()], 0),
            c(
                "official postgres",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "postgres:16.4")),
                    ),
                ],
                0,
            ),
            c(
                "configured registry",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = "quay.io/prometheus/node-exporter:v1.8.0")),
                    ),
                ],
                0,
                { allowedRegistries: ["quay.io/prometheus/**"] },
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "image unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].image = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-default-namespace": {
        violating: [
            c("default", [deploy("a", goodPodSpec, 2, "default")], [/default namespace/]),
            c("no namespace", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { name: "cm" }, data: {} })], [/has no namespace/]),
            c("helm release in default", [releaseOf({ namespace: "default" })], 1),
        ],
        compliant: [
            c("shop", [deploy()], 0),
            (() => {
                const p = k8s("pulumi:providers:kubernetes", "nsprov", { namespace: "shop" }, { provider: "" });
                return c(
                    "provider namespace",
                    [p, k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { name: "cm" }, data: {} }, { provider: `${p.urn}::id` })],
                    0,
                );
            })(),
        ],
        notApplicable: [
            c("namespace itself", [ns("shop")], 0),
            c("cluster role", [k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cr", { metadata: { name: "cr" } })], 0),
            c("karpenter node pool (cluster-scoped CR)", [k8s("kubernetes:karpenter.sh/v1:NodePool", "np", { metadata: { name: "default" } })], 0),
            c("cluster secret store", [k8s("kubernetes:external-secrets.io/v1:ClusterSecretStore", "css", { metadata: { name: "aws" } })], 0),
        ],
        naType: "kubernetes:core/v1:Namespace",
        unknown: [c("namespace from an output", [deploy("a", goodPodSpec, 2, U.string)], 0)],
    },
    "k8s-secrets-not-in-env": {
        violating: [
            c(
                "literal password",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "POSTGRES_PASSWORD", value: "hunter2" })),
                    ),
                ],
                [/POSTGRES_PASSWORD/],
            ),
            c("configmap token", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { namespace: "shop" }, data: { API_TOKEN: "abc" } })], 1),
            c("secretKeyRef flagged when configured", [deploy()], [/DB_PASSWORD comes from a Secret/], { flagSecretKeyRef: true }),
        ],
        compliant: [
            c("secretKeyRef", [deploy()], 0),
            c(
                "secret value (opaque)",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "REDIS_PASSWORD", value: SECRET })),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "value unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => p.containers[0].env.push({ name: "API_KEY", value: U.string })),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-sa-token-automount": {
        violating: [
            c(
                "default automount",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.automountServiceAccountToken),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("false", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.automountServiceAccountToken = U.boolean)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-default-serviceaccount": {
        violating: [
            c(
                "unset",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.serviceAccountName),
                    ),
                ],
                1,
            ),
            c(
                "default",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.serviceAccountName = "default")),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("dedicated", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "from an output",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.serviceAccountName = U.string)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-public-service": {
        violating: [c("LoadBalancer", [svc("s", { app: "s" }, { type: "LoadBalancer" })], 1), c("NodePort", [svc("s", { app: "s" }, { type: "NodePort" })], 1)],
        compliant: [
            c("ClusterIP", [svc("s", { app: "s" })], 0),
            c("NodePort allowed by config", [svc("s", { app: "s" }, { type: "NodePort" })], 0, { forbiddenTypes: ["LoadBalancer"] }),
        ],
        notApplicable: [c("deployment", [deploy()], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("type unknown", [svc("s", { app: "s" }, { type: U.string })], 0)],
    },
    "k8s-no-bare-pods": {
        violating: [c("pod", [k8s("Pod", "p", workload("Pod", "p"))], 1)],
        compliant: [c("deployment", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("pod with unknown spec is still a pod", [k8s("Pod", "p", { metadata: { namespace: "shop" }, spec: U.object })], 1)],
    },
};
