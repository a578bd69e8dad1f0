import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AddonContext, helmAddon, HelmChartSpec, mergeValues, podIdentityRole, versions } from "./common";

export const LOAD_BALANCER_CONTROLLER_CHART: HelmChartSpec = {
    chart: versions.awsLoadBalancerController.chart,
    repo: versions.awsLoadBalancerController.repo,
    version: versions.awsLoadBalancerController.version,
    namespace: "kube-system",
};
const SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** The IngressClass the chart creates; Ingresses select it by name. */
export const ALB_INGRESS_CLASS = "alb";

export interface LoadBalancerControllerArgs extends AddonContext {
    vpcId: pulumi.Input<string>;
    values?: Record<string, unknown>;
}

/**
 * AWS Load Balancer Controller: turns `ingressClassName: alb` Ingresses into ALBs, with the IAM
 * policy the project publishes for this version, through Pod Identity. Ingresses depend on it.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
    /** Ingresses depend on this (the webhook and IngressClass must exist first). */
    readonly ready: pulumi.Resource;

    constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:addons:LoadBalancerController", name, {}, opts);
        const iam = podIdentityRole(this, name, {
            clusterName: args.clusterName,
            namespace: LOAD_BALANCER_CONTROLLER_CHART.namespace,
            serviceAccount: SERVICE_ACCOUNT,
            policy: JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, "data", "aws-load-balancer-controller-policy.json"), "utf8"))),
        });
        this.ready = helmAddon(
            name,
            LOAD_BALANCER_CONTROLLER_CHART,
            pulumi.all([args.clusterName, args.vpcId]).apply(([clusterName, vpcId]) =>
                mergeValues(
                    {
                        clusterName,
                        region: args.region,
                        vpcId,
                        replicaCount: args.replicas,
                        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
                        createIngressClassResource: true,
                        // Its Service webhook intercepts every Service CREATE cluster-wide with failurePolicy
                        // Fail: while the controller is down (or still starting on a fresh cluster) no Service
                        // could be created. We run no type-LoadBalancer Service, so it has nothing to do.
                        enableServiceMutatorWebhook: false,
                        ingressClass: ALB_INGRESS_CLASS,
                        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                    },
                    args.values,
                ),
            ),
            { parent: this, provider: args.provider, dependsOn: [iam.association] },
        );
        this.registerOutputs({});
    }
}

export interface AlbIngressSettings {
    host: string;
    certificateArn: string;
    tlsPolicy: string;
    /** One ALB for all apps of a stack. */
    groupName: string;
}

/** Pure: the annotations of an HTTPS-only, internet-facing ALB Ingress in the shared group. */
export function albIngressAnnotations(s: AlbIngressSettings, order: number): Record<string, string> {
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
    };
}
