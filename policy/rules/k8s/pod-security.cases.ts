/** Cases of the rules in pod-security.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { badSc, c, everyKind, ns, svc, unknownPod, withEphemeral, withInit } from "../../test/fixtures";
import { U, deploy, goodPodSpec, k8s, podWith, workload } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "k8s-no-privileged": {
        violating: [
            c("every kind", everyKind(badSc({ privileged: true })), 7),
            c("init container", [deploy("a", withInit({ privileged: true }))], [/init container 'migrate' runs privileged/]),
            c("ephemeral container", [deploy("a", withEphemeral({ privileged: true }))], [/ephemeral container 'debug'/]),
        ],
        compliant: [c("every kind", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [c("securityContext unknown", [deploy("a", unknownPod)], 0)],
    },
    "k8s-no-privilege-escalation": {
        violating: [
            c(
                "unset",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.containers[0].securityContext.allowPrivilegeEscalation),
                    ),
                ],
                1,
            ),
            c(
                "cronjob init container",
                [k8s("CronJob", "cj", workload("CronJob", "cj", "shop", withInit({ allowPrivilegeEscalation: true })))],
                [/init container 'migrate'/],
            ),
        ],
        compliant: [c("false everywhere", everyKind(withInit({})), 0)],
        notApplicable: [c("namespace", [ns("shop")], 0)],
        naType: "kubernetes:core/v1:Namespace",
        unknown: [c("unknown", [deploy("a", unknownPod)], 0)],
    },
    "k8s-run-as-non-root": {
        violating: [
            c(
                "no runAsNonRoot anywhere",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.securityContext.runAsNonRoot;
                            delete p.containers[0].securityContext.runAsNonRoot;
                        }),
                    ),
                ],
                [/may run as root/],
            ),
            c("container false + uid 0", [deploy("a", badSc({ runAsNonRoot: false, runAsUser: 0 }))], [/runAsNonRoot: false/, /runAsUser: 0/]),
            c(
                "uid below minUid",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext.runAsUser = 999)),
                    ),
                ],
                [/below 10000/],
                { minUid: 10000 },
            ),
        ],
        compliant: [
            c("pod-level", [deploy()], 0),
            c(
                "postgres uid 999 is non-root",
                [
                    k8s(
                        "StatefulSet",
                        "postgres",
                        workload(
                            "StatefulSet",
                            "postgres",
                            "shop",
                            podWith((p) => (p.securityContext.runAsUser = 999)),
                            1,
                        ),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "pod securityContext unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-read-only-rootfs": {
        violating: [
            c("writable", [deploy("a", badSc({ readOnlyRootFilesystem: false }))], 1),
            c("job init container", [k8s("Job", "j", workload("Job", "j", "shop", withInit({ readOnlyRootFilesystem: false })))], 1),
        ],
        compliant: [c("read-only", everyKind(goodPodSpec), 0)],
        notApplicable: [c("configmap", [k8s("kubernetes:core/v1:ConfigMap", "cm", { metadata: { namespace: "shop" }, data: { a: "b" } })], 0)],
        naType: "kubernetes:core/v1:ConfigMap",
        unknown: [c("unknown", [deploy("a", badSc({ readOnlyRootFilesystem: U.boolean }))], 0)],
    },
    "k8s-capabilities": {
        violating: [c("no drop ALL, adds SYS_ADMIN", [deploy("a", badSc({ capabilities: { add: ["SYS_ADMIN"] } }))], [/does not drop ALL/, /SYS_ADMIN/])],
        compliant: [
            c("drop ALL", [deploy()], 0),
            c("NET_BIND_SERVICE allowed", [deploy("a", badSc({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }))], 0),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [c("capabilities unknown", [deploy("a", badSc({ capabilities: U.object }))], 0)],
    },
    "k8s-seccomp": {
        violating: [
            c(
                "none",
                [
                    deploy(
                        "a",
                        podWith((p) => delete p.securityContext.seccompProfile),
                    ),
                ],
                [/no seccomp profile/],
            ),
            c("Unconfined container", [deploy("a", badSc({ seccompProfile: { type: "Unconfined" } }))], [/Unconfined/]),
        ],
        compliant: [
            c("pod RuntimeDefault", [deploy()], 0),
            c(
                "container Localhost",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            delete p.securityContext.seccompProfile;
                            p.containers[0].securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
                        }),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.securityContext.seccompProfile = U.object)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-host-namespaces": {
        violating: [
            c(
                "hostNetwork + hostPID",
                [
                    deploy(
                        "a",
                        podWith((p) => {
                            p.hostNetwork = true;
                            p.hostPID = true;
                        }),
                    ),
                ],
                2,
            ),
            c(
                "cronjob hostIPC",
                [
                    k8s(
                        "CronJob",
                        "cj",
                        workload(
                            "CronJob",
                            "cj",
                            "shop",
                            podWith((p) => (p.hostIPC = true)),
                        ),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("none", everyKind(goodPodSpec), 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.hostNetwork = U.boolean)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-volume-types": {
        violating: [
            c(
                "docker.sock hostPath",
                [
                    deploy(
                        "a",
                        podWith((p) => p.volumes.push({ name: "sock", hostPath: { path: "/var/run/docker.sock" } })),
                    ),
                ],
                [/hostPath \(\/var\/run\/docker.sock\)/],
            ),
        ],
        compliant: [
            c(
                "emptyDir + pvc + secret",
                [
                    deploy(
                        "a",
                        podWith((p) => p.volumes.push({ name: "d", persistentVolumeClaim: { claimName: "c" } }, { name: "s", secret: { secretName: "x" } })),
                    ),
                ],
                0,
            ),
        ],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "volumes unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.volumes = U.array)),
                    ),
                ],
                0,
            ),
        ],
    },
    "k8s-no-hostport": {
        violating: [
            c(
                "hostPort",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].ports = [{ containerPort: 8080, hostPort: 8080 }])),
                    ),
                ],
                1,
            ),
        ],
        compliant: [c("container port only", [deploy()], 0)],
        notApplicable: [c("service", [svc("s", { app: "s" })], 0)],
        naType: "kubernetes:core/v1:Service",
        unknown: [
            c(
                "ports unknown",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.containers[0].ports = U.array)),
                    ),
                ],
                0,
            ),
        ],
    },
    // ---- Kubernetes workloads ----,
};
