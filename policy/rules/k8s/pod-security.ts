/** Pod Security : every pod-spec path, every container list. */
import { containersOf, describe, podSpecOf, WORKLOAD_TYPES, type ContainerRef } from "../../lib/k8s";
import { resourceRule, type Cfg } from "../../lib/policy";
import type { ReportViolation } from "@pulumi/policy";
import { asArray, asObject } from "../../lib/values";
import { strings } from "../../lib/aws";

type PodCheck = (pod: Record<string, any>, containers: ContainerRef[], report: ReportViolation, cfg: Cfg) => void;

function podRule(def: {
    name: string;
    description: string;
    why: string;
    defaultLevel: "mandatory" | "advisory";
    params?: Record<string, any>;
    check: PodCheck;
}) {
    return resourceRule({
        ...def,
        types: WORKLOAD_TYPES,
        check: (props, args, report, cfg) => {
            const pod = podSpecOf(args.type, props);
            if (!pod) return;
            def.check(pod, containersOf(pod), report, cfg);
        },
    });
}

const sc = (ref: ContainerRef): Record<string, any> => asObject(ref.c.securityContext) ?? {};

export const k8sNoPrivileged = podRule({
    name: "k8s-no-privileged",
    description: "Containers (including init and ephemeral containers) must not run privileged.",
    why: "A privileged container is root on the node: one compromised pod owns the host and every pod on it.",
    defaultLevel: "mandatory",
    check: (_pod, cs, report) => {
        for (const c of cs) if (sc(c).privileged === true) report(`${describe(c)} runs privileged.`);
    },
});

export const k8sNoPrivilegeEscalation = podRule({
    name: "k8s-no-privilege-escalation",
    description: "Every container must set securityContext.allowPrivilegeEscalation = false explicitly.",
    why: "Without it, setuid binaries in the image can regain the capabilities the container dropped.",
    defaultLevel: "mandatory",
    check: (_pod, cs, report) => {
        for (const c of cs) if (sc(c).allowPrivilegeEscalation !== false) report(`${describe(c)} does not set allowPrivilegeEscalation: false.`);
    },
});

export const k8sRunAsNonRoot = podRule({
    name: "k8s-run-as-non-root",
    description: "Pods must run as non-root: runAsNonRoot true at pod level or on every container, never false, and runAsUser never 0.",
    why: "A root process that escapes its container is root on the node.",
    defaultLevel: "mandatory",
    params: { minUid: { type: "integer", minimum: 0, default: 0, description: "When > 0, any runAsUser set must be at least this UID (e.g. 10000)." } },
    check: (pod, cs, report, cfg) => {
        const psc = asObject(pod.securityContext) ?? {};
        const minUid = cfg.minUid as number;
        if (psc.runAsUser === 0) report("The pod securityContext sets runAsUser: 0.");
        else if (minUid > 0 && typeof psc.runAsUser === "number" && psc.runAsUser < minUid) report(`The pod runAsUser ${psc.runAsUser} is below ${minUid}.`);
        for (const c of cs) {
            const s = sc(c);
            if (s.runAsNonRoot === false) report(`${describe(c)} sets runAsNonRoot: false.`);
            else if (psc.runAsNonRoot !== true && s.runAsNonRoot !== true) report(`${describe(c)} may run as root: set runAsNonRoot: true (pod or container).`);
            if (s.runAsUser === 0) report(`${describe(c)} sets runAsUser: 0.`);
            else if (minUid > 0 && typeof s.runAsUser === "number" && s.runAsUser < minUid)
                report(`${describe(c)} runAsUser ${s.runAsUser} is below ${minUid}.`);
        }
    },
});

export const k8sReadOnlyRootfs = podRule({
    name: "k8s-read-only-rootfs",
    description: "Containers must set readOnlyRootFilesystem = true (write to emptyDir or PVC mounts).",
    why: "An attacker who cannot write to the image cannot persist tooling in it; writable paths are explicit volumes.",
    defaultLevel: "mandatory",
    check: (_pod, cs, report) => {
        for (const c of cs)
            if (c.list !== "ephemeralContainers" && sc(c).readOnlyRootFilesystem !== true) report(`${describe(c)} has a writable root filesystem.`);
    },
});

export const k8sCapabilities = podRule({
    name: "k8s-capabilities",
    description: "Containers must drop ALL capabilities and add only allow-listed ones (default NET_BIND_SERVICE).",
    why: "Each kernel capability is attack surface; the apps need none beyond binding low ports.",
    defaultLevel: "mandatory",
    params: { allowedAdd: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"], description: "Capabilities that may be added back." } },
    check: (_pod, cs, report, cfg) => {
        for (const c of cs) {
            const caps = asObject(sc(c).capabilities) ?? {};
            if (!strings(caps.drop).includes("ALL")) report(`${describe(c)} does not drop ALL capabilities.`);
            const extra = strings(caps.add).filter((a) => !(cfg.allowedAdd as string[]).includes(a.replace(/^CAP_/, "")));
            if (extra.length) report(`${describe(c)} adds capabilities ${extra.join(", ")}.`);
        }
    },
});

const GOOD_SECCOMP = ["RuntimeDefault", "Localhost"];

export const k8sSeccomp = podRule({
    name: "k8s-seccomp",
    description: "Pods must use a RuntimeDefault or Localhost seccomp profile (pod level, or on every container), never Unconfined.",
    why: "Unconfined syscalls expose the whole kernel API to a compromised process.",
    defaultLevel: "mandatory",
    check: (pod, cs, report) => {
        const podType = asObject(asObject(pod.securityContext)?.seccompProfile)?.type;
        if (podType !== undefined && !GOOD_SECCOMP.includes(podType)) report(`The pod seccompProfile is ${podType}.`);
        for (const c of cs) {
            const t = asObject(sc(c).seccompProfile)?.type;
            if (t !== undefined && !GOOD_SECCOMP.includes(t)) report(`${describe(c)} seccompProfile is ${t}.`);
            else if (t === undefined && !GOOD_SECCOMP.includes(podType))
                report(`${describe(c)} has no seccomp profile (set securityContext.seccompProfile.type: RuntimeDefault on the pod).`);
        }
    },
});

export const k8sNoHostNamespaces = podRule({
    name: "k8s-no-host-namespaces",
    description: "Pods must not share the host's network, PID or IPC namespaces.",
    why: "Sharing the host's network, PID or IPC namespace lets a pod see and reach the node's processes and traffic.",
    defaultLevel: "mandatory",
    check: (pod, _cs, report) => {
        for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[f] === true) report(`The pod sets ${f}: true.`);
    },
});

export const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const k8sVolumeTypes = podRule({
    name: "k8s-volume-types",
    description: "Pod volumes must be of the Pod Security 'restricted' types (no hostPath, no docker.sock).",
    why: "hostPath and the Docker socket hand the node's filesystem or runtime to the pod.",
    defaultLevel: "mandatory",
    params: { allowedTypes: { type: "array", items: { type: "string" }, default: RESTRICTED_VOLUME_TYPES, description: "Allowed volume source keys." } },
    check: (pod, _cs, report, cfg) => {
        for (const v of asArray(pod.volumes)) {
            const o = asObject(v);
            if (!o) continue;
            const kinds = Object.keys(o).filter((k) => k !== "name");
            const bad = kinds.filter((k) => !(cfg.allowedTypes as string[]).includes(k));
            if (bad.length) report(`Volume '${o.name}' uses ${bad.join(", ")}${o.hostPath ? ` (${asObject(o.hostPath)?.path ?? "?"})` : ""}.`);
        }
    },
});

export const k8sNoHostPort = podRule({
    name: "k8s-no-hostport",
    description: "Containers must not bind host ports.",
    why: "Host ports bypass Services and NetworkPolicies and make pods collide on a node.",
    defaultLevel: "mandatory",
    check: (_pod, cs, report) => {
        for (const c of cs)
            for (const p of asArray(c.c.ports)) if (typeof p?.hostPort === "number" && p.hostPort !== 0) report(`${describe(c)} binds hostPort ${p.hostPort}.`);
    },
});
