/** Workload hygiene : resources, probes, images, namespaces, secrets, service accounts. */
import { minimatch } from "minimatch";
import {
    containersOf,
    describe,
    isNamespacedKubernetesType,
    isSidecar,
    kindOf,
    LONG_RUNNING_TYPES,
    namespaceOf,
    podSpecOf,
    providerProps,
    WORKLOAD_TYPES,
} from "../../lib/k8s";
import { parseImage } from "../../lib/images";
import { resourceRule } from "../../lib/policy";
import { asArray, asObject, isOpaque, peek, UNKNOWN } from "../../lib/values";

export const k8sResources = resourceRule({
    name: "k8s-resources",
    description: "Containers and init containers must request CPU and memory and limit memory (CPU limit optional).",
    why: "Without requests the scheduler overpacks nodes; without a memory limit one leak evicts its neighbours.",
    defaultLevel: "mandatory",
    types: WORKLOAD_TYPES,
    params: { requireCpuLimit: { type: "boolean", default: false, description: "Also require limits.cpu." } },
    check: (props, args, report, cfg) => {
        for (const c of containersOf(podSpecOf(args.type, props), ["initContainers", "containers"])) {
            const r = asObject(c.c.resources) ?? {};
            const req = asObject(r.requests) ?? {};
            const lim = asObject(r.limits) ?? {};
            const missing: string[] = [];
            if (req.cpu === undefined) missing.push("requests.cpu");
            if (req.memory === undefined) missing.push("requests.memory");
            if (lim.memory === undefined) missing.push("limits.memory");
            if (cfg.requireCpuLimit && lim.cpu === undefined) missing.push("limits.cpu");
            if (missing.length) report(`${describe(c)} has no ${missing.join(", ")}.`);
        }
    },
});

export const k8sProbes = resourceRule({
    name: "k8s-probes",
    description: "Containers of long-running workloads (Deployment, StatefulSet, DaemonSet) must define readiness and liveness probes.",
    why: "Without probes Kubernetes sends traffic to pods that are not ready and never restarts hung ones.",
    defaultLevel: "mandatory",
    types: LONG_RUNNING_TYPES,
    params: {
        requireReadiness: { type: "boolean", default: true, description: "Require readinessProbe." },
        requireLiveness: { type: "boolean", default: true, description: "Require livenessProbe." },
    },
    check: (props, args, report, cfg) => {
        for (const c of containersOf(podSpecOf(args.type, props), ["initContainers", "containers"])) {
            if (c.list === "initContainers" && !isSidecar(c)) continue;
            if (cfg.requireReadiness && c.c.readinessProbe === undefined) report(`${describe(c)} has no readinessProbe.`);
            if (cfg.requireLiveness && c.c.livenessProbe === undefined) report(`${describe(c)} has no livenessProbe.`);
        }
    },
});

/** Images of a resource: containers of workloads, or a docker Image's imageName. */
function imagesOf(type: string, props: Record<string, any>): { where: string; image: unknown }[] {
    if (type === "docker:index/image:Image") return [{ where: "imageName", image: peek(() => props.imageName) }];
    return containersOf(podSpecOf(type, props)).map((c) => ({ where: describe(c), image: peek(() => c.c.image) }));
}

const IMAGE_TYPES = [...WORKLOAD_TYPES, "docker:index/image:Image"];

export const k8sImagePinned = resourceRule({
    name: "k8s-image-pinned",
    description: "Images must be pinned: a tag other than latest, or a digest (optionally require a digest).",
    why: "A moving tag means nodes run whatever was pushed last, not what was reviewed.",
    defaultLevel: "mandatory",
    types: IMAGE_TYPES,
    params: { requireDigest: { type: "boolean", default: false, description: "Require @sha256 digests." } },
    check: (props, args, report, cfg) => {
        for (const { where, image } of imagesOf(args.type, props)) {
            if (image === UNKNOWN) continue;
            if (typeof image !== "string" || image.trim() === "") {
                report(`${where} has no image.`);
                continue;
            }
            const ref = parseImage(image);
            if (ref.digest) continue;
            // A build pushes by tag (its digest exists only once pushed); workloads then run it by digest.
            const build = args.type === "docker:index/image:Image";
            if (cfg.requireDigest && !build) report(`${where} image ${image} is not pinned by digest.`);
            else if (ref.tag === undefined || ref.tag === "") report(`${where} image ${image} has no tag (defaults to latest).`);
            else if (ref.tag === "latest") report(`${where} image ${image} uses the latest tag.`);
        }
    },
});

export const DEFAULT_REGISTRIES = ["*.dkr.ecr.*.amazonaws.com/**", "public.ecr.aws/**", "docker.io/library/**"];

export const k8sImageRegistryAllowlist = resourceRule({
    name: "k8s-image-registry-allowlist",
    description: "Container images must come from allow-listed registries (our ECR, ECR Public, Docker official images by default).",
    why: "Images from arbitrary registries bypass our scanning and provenance.",
    defaultLevel: "mandatory",
    types: WORKLOAD_TYPES,
    params: {
        allowedRegistries: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_REGISTRIES,
            description: "Globs over the normalized image reference (registry/path:tag; `*` does not cross `/`, `**` does).",
        },
    },
    check: (props, args, report, cfg) => {
        for (const { where, image } of imagesOf(args.type, props)) {
            if (typeof image !== "string" || image === "") continue;
            const ref = parseImage(image);
            if (!(cfg.allowedRegistries as string[]).some((g) => minimatch(ref.normalized, g, { dot: true })))
                report(`${where} image ${ref.normalized} is not from an allow-listed registry.`);
        }
    },
});

export const k8sNoDefaultNamespace = resourceRule({
    name: "k8s-no-default-namespace",
    description:
        "Namespaced Kubernetes resources and Helm releases must name a namespace other than default (metadata.namespace, or the provider's namespace).",
    why: "The default namespace has no Pod Security labels, quotas or default-deny NetworkPolicy of ours.",
    defaultLevel: "mandatory",
    types: {
        label: "every namespaced kubernetes:* type, kubernetes:helm.sh/v3:Release",
        test: (t) => isNamespacedKubernetesType(t) || t === "kubernetes:helm.sh/v3:Release",
    },
    check: (props, args, report) => {
        let ns: string | undefined | typeof UNKNOWN;
        if (args.type === "kubernetes:helm.sh/v3:Release") {
            const v = peek(() => props.namespace);
            ns = v === UNKNOWN ? UNKNOWN : typeof v === "string" && v !== "" ? v : namespaceOf({}, providerProps(args));
        } else ns = namespaceOf(props, providerProps(args));
        if (ns === UNKNOWN) return;
        if (ns === undefined) report(`${kindOf(args.type)} has no namespace (it would land in the kubeconfig's default namespace).`);
        else if (ns === "default") report(`${kindOf(args.type)} is in the default namespace.`);
    },
});

export const SECRET_NAME_PATTERN = "(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|dsn|connection[_-]?string)";

export const k8sSecretsNotInEnv = resourceRule({
    name: "k8s-secrets-not-in-env",
    description: "Secret-looking values must not be literals in container env or ConfigMap data; reference a Secret instead.",
    why: "A literal secret in a manifest ends up in state, plans, kubectl describe and logs.",
    defaultLevel: "mandatory",
    types: [...WORKLOAD_TYPES, "kubernetes:core/v1:ConfigMap"],
    params: {
        namePattern: { type: "string", default: SECRET_NAME_PATTERN, description: "Case-insensitive regex over env var names / ConfigMap keys." },
        flagSecretKeyRef: { type: "boolean", default: false, description: "Also flag env from secretKeyRef/secretRef (prefer mounted secret files)." },
    },
    check: (props, args, report, cfg) => {
        const re = new RegExp(cfg.namePattern as string, "i");
        if (args.type === "kubernetes:core/v1:ConfigMap") {
            for (const [k, v] of Object.entries(asObject(props.data) ?? {}))
                if (re.test(k) && typeof v === "string" && v !== "") report(`ConfigMap key '${k}' looks like a secret; use a Secret.`);
            return;
        }
        for (const c of containersOf(podSpecOf(args.type, props))) {
            for (const e of asArray(c.c.env)) {
                const name = String(e?.name ?? "");
                const value = peek(() => e?.value);
                if (re.test(name) && typeof value === "string" && value !== "" && !isOpaque(value))
                    report(`${describe(c)} env ${name} holds a literal secret-looking value; use valueFrom.secretKeyRef or a mounted Secret.`);
                if (cfg.flagSecretKeyRef && asObject(e?.valueFrom)?.secretKeyRef)
                    report(`${describe(c)} env ${name} comes from a Secret; prefer a mounted secret file.`);
            }
            if (cfg.flagSecretKeyRef)
                for (const f of asArray(c.c.envFrom))
                    if (asObject(f)?.secretRef) report(`${describe(c)} loads a whole Secret with envFrom; prefer a mounted secret file.`);
        }
    },
});

export const k8sSaTokenAutomount = resourceRule({
    name: "k8s-sa-token-automount",
    description: "Pods should set automountServiceAccountToken = false unless they call the Kubernetes API.",
    why: "A mounted API token is a credential a compromised pod can use against the cluster.",
    defaultLevel: "advisory",
    types: WORKLOAD_TYPES,
    check: (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod && pod.automountServiceAccountToken !== false)
            report("The pod mounts a service-account token (set automountServiceAccountToken: false, or exempt workloads that use the API).");
    },
});

export const k8sNoDefaultServiceAccount = resourceRule({
    name: "k8s-no-default-serviceaccount",
    description: "Pods should run under a dedicated service account, not the namespace's default one.",
    why: "Everything in a namespace shares the default service account, so its permissions leak between workloads.",
    defaultLevel: "advisory",
    types: WORKLOAD_TYPES,
    check: (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (!pod) return;
        const sa = pod.serviceAccountName ?? pod.serviceAccount;
        if (sa === undefined || sa === "" || sa === "default") report("The pod uses the default service account; set serviceAccountName.");
    },
});

export const k8sNoPublicService = resourceRule({
    name: "k8s-no-public-service",
    description: "Services must not be LoadBalancer or NodePort (expose through the ingress layer); exempt the ingress controller.",
    why: "A LoadBalancer or NodePort Service opens a path from outside that skips the ingress layer's TLS and routing.",
    defaultLevel: "mandatory",
    types: ["kubernetes:core/v1:Service", "kubernetes:core/v1:ServicePatch"],
    params: {
        forbiddenTypes: {
            type: "array",
            items: { type: "string", enum: ["LoadBalancer", "NodePort", "ExternalName"] },
            default: ["LoadBalancer", "NodePort"],
            description: "Service types that are not allowed.",
        },
    },
    check: (props, _args, report, cfg) => {
        const t = asObject(props.spec)?.type;
        if (typeof t === "string" && (cfg.forbiddenTypes as string[]).includes(t)) report(`Service type ${t} exposes the workload outside the cluster.`);
    },
});

export const k8sNoBarePods = resourceRule({
    name: "k8s-no-bare-pods",
    description: "Bare Pods are not allowed; use a controller (Deployment, StatefulSet, Job) that reschedules them.",
    why: "A bare Pod is not recreated when its node goes away.",
    defaultLevel: "mandatory",
    types: ["kubernetes:core/v1:Pod"],
    check: (_props, _args, report) => {
        report("A bare Pod is not rescheduled when its node fails; use a Deployment, StatefulSet or Job.");
    },
});
