/**
 * shop-platform: one program, one stack per environment (Pulumi.<stack>.yaml).
 * Composition only: configuration is parsed in config/, resources live in components/.
 */
import { loadShopConfig } from "./config";
import { ExternalSecrets } from "./components/addons/externalSecrets";
import { Karpenter } from "./components/addons/karpenter";
import { LoadBalancerController } from "./components/addons/loadBalancerController";
import { MetricsServer } from "./components/addons/metricsServer";
import { catalogArgs, storefrontArgs, WebApp } from "./components/apps";
import { Cluster } from "./components/cluster";
import { Postgres } from "./components/data/postgres";
import { Redis } from "./components/data/redis";
import { AppImage } from "./components/images";
import { NAMESPACES } from "./components/k8s";
import { Namespaces } from "./components/k8s/namespaces";
import { KubernetesSecretSink } from "./components/k8s/secrets";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { tagAllAwsResources } from "./components/tagging";

const config = loadShopConfig(); // throws, listing every bad key, before anything is registered
tagAllAwsResources(config.tags);

// AWS: network, cluster, images.
const network = new Network(`shop-${config.stack}`, { ...config.network, clusterName: config.cluster.name, tags: config.tags });
const cluster = new Cluster(config.cluster.name, {
    ...config.cluster,
    region: config.region,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    kmsDeletionWindowDays: config.environment === "prod" ? 30 : 7,
});
const image = (app: string) => new AppImage(app, { repositoryName: `shop-${config.stack}/${app}`, context: `apps/${app}`, ...config.images });
const storefrontImage = image("storefront");
const catalogImage = image("catalog");

// Cluster add-ons: pod metrics, node autoscaling, load balancers (when exposed), the secrets vault (when on).
const provider = cluster.provider;
const addon = { provider, clusterName: cluster.clusterName, region: config.region, replicas: config.addons.replicas };
const metricsServer = new MetricsServer("metrics-server", addon);
new Karpenter("karpenter", {
    ...addon,
    clusterSecurityGroupId: cluster.clusterSecurityGroupId,
    systemNodeSelector: cluster.systemNodeSelector,
    nodePool: config.addons.karpenter,
    tags: config.tags,
});
const { ingress, externalSecrets } = config.addons;
const loadBalancers = ingress && new LoadBalancerController("aws-load-balancer-controller", { ...addon, vpcId: network.vpcId });
const secretSink = externalSecrets
    ? new ExternalSecrets("external-secrets", { ...addon, secretPrefix: `shop-${config.stack}`, refreshMinutes: externalSecrets.refreshMinutes })
    : new KubernetesSecretSink();

// Kubernetes: namespaces, monitoring (its CRDs first), data services, the two apps.
const namespaces = new Namespaces("namespaces", { provider });
const inNamespaces = { dependsOn: [namespaces] };
const storage = { storageClassName: cluster.storageClassName, secretSink };
const monitoring = new Monitoring(
    "monitoring",
    {
        provider,
        namespace: namespaces.monitoring,
        stack: config.stack,
        clusterName: config.cluster.name,
        ...config.monitoring,
        ...storage,
        contentDir: `${__dirname}/monitoring`,
    },
    inNamespaces,
);
const data = {
    provider,
    namespace: namespaces.data,
    clientNamespaces: [NAMESPACES.apps],
    monitoringNamespace: NAMESPACES.monitoring,
    monitoringCrds: monitoring.crds,
    ...storage,
};
const postgres = new Postgres(
    "postgres",
    {
        ...data,
        ...config.data.postgres,
        database: "shop",
        roles: [
            { name: "storefront", access: "owner" },
            { name: "catalog", access: "readonly" },
        ],
    },
    inNamespaces,
);
const redis = new Redis("redis", { ...data, ...config.data.redis }, inNamespaces);
const appContext = {
    base: {
        provider,
        namespace: namespaces.apps,
        monitoringNamespace: NAMESPACES.monitoring,
        monitoringCrds: monitoring.crds,
        secretSink,
        autoscalingReady: metricsServer.ready,
    },
    postgres,
    redis,
    ingress: loadBalancers && ingress && { ...ingress, groupName: `shop-${config.stack}`, vpcCidr: config.network.cidr, controller: loadBalancers.ready },
};
const storefront = new WebApp("storefront", storefrontArgs(appContext, storefrontImage.imageRef, config.apps.storefront), inNamespaces);
const catalog = new WebApp("catalog", catalogArgs(appContext, catalogImage.imageRef, config.apps.catalog), inNamespaces);

export const vpcId = network.vpcId;
export const clusterName = cluster.clusterName;
export const clusterEndpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig; // secret
export const storefrontImageRef = storefrontImage.imageRef;
export const catalogImageRef = catalogImage.imageRef;
export const namespaceNames = NAMESPACES;
export const services = { storefront: storefront.serviceHost, catalog: catalog.serviceHost, postgres: postgres.host, redis: redis.host };
export const url = ingress ? `https://${ingress.host}/` : `kubectl -n ${NAMESPACES.apps} port-forward svc/storefront 8000:80`;
export const grafana = `kubectl -n ${NAMESPACES.monitoring} port-forward svc/${monitoring.grafanaService} 3000:80  # user admin, password: kubectl -n ${NAMESPACES.monitoring} get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d`;
