/** Cases of the rules in k8s.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c, hpa, otherRecords, releaseOf, sm, svc } from "../../test/fixtures";
import { U, denyAll, deploy, goodPodSpec, k8s, mut, pdb, podWith, urnOf, workload } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "k8s-replicas-ha": {
        violating: [
            c("1 replica", [deploy("a", goodPodSpec, 1)], [/runs 1 replica/]),
            c("HPA min 1", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 1)], [/HPA minReplicas/]),
        ],
        compliant: [
            c("2 replicas", [deploy()], 0),
            c("HPA min 2 (no replicas set)", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 2)], 0),
            c(
                "HPA by dependency",
                [
                    mut(deploy("a"), (x) => delete x.inputs.spec.replicas),
                    mut(hpa("generated-name", 3, "shop", [urnOf("kubernetes:apps/v1:Deployment", "a")]), (x) => (x.inputs.spec.scaleTargetRef.name = "a-3xyz")),
                ],
                0,
            ),
        ],
        notApplicable: [c("statefulset with 1 replica", [k8s("StatefulSet", "pg", workload("StatefulSet", "pg", "shop", goodPodSpec, 1))], 0)],
        unknown: [
            c("replicas unknown", [deploy("a", goodPodSpec, U.number as unknown as number)], 0),
            c("HPA min unknown", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", U.number)], 0),
        ],
    },
    "k8s-pdb": {
        violating: [
            c("no PDB", [deploy()], [/no PodDisruptionBudget/]),
            c("PDB in another namespace", [deploy(), pdb("p", { app: "storefront" }, { maxUnavailable: 1 }, "other")], 1),
            c("PDB selects other labels", [deploy(), pdb("p", { app: "catalog" })], 1),
            c("zero disruption", [deploy(), pdb("p", { app: "storefront" }, { maxUnavailable: 0 })], [/allows no voluntary disruption/]),
            c("minAvailable = replicas", [deploy(), pdb("p", { app: "storefront" }, { minAvailable: 2 })], 1),
            c("HPA-scaled deployment", [mut(deploy("a"), (x) => delete x.inputs.spec.replicas), hpa("a", 2)], 1),
            c(
                "unhealthy pods only evicted within the budget",
                [deploy(), pdb("p", { app: "storefront" }, { unhealthyPodEvictionPolicy: "IfHealthyBudget" })],
                [/IfHealthyBudget/],
            ),
            c("eviction policy unset", [deploy(), mut(pdb("p", { app: "storefront" }), (x) => delete x.inputs.spec.unhealthyPodEvictionPolicy)], [/unset/]),
        ],
        compliant: [
            c("matching PDB", [deploy(), pdb("p", { app: "storefront" })], 0),
            c("single replica needs none", [deploy("a", goodPodSpec, 1)], 0),
            c("minAvailable 1 of 3", [deploy("storefront", goodPodSpec, 3), pdb("p", { app: "storefront" }, { minAvailable: 1 })], 0),
        ],
        notApplicable: [c("no workloads", [svc("s", { app: "s" })], 0)],
        unknown: [
            c("PDB spec unknown", [deploy(), k8s("kubernetes:policy/v1:PodDisruptionBudget", "p", { metadata: { namespace: "shop" }, spec: U.object })], 0),
            c("eviction policy unknown", [deploy(), pdb("p", { app: "storefront" }, { unhealthyPodEvictionPolicy: U.string })], 0),
            c("replicas unknown", [deploy("a", goodPodSpec, U.number as unknown as number)], 0),
        ],
    },
    "k8s-networkpolicy-coverage": {
        violating: [
            c("no policy", [deploy()], [/no default-deny NetworkPolicy for Ingress and Egress/]),
            c("ingress-only deny", [deploy(), denyAll("shop", ["Ingress"])], [/for Egress/]),
            c("deny in another namespace", [deploy(), denyAll("data")], 1),
            c("selector not empty", [deploy(), mut(denyAll(), (x) => (x.inputs.spec.podSelector = { matchLabels: { app: "storefront" } }))], 1),
        ],
        compliant: [
            c("default deny", [deploy(), denyAll()], 0),
            c("ingress-only when configured", [deploy(), denyAll("shop", ["Ingress"])], 0, { policyTypes: ["Ingress"] }),
            c("two policies together", [deploy(), denyAll("shop", ["Ingress"]), mut(denyAll("shop", ["Egress"]), (x) => (x.urn += "-e"))], 0),
        ],
        notApplicable: [c("no workloads", [denyAll()], 0)],
        unknown: [
            c(
                "policy spec unknown",
                [deploy(), k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", "np", { metadata: { namespace: "shop" }, spec: U.object })],
                0,
            ),
            c("workload namespace unknown", [deploy("a", goodPodSpec, 2, U.string)], 0),
        ],
    },
    "k8s-servicemonitor-selected": {
        violating: [
            c(
                "missing release label",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", {}, { matchLabels: { app: "storefront" } })],
                [/lacks the label/],
            ),
            c(
                "selects no service",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "nope" } })],
                [/selects no Service/],
            ),
            c(
                "no prometheus release",
                [svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } })],
                [/no kube-prometheus-stack Release/],
            ),
        ],
        compliant: [
            c(
                "release label + service",
                [releaseOf({}), svc("storefront", { app: "storefront" }), sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } })],
                0,
            ),
            c(
                "nil selector uses all",
                [
                    releaseOf({ values: { prometheus: { prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false } } } }),
                    svc("storefront", { app: "storefront" }),
                    sm("storefront", {}, { matchLabels: { app: "storefront" } }),
                ],
                0,
            ),
            c(
                "service in another namespace via namespaceSelector",
                [
                    releaseOf({}),
                    svc("storefront", { app: "storefront" }),
                    sm("storefront", { release: "kps" }, { matchLabels: { app: "storefront" } }, "monitoring", { namespaceSelector: { matchNames: ["shop"] } }),
                ],
                0,
            ),
        ],
        notApplicable: [c("no service monitors", [releaseOf({}), svc("s", { app: "s" })], 0)],
        unknown: [
            c(
                "values unknown",
                [releaseOf({ values: U.object }), svc("storefront", { app: "storefront" }), sm("storefront", {}, { matchLabels: { app: "storefront" } })],
                0,
            ),
            c(
                "labels unknown",
                [
                    releaseOf({}),
                    svc("storefront", { app: "storefront" }),
                    k8s("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "m", { metadata: U.object, spec: {} }),
                ],
                0,
            ),
        ],
    },
    "k8s-spread": {
        violating: [c("no spread", [deploy()], [/no topologySpreadConstraints/])],
        compliant: [
            c(
                "topology spread",
                [
                    deploy(
                        "a",
                        podWith(
                            (p) =>
                                (p.topologySpreadConstraints = [
                                    {
                                        maxSkew: 1,
                                        topologyKey: "topology.kubernetes.io/zone",
                                        whenUnsatisfiable: "ScheduleAnyway",
                                        labelSelector: { matchLabels: { app: "a" } },
                                    },
                                ]),
                        ),
                    ),
                ],
                0,
            ),
            c(
                "anti-affinity",
                [
                    deploy(
                        "a",
                        podWith((p) => (p.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } })),
                    ),
                ],
                0,
            ),
            c("single replica", [deploy("a", goodPodSpec, 1)], 0),
        ],
        notApplicable: [c("no workloads", otherRecords, 0)],
        unknown: [c("pod spec unknown", [k8s("Deployment", "a", { metadata: { namespace: "shop" }, spec: { replicas: 3, template: U.object } })], 0)],
    },
};
