import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { credentialsAnnotation, generatedPassword, SecretSink } from "../k8s/secrets";
import {
    contentHash,
    contentName,
    PEERS,
    recommendedLabels,
    resources,
    Resources,
    restrictedContainerSecurity,
    restrictedPodSecurity,
    scratchVolume,
    secretEnv,
    selectorLabels,
    serviceHost,
    serviceMonitor,
} from "../k8s";

/** A backing service the app may reach (egress is denied otherwise). */
export interface Dependency {
    namespace: string;
    /** Pod labels of the service's pods. */
    podLabels: Record<string, string>;
    port: number;
}

export interface WebAppArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    /** Digest-pinned image reference (`repo@sha256:…`) from an AppImage. */
    image: pulumi.Input<string>;
    /** Container port; the app reads it from PORT. */
    port: number;
    replicas: number;
    minReplicas: number;
    maxReplicas: number;
    /** Plain configuration: rendered into a ConfigMap. Never a secret. */
    config: Record<string, string>;
    /** Secret values (Pulumi secrets): written to the app's Secret, read through secretKeyRef. */
    secrets: Record<string, pulumi.Input<string>>;
    /** Env var names whose value the component generates (random, secret), e.g. ADMIN_TOKEN. */
    generatedSecrets?: string[];
    /**
     * Env vars composed from other vars with Kubernetes' `$(VAR)` expansion, e.g.
     * `DATABASE_URL: "postgresql://storefront:$(DB_PASSWORD)@host/db"`: the manifest holds only the reference.
     */
    composedEnv?: Record<string, pulumi.Input<string>>;
    dependencies: Dependency[];
    monitoringNamespace: string;
    monitoringCrds: pulumi.Resource;
    /** Runs to completion before the Deployment rolls (e.g. `["./run", "migrate"]`). */
    preDeployCommand?: string[];
    /** Resources must exist before the Deployment (the database bootstrap). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    resources?: Resources;
    secretSink: SecretSink;
    /** Rotation counter: a new value regenerates `generatedSecrets` and rolls the pods (they read secrets at start). */
    credentialsGeneration: number;
    /** The resource-metrics API (metrics-server): the HPA is created after it. */
    autoscalingReady?: pulumi.Resource;
    /**
     * Internet exposure through the stack's load balancer (HTTPS only); omit for none. `vpcCidr` is
     * admitted to the app port by the NetworkPolicy: ALB targets are pod IPs, reached from the load
     * balancer's subnets. The class and annotations come from the load-balancer controller.
     */
    ingress?: WebAppIngress;
}

export interface WebAppIngress {
    host: string;
    /** Path prefix routed to this app. */
    path: string;
    className: string;
    annotations: Record<string, pulumi.Input<string>>;
    vpcCidr: string;
    /** Created after it (the controller's webhook and IngressClass). */
    controller: pulumi.Resource;
}

const UID = 10001; // the apps' Dockerfiles run as this numeric user
/** Seconds a terminating pod keeps serving before SIGTERM (less than the grace period, more than endpoint propagation). */
const PRE_STOP_SECONDS = 10;

export function validateWebAppArgs(name: string, args: WebAppArgs): void {
    const problems: string[] = [];
    if (args.minReplicas > args.maxReplicas) problems.push("minReplicas must be <= maxReplicas");
    if (args.replicas < args.minReplicas || args.replicas > args.maxReplicas) problems.push("replicas must be within [minReplicas, maxReplicas]");
    const secretNames = new Set([...Object.keys(args.secrets), ...(args.generatedSecrets ?? [])]);
    for (const key of Object.keys(args.config)) if (secretNames.has(key)) problems.push(`${key} is both config and secret`);
    for (const [key, value] of Object.entries(args.config)) {
        if (/password|secret|token/i.test(key)) problems.push(`config key ${key} looks like a secret: pass it in secrets`);
        if (/:\/\/[^/\s:]+:[^@\s$]+@/.test(value)) problems.push(`config ${key} embeds credentials: use composedEnv with $(VAR)`);
    }
    if (problems.length) throw new Error(`WebApp ${name}: ${problems.join("; ")}`);
}

/**
 * One HTTP application on Kubernetes, production-shaped: digest-pinned image, restricted
 * security, probes, requests/limits, zone spread, rolling updates that never drop capacity,
 * HPA, PDB, ServiceMonitor, NetworkPolicies that admit only what it needs, config from a
 * ConfigMap and secrets only through secretKeyRef, and an optional pre-deploy Job.
 */
export class WebApp extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly serviceHost: pulumi.Output<string>;
    readonly deploymentName: pulumi.Output<string>;
    readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: WebAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:apps:WebApp", name, {}, opts);
        validateWebAppArgs(name, args);
        const ctx: BuildContext = { parent: this, name, args, labels: recommendedLabels(name, "web"), selector: selectorLabels(name) };

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { name, namespace: args.namespace, labels: ctx.labels }, automountServiceAccountToken: false },
            { parent: this, provider: args.provider },
        );
        const settings = createSettings(ctx);
        this.secretName = settings.secret.name;
        const pod = podTemplate(ctx, serviceAccount, settings);
        // The firewall exists before anything of this app runs: the namespace denies by default.
        const networkPolicy = createNetworkPolicy(ctx);

        const dependsOn: pulumi.Input<pulumi.Resource>[] = [...(args.dependsOn ?? []), settings.configMap, settings.secret.ready, networkPolicy];
        if (args.preDeployCommand) dependsOn.push(createPreDeployJob(ctx, pod, settings, args.preDeployCommand, dependsOn));
        const deployment = createDeployment(ctx, pod, dependsOn);
        this.deploymentName = deployment.metadata.name;
        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name, namespace: args.namespace, labels: ctx.labels },
                spec: { type: "ClusterIP", selector: ctx.selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
            },
            { parent: this, provider: args.provider },
        );
        this.serviceName = service.metadata.name;
        this.serviceHost = serviceHost(service, args.namespace);
        createScaling(ctx, deployment);
        serviceMonitor(
            name,
            { namespace: args.namespace, labels: ctx.labels, port: "http", crds: args.monitoringCrds },
            { parent: this, provider: args.provider },
        );
        if (args.ingress) createIngress(ctx, args.ingress, service);
        this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, secretName: this.secretName });
    }
}

interface BuildContext {
    parent: pulumi.Resource;
    name: string;
    args: WebAppArgs;
    labels: Record<string, string>;
    selector: Record<string, string>;
}

const opts = (ctx: BuildContext) => ({ parent: ctx.parent, provider: ctx.args.provider });

/** The ConfigMap (plain settings) and the Secret (given and generated secrets) the app reads. */
function createSettings(ctx: BuildContext) {
    const { name, args } = ctx;
    // Content-addressed: a config change is a new ConfigMap (created first) that rolls exactly this app.
    const data = { ...args.config, PORT: String(args.port) };
    const configMap = new k8s.core.v1.ConfigMap(
        name,
        { metadata: { name: contentName(`${name}-config`, data), namespace: args.namespace, labels: ctx.labels }, data },
        opts(ctx),
    );
    const generated = Object.fromEntries(
        (args.generatedSecrets ?? []).map((key) => [
            key,
            generatedPassword(ctx.parent, `${name}-${key.toLowerCase()}`, { generation: args.credentialsGeneration, length: 40 }),
        ]),
    );
    const secretData = { ...Object.fromEntries(Object.entries(args.secrets).map(([k, v]) => [k, pulumi.secret(v)])), ...generated };
    const secret = args.secretSink.create(ctx.parent, args.provider, {
        name: `${name}-secrets`,
        namespace: args.namespace,
        labels: ctx.labels,
        data: secretData,
    });
    return { configMap, secret, secretKeys: Object.keys(secretData) };
}

/** The pod shape shared by the Deployment and the pre-deploy Job: one container, restricted, config and secrets wired in. */
function podTemplate(ctx: BuildContext, serviceAccount: k8s.core.v1.ServiceAccount, settings: ReturnType<typeof createSettings>) {
    const { name, args } = ctx;
    // Secret vars first: $(VAR) expansion only sees vars defined earlier in the list.
    const env: k8s.types.input.core.v1.EnvVar[] = [
        ...settings.secretKeys.map((key) => secretEnv(key, settings.secret.name, key)),
        ...Object.entries(args.composedEnv ?? {}).map(([key, value]) => ({ name: key, value })),
    ];
    const container = (command?: string[]): k8s.types.input.core.v1.Container => ({
        name,
        image: args.image,
        ...(command ? { command } : {}),
        envFrom: [{ configMapRef: { name: settings.configMap.metadata.name } }],
        env,
        securityContext: restrictedContainerSecurity(),
        resources: resources(args.resources ?? { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" }),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    });
    const spec = (command?: string[]): k8s.types.input.core.v1.PodSpec => ({
        serviceAccountName: serviceAccount.metadata.name,
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurity(UID),
        volumes: [scratchVolume("tmp")],
        containers: [container(command)],
    });
    return { container, spec };
}
type PodTemplate = ReturnType<typeof podTemplate>;

/** Ingress on the app port from monitoring (and the VPC when exposed); egress to DNS and the declared dependencies only. */
function createNetworkPolicy(ctx: BuildContext): k8s.networking.v1.NetworkPolicy {
    const { name, args } = ctx;
    const ingressFrom: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [PEERS.namespace(args.monitoringNamespace)];
    if (args.ingress) ingressFrom.push({ ipBlock: { cidr: args.ingress.vpcCidr } });
    return new k8s.networking.v1.NetworkPolicy(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: ctx.labels },
            spec: {
                // By name only: the app's pods and its pre-deploy Job share this firewall.
                podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: ingressFrom, ports: [{ protocol: "TCP", port: args.port }] }],
                egress: [
                    PEERS.dns(),
                    ...args.dependencies.map((d) => ({ to: [PEERS.pods(d.namespace, d.podLabels)], ports: [{ protocol: "TCP", port: d.port }] })),
                ],
            },
        },
        opts(ctx),
    );
}

/** A Job that runs `command` to completion before the Deployment rolls (e.g. migrations). */
function createPreDeployJob(
    ctx: BuildContext,
    pod: PodTemplate,
    settings: ReturnType<typeof createSettings>,
    command: string[],
    dependsOn: pulumi.Input<pulumi.Resource>[],
): k8s.batch.v1.Job {
    const { name, args } = ctx;
    // Jobs are immutable: the name carries the image digest (each new image migrates once) and the
    // names of what it reads, so a new config is a new Job created before the old one goes.
    const jobName = pulumi
        .all([args.image, settings.configMap.metadata.name, settings.secret.name])
        .apply(([image, cm, secret]) => `${name}-${command[command.length - 1]}-${digestSuffix(image)}-${contentHash([cm, secret]).slice(0, 6)}`);
    // Its own instance label: the Service, Deployment and PDB select name+instance, so a running
    // migration never receives traffic; the NetworkPolicy selects by name and covers it.
    const jobLabels = { ...ctx.labels, "app.kubernetes.io/instance": `${name}-pre-deploy`, "app.kubernetes.io/component": "pre-deploy" };
    return new k8s.batch.v1.Job(
        `${name}-pre-deploy`,
        {
            // A failed Job is replaced on the next `up` instead of failing it again (pulumi-kubernetes#856).
            metadata: { name: jobName, namespace: args.namespace, labels: jobLabels, annotations: { "pulumi.com/replaceUnready": "true" } },
            spec: {
                backoffLimit: 3,
                activeDeadlineSeconds: 600,
                template: { metadata: { labels: jobLabels }, spec: { ...pod.spec(command), restartPolicy: "Never" } },
            },
        },
        { ...opts(ctx), dependsOn: [...dependsOn] },
    );
}

/** The Deployment: never below the desired count during a rollout, spread over zones and nodes, probes on /healthz and /readyz. */
function createDeployment(ctx: BuildContext, pod: PodTemplate, dependsOn: pulumi.Input<pulumi.Resource>[]): k8s.apps.v1.Deployment {
    const { name, args } = ctx;
    const probe = (path: string, periodSeconds: number, failureThreshold: number): k8s.types.input.core.v1.Probe => ({
        httpGet: { path, port: "http" },
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
    });
    const spread = (topologyKey: string) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: ctx.selector } });
    return new k8s.apps.v1.Deployment(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: ctx.labels },
            spec: {
                replicas: args.replicas,
                revisionHistoryLimit: 5,
                selector: { matchLabels: ctx.selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                template: {
                    metadata: { labels: ctx.labels, annotations: credentialsAnnotation(args.credentialsGeneration) },
                    spec: {
                        ...pod.spec(),
                        terminationGracePeriodSeconds: 30,
                        topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
                        containers: [
                            {
                                ...pod.container(),
                                ports: [{ name: "http", containerPort: args.port }],
                                // Keep serving while the endpoints and the ALB drop the pod (the app then shuts down gracefully
                                // on SIGTERM); the kubelet's sleep action needs no shell in the image.
                                lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
                                startupProbe: probe("/healthz", 2, 30),
                                livenessProbe: probe("/healthz", 10, 3),
                                readinessProbe: probe("/readyz", 5, 2),
                            },
                        ],
                    },
                },
            },
        },
        // The HPA owns replicas once running; re-applying must not reset its decision.
        { ...opts(ctx), dependsOn, ignoreChanges: ["spec.replicas"] },
    );
}

/** The HPA (CPU 70 %), and a PDB when there are two or more replicas (one replica must not block node drains). */
function createScaling(ctx: BuildContext, deployment: k8s.apps.v1.Deployment): void {
    const { name, args } = ctx;
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: ctx.labels },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                minReplicas: args.minReplicas,
                maxReplicas: args.maxReplicas,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
            },
        },
        { ...opts(ctx), dependsOn: args.autoscalingReady ? [args.autoscalingReady] : [] },
    );
    if (args.replicas >= 2 || args.minReplicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
            name,
            {
                metadata: { name, namespace: args.namespace, labels: ctx.labels },
                spec: {
                    minAvailable: 1,
                    selector: { matchLabels: ctx.selector },
                    // The default (IfHealthyBudget) never evicts a crash-looping pod while the budget
                    // is spent, so one bad rollout would block every node drain and Karpenter
                    // consolidation; AlwaysAllow evicts pods that are not Ready anyway (policy/v1,
                    // GA in Kubernetes 1.31: kubernetes.io/docs/tasks/run-application/configure-pdb/).
                    unhealthyPodEvictionPolicy: "AlwaysAllow",
                },
            },
            opts(ctx),
        );
    }
}

/** The app's rule on the shared load balancer. */
function createIngress(ctx: BuildContext, ingress: WebAppIngress, service: k8s.core.v1.Service): void {
    const { name, args } = ctx;
    new k8s.networking.v1.Ingress(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: ctx.labels, annotations: ingress.annotations },
            spec: {
                ingressClassName: ingress.className,
                tls: [{ hosts: [ingress.host] }],
                rules: [
                    {
                        host: ingress.host,
                        http: {
                            paths: [{ path: ingress.path, pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }],
                        },
                    },
                ],
            },
        },
        { ...opts(ctx), dependsOn: [ingress.controller] },
    );
}

/** The first 10 hex digits of an image digest, or of the reference itself when it has none (preview). */
export function digestSuffix(image: string): string {
    const m = /@sha256:([0-9a-f]{10})/.exec(image);
    if (m) return m[1];
    let h = 0;
    for (const c of image) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(16).padStart(8, "0");
}
