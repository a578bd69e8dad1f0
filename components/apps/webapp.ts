import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { credentialsAnnotation, generatedPassword, SecretSink } from "../k8s/secrets";
import { ALB_INGRESS_CLASS, albIngressAnnotations, AlbIngressSettings } from "../addons/loadBalancerController";
import { PEERS, recommendedLabels, resources, Resources, restrictedContainerSecurity, restrictedPodSecurity, scratchVolume, secretEnv, selectorLabels, serviceMonitor } from "../k8s";

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
     * Internet exposure through the shared ALB (HTTPS only); omit for none. `vpcCidr` is admitted to
     * the app port by the NetworkPolicy: ALB targets are pod IPs, reached from the load balancer's subnets.
     */
    ingress?: AlbIngressSettings & { path: string; order: number; vpcCidr: string; controller: pulumi.Resource };
}

const UID = 10001; // the apps' Dockerfiles run as this numeric user

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
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = recommendedLabels(name, "web");
        const selector = selectorLabels(name);

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { name, namespace: args.namespace, labels }, automountServiceAccountToken: false },
            k8sOpts,
        );
        const configMap = new k8s.core.v1.ConfigMap(
            name,
            { metadata: { name: `${name}-config`, namespace: args.namespace, labels }, data: { ...args.config, PORT: String(args.port) } },
            k8sOpts,
        );
        const generated = Object.fromEntries(
            (args.generatedSecrets ?? []).map((key) => [key, generatedPassword(this, `${name}-${key.toLowerCase()}`, { generation: args.credentialsGeneration, length: 40 })]),
        );
        const secretData = { ...Object.fromEntries(Object.entries(args.secrets).map(([k, v]) => [k, pulumi.secret(v)])), ...generated };
        const secret = args.secretSink.create(this, args.provider, { name: `${name}-secrets`, namespace: args.namespace, labels, data: secretData });
        this.secretName = secret.name;

        // Secret vars first: $(VAR) expansion only sees vars defined earlier in the list.
        const env: k8s.types.input.core.v1.EnvVar[] = [
            ...Object.keys(secretData).map((key) => secretEnv(key, secret.name, key)),
            ...Object.entries(args.composedEnv ?? {}).map(([key, value]) => ({ name: key, value })),
        ];
        const container = (command?: string[]): k8s.types.input.core.v1.Container => ({
            name,
            image: args.image,
            ...(command ? { command } : {}),
            envFrom: [{ configMapRef: { name: configMap.metadata.name } }],
            env,
            securityContext: restrictedContainerSecurity(),
            resources: resources(args.resources ?? { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" }),
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        });
        const podSpec = (command?: string[]): k8s.types.input.core.v1.PodSpec => ({
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(UID),
            volumes: [scratchVolume("tmp")],
            containers: [container(command)],
        });

        // The firewall exists before anything of this app runs: the namespace denies by default.
        const ingressFrom: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [PEERS.namespace(args.monitoringNamespace)];
        if (args.ingress) ingressFrom.push({ ipBlock: { cidr: args.ingress.vpcCidr } });
        const networkPolicy = new k8s.networking.v1.NetworkPolicy(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
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
            k8sOpts,
        );


        const dependsOn: pulumi.Input<pulumi.Resource>[] = [...(args.dependsOn ?? []), configMap, secret.ready, networkPolicy];
        if (args.preDeployCommand) {
            // Jobs are immutable: the name carries the image digest, so each new image migrates once.
            const jobName = pulumi.output(args.image).apply((image) => `${name}-${args.preDeployCommand![args.preDeployCommand!.length - 1]}-${digestSuffix(image)}`);
            // Its own instance label: the Service, Deployment and PDB select name+instance, so a running
            // migration never receives traffic; the NetworkPolicy selects by name and covers it.
            const jobLabels = { ...labels, "app.kubernetes.io/instance": `${name}-pre-deploy`, "app.kubernetes.io/component": "pre-deploy" };
            const job = new k8s.batch.v1.Job(
                `${name}-pre-deploy`,
                {
                    // A failed Job is replaced on the next `up` instead of failing it again (pulumi-kubernetes#856).
                    metadata: { name: jobName, namespace: args.namespace, labels: jobLabels, annotations: { "pulumi.com/replaceUnready": "true" } },
                    spec: {
                        backoffLimit: 3,
                        activeDeadlineSeconds: 600,
                        template: {
                            metadata: { labels: jobLabels },
                            spec: { ...podSpec(args.preDeployCommand), restartPolicy: "Never" },
                        },
                    },
                },
                { ...k8sOpts, dependsOn },
            );
            dependsOn.push(job);
        }

        const probe = (path: string, periodSeconds: number, failureThreshold: number): k8s.types.input.core.v1.Probe => ({
            httpGet: { path, port: "http" },
            periodSeconds,
            timeoutSeconds: 2,
            failureThreshold,
        });
        const deployment = new k8s.apps.v1.Deployment(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    replicas: args.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    // Never below the desired count during a rollout.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: { labels, annotations: credentialsAnnotation(args.credentialsGeneration) },
                        spec: {
                            ...podSpec(),
                            terminationGracePeriodSeconds: 30,
                            topologySpreadConstraints: [
                                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
                                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
                            ],
                            containers: [
                                {
                                    ...container(),
                                    ports: [{ name: "http", containerPort: args.port }],
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
            { ...k8sOpts, dependsOn, ignoreChanges: ["spec.replicas"] },
        );
        this.deploymentName = deployment.metadata.name;

        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
            },
            k8sOpts,
        );
        this.serviceName = service.metadata.name;
        this.serviceHost = pulumi.interpolate`${service.metadata.name}.${args.namespace}.svc.cluster.local`;

        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                    minReplicas: args.minReplicas,
                    maxReplicas: args.maxReplicas,
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
                },
            },
            { ...k8sOpts, dependsOn: args.autoscalingReady ? [args.autoscalingReady] : [] },
        );
        if (args.replicas >= 2 || args.minReplicas >= 2) {
            new k8s.policy.v1.PodDisruptionBudget(
                name,
                { metadata: { name, namespace: args.namespace, labels }, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
                k8sOpts,
            );
        }
        serviceMonitor(name, { namespace: args.namespace, labels, port: "http", crds: args.monitoringCrds }, k8sOpts);

        if (args.ingress) {
            new k8s.networking.v1.Ingress(
                name,
                {
                    metadata: { name, namespace: args.namespace, labels, annotations: albIngressAnnotations(args.ingress, args.ingress.order) },
                    spec: {
                        ingressClassName: ALB_INGRESS_CLASS,
                        tls: [{ hosts: [args.ingress.host] }],
                        rules: [
                            {
                                host: args.ingress.host,
                                http: { paths: [{ path: args.ingress.path, pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] },
                            },
                        ],
                    },
                },
                { ...k8sOpts, dependsOn: [args.ingress.controller] },
            );
        }
        this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, secretName: this.secretName });
    }
}

/** The first 10 hex digits of an image digest, or of the reference itself when it has none (preview). */
export function digestSuffix(image: string): string {
    const m = /@sha256:([0-9a-f]{10})/.exec(image);
    if (m) return m[1];
    let h = 0;
    for (const c of image) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(16).padStart(8, "0");
}
