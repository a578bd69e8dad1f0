import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../helm";
import { AddonContext, podIdentityRole } from "./common";

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";

export interface LoadBalancerControllerArgs extends AddonContext {
    vpcId: pulumi.Input<string>;
    /** Tags on every load balancer, target group and security group the controller creates. */
    tags: Record<string, string>;
}

/** One internet-facing, HTTPS-only ALB shared by every app of the stack. */
export interface AlbSettings {
    host: string;
    /** A configured ARN, or the ARN of the certificate the program issues (an Output until it is validated). */
    certificateArn: pulumi.Input<string>;
    tlsPolicy: string;
    /** The ALB group: one load balancer for all apps of a stack. */
    groupName: string;
}

/** What an app needs to be served through the shared ALB (see {@link LoadBalancerController.route}). */
export interface AlbRoute {
    host: string;
    /** IngressClass the controller watches. */
    className: string;
    /** Ingress annotations for a rule evaluated at `order` in the group (lower first). */
    annotations: (order: number) => Record<string, pulumi.Input<string>>;
    /** Ingresses are created after the controller (its webhook and IngressClass must exist). */
    controller: pulumi.Resource;
}

/** Pure: the annotations of an HTTPS-only, internet-facing ALB Ingress in the shared group. */
export function albIngressAnnotations(s: AlbSettings, order: number): Record<string, pulumi.Input<string>> {
    return {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/group.name": s.groupName,
        "alb.ingress.kubernetes.io/group.order": String(order),
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": s.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": s.tlsPolicy,
        "alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
        "alb.ingress.kubernetes.io/success-codes": "200",
        // A pod leaves the target group within 30 s (default 300 s): it sleeps in preStop for longer than
        // the ALB takes to stop sending it new requests, and its grace period covers both.
        "alb.ingress.kubernetes.io/target-group-attributes": "deregistration_delay.timeout_seconds=30",
    };
}

// Chart source read for the values below: aws/eks-charts commit 5239609242f3430be50fb0b714a24d3ef2b47983
// ("aws-load-balancer-controller: v3.5.0 (#1354)"; Chart.yaml version 3.5.0), stable/aws-load-balancer-controller.

/**
 * The chart version whose CRDs (its crds/ directory: crds.yaml, gateway-crds.yaml) were last applied
 * by hand. Helm installs a chart's crds/ only on first install and never upgrades them, so a chart bump
 * must apply them first (docs/addons.md, "Upgrading the load balancer controller's CRDs"); a test fails while this differs from
 * the pinned chart version.
 */
export const LBC_CRDS_APPLIED_FOR = "3.5.0";

/** The controller pods' selector labels (`aws-load-balancer-controller.selectorLabels` in templates/_helpers.tpl; release name = chart name). */
export const LBC_POD_LABELS = { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": "aws-load-balancer-controller" };

/** Pure: the chart values (checked against the chart source above). */
export function loadBalancerControllerValues(args: {
    clusterName: string;
    region: string;
    vpcId: string;
    replicas: number;
    ingressClass: string;
    tags: Record<string, string>;
}) {
    return {
        // The controller creates ALBs, target groups and security groups itself: the stack's tags reach them only this way.
        defaultTags: args.tags,
        clusterName: args.clusterName,
        region: args.region,
        vpcId: args.vpcId,
        replicaCount: args.replicas,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        createIngressClassResource: true,
        // Its Service webhook intercepts every Service CREATE cluster-wide with failurePolicy
        // Fail: while the controller is down (or still starting on a fresh cluster) no Service
        // could be created. We run no type-LoadBalancer Service, so it has nothing to do.
        enableServiceMutatorWebhook: false,
        ingressClass: args.ingressClass,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        // Pod Security `restricted`: the chart's default container securityContext has drop ALL only as a
        // comment and no seccomp profile (values.yaml); templates/deployment.yaml renders this map as is.
        // Helm merges it with the defaults key by key; all of them are spelled out here.
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        // The controller serves the Ingress/TargetGroupBinding webhooks (failurePolicy Fail) itself. A drain
        // keeps one replica: templates/pdb.yaml renders the map as is, and only when replicaCount > 1.
        podDisruptionBudget: { minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        // Across zones (the chart's default affinity already prefers other nodes); rendered as is, so the
        // selector is ours. ScheduleAnyway: a controller that cannot schedule is worse than two in one zone.
        topologySpreadConstraints:
            args.replicas > 1
                ? [
                      {
                          maxSkew: 1,
                          topologyKey: "topology.kubernetes.io/zone",
                          whenUnsatisfiable: "ScheduleAnyway",
                          labelSelector: { matchLabels: { ...LBC_POD_LABELS } },
                      },
                  ]
                : [],
    };
}

/**
 * AWS Load Balancer Controller: turns `ingressClassName: alb` Ingresses into ALBs, with the IAM
 * policy the project publishes for this version, through Pod Identity. It owns the IngressClass
 * and the ALB annotations: apps get them from {@link route}.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
    /** Ingresses depend on this (the webhook and IngressClass must exist first). */
    readonly ready: pulumi.Resource;
    /** The IngressClass the chart creates; Ingresses select it by name. */
    readonly ingressClassName = "alb";

    constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:LoadBalancerController", name, {}, opts);
        const iam = podIdentityRole(this, name, {
            clusterName: args.clusterName,
            namespace: NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            policy: JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, "data", "aws-load-balancer-controller-policy.json"), "utf8"))),
        });
        this.ready = helmRelease(
            name,
            {
                chart: "awsLoadBalancerController",
                namespace: NAMESPACE,
                values: pulumi.all([args.clusterName, args.vpcId]).apply(([clusterName, vpcId]) =>
                    loadBalancerControllerValues({
                        clusterName,
                        region: args.region,
                        vpcId,
                        replicas: args.replicas,
                        ingressClass: this.ingressClassName,
                        tags: args.tags,
                    }),
                ),
            },
            { parent: this, provider: args.provider, dependsOn: [iam.association] },
        );
        this.registerOutputs({});
    }

    /** What an app needs to be served at `settings.host` through the stack's one ALB. */
    route(settings: AlbSettings): AlbRoute {
        return {
            host: settings.host,
            className: this.ingressClassName,
            annotations: (order) => albIngressAnnotations(settings, order),
            controller: this.ready,
        };
    }
}
