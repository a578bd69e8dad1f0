/** Stack-wide Kubernetes rules. */
import type { PolicyResource } from "@pulumi/policy";
import { isEmptySelector, kindOf, namespaceOf, podTemplateOf, REPLICATED_TYPES, selectorMatches, WORKLOAD_TYPES, type LabelSelector } from "../../lib/k8s";
import { stackRule } from "../../lib/policy";
import { asArray, asObject, peek, UNKNOWN } from "../../lib/values";
import { strings } from "../../lib/aws";

type Maybe<T> = T | typeof UNKNOWN;

interface Workload {
    r: PolicyResource;
    kind: string;
    name: Maybe<string | undefined>;
    ns: Maybe<string | undefined>;
    replicas: Maybe<number>;
    labels: Maybe<Record<string, string>>;
}

function k8sProviderProps(r: PolicyResource): Record<string, any> | undefined {
    return r.provider?.type === "pulumi:providers:kubernetes" ? r.provider.props : undefined;
}

function nsOf(r: PolicyResource): Maybe<string | undefined> {
    return namespaceOf(r.props, k8sProviderProps(r));
}

function metaName(r: PolicyResource): Maybe<string | undefined> {
    const n = peek(() => asObject(r.props.metadata)?.name);
    return n === UNKNOWN ? UNKNOWN : typeof n === "string" ? n : undefined;
}

function workloads(resources: PolicyResource[], types: string[]): Workload[] {
    return resources
        .filter((r) => types.includes(r.type))
        .map((r) => {
            const replicas = peek(() => asObject(r.props.spec)?.replicas);
            const labels = peek(() => ({ ...(asObject(asObject(podTemplateOf(r.type, r.props)?.metadata)?.labels) ?? {}) }) as Record<string, string>);
            return {
                r,
                kind: kindOf(r.type),
                name: metaName(r),
                ns: nsOf(r),
                replicas: replicas === UNKNOWN ? UNKNOWN : typeof replicas === "number" ? replicas : kindOf(r.type) === "DaemonSet" ? 2 : 1,
                labels,
            };
        });
}

interface Hpa {
    r: PolicyResource;
    ns: Maybe<string | undefined>;
    targetKind: unknown;
    targetName: unknown;
    minReplicas: Maybe<number>;
}

const HPA_TYPES = ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:autoscaling/v1:HorizontalPodAutoscaler"];

function hpas(resources: PolicyResource[]): Hpa[] {
    return resources
        .filter((r) => HPA_TYPES.includes(r.type))
        .map((r) => {
            const ref = peek(() => ({ ...(asObject(asObject(r.props.spec)?.scaleTargetRef) ?? {}) }));
            const min = peek(() => asObject(r.props.spec)?.minReplicas);
            return {
                r,
                ns: nsOf(r),
                targetKind: ref === UNKNOWN ? UNKNOWN : ref.kind,
                targetName: ref === UNKNOWN ? UNKNOWN : ref.name,
                minReplicas: min === UNKNOWN ? UNKNOWN : typeof min === "number" ? min : 1,
            };
        });
}

function sameNs(a: Maybe<string | undefined>, b: Maybe<string | undefined>): boolean {
    return a !== UNKNOWN && b !== UNKNOWN && (a ?? "default") === (b ?? "default");
}

/** The HPA scaling `w`: by dependency on it (name from an output) or by kind+name in the same namespace. */
function hpaFor(w: Workload, all: Hpa[]): Hpa | undefined {
    return all.find(
        (h) =>
            (h.r.dependencies.some((d) => d.urn === w.r.urn) && (h.targetKind === UNKNOWN || h.targetKind === w.kind)) ||
            (h.targetKind === w.kind && typeof h.targetName === "string" && h.targetName === w.name && sameNs(h.ns, w.ns)),
    );
}

/** Replicas the workload runs with at least (HPA minReplicas when scaled). */
function effectiveReplicas(w: Workload, all: Hpa[]): Maybe<number> {
    const h = hpaFor(w, all);
    if (h) return h.minReplicas;
    return w.replicas;
}

export const k8sReplicasHa = stackRule({
    name: "k8s-replicas-ha",
    description: "Deployments must run at least the minimum replica count, directly or through an HPA's minReplicas.",
    why: "One replica means every node drain, rollout or crash is an outage.",
    defaultLevel: "mandatory",
    types: ["kubernetes:apps/v1:Deployment", ...HPA_TYPES],
    params: { minReplicas: { type: "integer", minimum: 1, default: 2, description: "Minimum replicas." } },
    check: (resources, _args, report, cfg) => {
        const hs = hpas(resources);
        for (const w of workloads(resources, ["kubernetes:apps/v1:Deployment"])) {
            const n = effectiveReplicas(w, hs);
            if (n !== UNKNOWN && n < (cfg.minReplicas as number))
                report(
                    `Deployment '${w.r.name}' runs ${n} replica(s)${hpaFor(w, hs) ? " (HPA minReplicas)" : ""}; at least ${cfg.minReplicas} required.`,
                    w.r.urn,
                );
        }
    },
});

const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

function isZeroDisruption(spec: Record<string, any>, replicas: Maybe<number>): boolean {
    const maxU = spec.maxUnavailable;
    if (maxU === 0 || maxU === "0" || maxU === "0%") return true;
    const minA = spec.minAvailable;
    if (minA === "100%") return true;
    return typeof minA === "number" && replicas !== UNKNOWN && minA >= replicas;
}

export const k8sPdb = stackRule({
    name: "k8s-pdb",
    description:
        "Every multi-replica Deployment/StatefulSet must have a PodDisruptionBudget in its namespace selecting its pods, that PDB must allow at least one voluntary disruption, and every PDB must set unhealthyPodEvictionPolicy: AlwaysAllow.",
    why: "Without a PDB a node drain can evict every replica at once; with one that allows nothing, drains never finish. The default policy (IfHealthyBudget) never evicts a crash-looping pod while the budget is spent, so one bad rollout blocks every drain and Karpenter consolidation; AlwaysAllow evicts pods that are not Ready anyway (policy/v1, GA in Kubernetes 1.31).",
    defaultLevel: "mandatory",
    types: [...REPLICATED_TYPES, PDB, ...HPA_TYPES],
    check: (resources, _args, report) => {
        const hs = hpas(resources);
        const pdbs = resources
            .filter((r) => r.type === PDB)
            .map((r): { r: PolicyResource; ns: Maybe<string | undefined>; spec: Maybe<Record<string, any>> } => ({
                r,
                ns: nsOf(r),
                spec: peek(() => asObject(r.props.spec) ?? {}),
            }));
        for (const p of pdbs) {
            const spec = p.spec;
            if (spec === UNKNOWN) continue;
            const policy = peek(() => spec.unhealthyPodEvictionPolicy);
            if (policy === UNKNOWN) continue;
            if (policy !== "AlwaysAllow")
                report(
                    `PodDisruptionBudget '${p.r.name}' has unhealthyPodEvictionPolicy ${policy === undefined ? "unset (IfHealthyBudget)" : String(policy)}: crash-looping pods would block node drains; set AlwaysAllow.`,
                    p.r.urn,
                );
        }
        const reportedZero = new Set<string>();
        for (const w of workloads(resources, REPLICATED_TYPES)) {
            const n = effectiveReplicas(w, hs);
            if (n === UNKNOWN || n < 2) continue;
            if (w.labels === UNKNOWN || w.ns === UNKNOWN) continue;
            const labels = w.labels;
            const matching = pdbs.filter((p) => {
                if (p.spec === UNKNOWN || p.ns === UNKNOWN) return true; // cannot tell: assume it may match
                return (
                    sameNs(p.ns, w.ns) && selectorMatches(asObject(p.spec.selector) as LabelSelector | undefined, labels) && !isEmptySelector(p.spec.selector)
                );
            });
            if (matching.length === 0) {
                report(`${w.kind} '${w.r.name}' runs ${n} replicas but no PodDisruptionBudget selects its pods.`, w.r.urn);
                continue;
            }
            for (const p of matching) {
                if (p.spec === UNKNOWN || reportedZero.has(p.r.urn)) continue;
                if (isZeroDisruption(p.spec, n)) {
                    reportedZero.add(p.r.urn);
                    report(
                        `PodDisruptionBudget '${p.r.name}' allows no voluntary disruption of ${w.kind} '${w.r.name}' (${n} replicas): node drains would block.`,
                        p.r.urn,
                    );
                }
            }
        }
    },
});

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export const k8sNetworkpolicyCoverage = stackRule({
    name: "k8s-networkpolicy-coverage",
    description: "Every namespace that runs workloads must have a default-deny NetworkPolicy (empty podSelector, the required policyTypes, no allow rules).",
    why: "Without a default deny, every pod can reach every other pod and the internet.",
    defaultLevel: "mandatory",
    types: [...WORKLOAD_TYPES, NETPOL],
    params: {
        policyTypes: {
            type: "array",
            items: { type: "string", enum: ["Ingress", "Egress"] },
            default: ["Ingress", "Egress"],
            description: "Directions the default-deny must cover (across one or more policies).",
        },
    },
    check: (resources, _args, report, cfg) => {
        const required = cfg.policyTypes as string[];
        const denied = new Map<string, Set<string>>(); // namespace → directions denied by default
        let unknownPolicy = false;
        for (const r of resources.filter((x) => x.type === NETPOL)) {
            const ns = nsOf(r);
            const spec = peek(() => asObject(r.props.spec) ?? {});
            if (ns === UNKNOWN || spec === UNKNOWN) {
                unknownPolicy = true;
                continue;
            }
            if (!isEmptySelector(spec.podSelector)) continue;
            const types = strings(spec.policyTypes);
            const dirs = types.length ? types : ["Ingress", ...(spec.egress !== undefined ? ["Egress"] : [])];
            const key = ns ?? "default";
            const set = denied.get(key) ?? new Set<string>();
            if (dirs.includes("Ingress") && asArray(spec.ingress).length === 0) set.add("Ingress");
            if (dirs.includes("Egress") && asArray(spec.egress).length === 0) set.add("Egress");
            denied.set(key, set);
        }
        if (unknownPolicy) return;
        for (const w of workloads(resources, WORKLOAD_TYPES)) {
            if (w.ns === UNKNOWN) continue;
            const key = w.ns ?? "default";
            const missing = required.filter((d) => !denied.get(key)?.has(d));
            if (missing.length)
                report(`Namespace '${key}' of ${w.kind} '${w.r.name}' has no default-deny NetworkPolicy for ${missing.join(" and ")}.`, w.r.urn);
        }
    },
});

const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RELEASE = "kubernetes:helm.sh/v3:Release";

export const k8sServicemonitorSelected = stackRule({
    name: "k8s-servicemonitor-selected",
    description:
        "Each ServiceMonitor must be picked up by kube-prometheus-stack (the release label, unless the Release selects all) and its selector must match a Service.",
    why: "A ServiceMonitor Prometheus does not select means an app nobody is watching.",
    defaultLevel: "advisory",
    types: [SM, RELEASE, "kubernetes:core/v1:Service"],
    params: { chartPattern: { type: "string", default: "kube-prometheus-stack", description: "Substring identifying the Prometheus operator chart." } },
    check: (resources, _args, report, cfg) => {
        const sms = resources.filter((r) => r.type === SM);
        if (sms.length === 0) return;
        const releases = resources.filter((r) => r.type === RELEASE && String(peek(() => r.props.chart)).includes(cfg.chartPattern as string));
        const services = resources.filter((r) => r.type === "kubernetes:core/v1:Service" || r.type === "kubernetes:core/v1:ServicePatch");
        for (const sm of sms) {
            const meta = peek(() => ({ ...(asObject(sm.props.metadata) ?? {}) }));
            const spec = peek(() => asObject(sm.props.spec) ?? {});
            if (meta === UNKNOWN || spec === UNKNOWN) continue;
            const labels = (asObject(meta.labels) ?? {}) as Record<string, string>;
            if (releases.length === 0) report(`ServiceMonitor '${sm.name}': no ${cfg.chartPattern} Release in the stack would select it.`, sm.urn);
            const picked = releases.some((rel) => {
                const values = peek(() => asObject(rel.props.values) ?? {});
                if (values === UNKNOWN) return true;
                const ps = asObject(asObject(values.prometheus)?.prometheusSpec) ?? {};
                if (ps.serviceMonitorSelectorNilUsesHelmValues === false && ps.serviceMonitorSelector === undefined) return true;
                if (asObject(ps.serviceMonitorSelector)) return selectorMatches(ps.serviceMonitorSelector as LabelSelector, labels);
                const relName = peek(() => rel.props.name);
                if (relName === UNKNOWN) return true;
                return labels.release === (typeof relName === "string" && relName !== "" ? relName : rel.name);
            });
            if (releases.length && !picked)
                report(`ServiceMonitor '${sm.name}' lacks the label the Prometheus release selects (release: <release name>).`, sm.urn);
            const smNs = nsOf(sm);
            const nsSel = asObject(spec.namespaceSelector) ?? {};
            const inScope = (svcNs: Maybe<string | undefined>): boolean => {
                if (svcNs === UNKNOWN) return true;
                if (nsSel.any === true) return true;
                const names = strings(nsSel.matchNames);
                if (names.length) return names.includes(svcNs ?? "default");
                return sameNs(svcNs, smNs) || smNs === UNKNOWN;
            };
            const matched = services.some((s) => {
                const sl = peek(() => ({ ...(asObject(asObject(s.props.metadata)?.labels) ?? {}) }) as Record<string, string>);
                if (sl === UNKNOWN) return true;
                return inScope(nsOf(s)) && selectorMatches(asObject(spec.selector) as LabelSelector | undefined, sl);
            });
            if (!matched) report(`ServiceMonitor '${sm.name}' selects no Service in the stack.`, sm.urn);
        }
    },
});

export const k8sSpread = stackRule({
    name: "k8s-spread",
    description: "Multi-replica Deployments/StatefulSets should spread across nodes/zones (topologySpreadConstraints or pod anti-affinity).",
    why: "Replicas packed on one node or zone all fail together.",
    defaultLevel: "advisory",
    types: [...REPLICATED_TYPES, ...HPA_TYPES],
    check: (resources, _args, report) => {
        const hs = hpas(resources);
        for (const w of workloads(resources, REPLICATED_TYPES)) {
            const n = effectiveReplicas(w, hs);
            if (n === UNKNOWN || n < 2) continue;
            const pod = peek(() => asObject(podTemplateOf(w.r.type, w.r.props)?.spec) ?? {});
            if (pod === UNKNOWN) continue;
            const spread = asArray(pod.topologySpreadConstraints).length > 0;
            const anti = asObject(asObject(pod.affinity)?.podAntiAffinity);
            if (!spread && !anti) report(`${w.kind} '${w.r.name}' runs ${n} replicas with no topologySpreadConstraints or podAntiAffinity.`, w.r.urn);
        }
    },
});
