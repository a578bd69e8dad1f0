/**
 * shop-platform: one program, one stack per environment (Pulumi.<stack>.yaml).
 * Composition only: configuration is parsed in config/, resources live in components/.
 */
import { loadShopConfig } from "./config";
import * as shop from "./components";

const config = loadShopConfig(); // throws, listing every bad key, before anything is registered
shop.tagAllAwsResources(config.tags);

// AWS: network, cluster, images.
const network = new shop.Network(`shop-${config.stack}`, { ...config.network, clusterName: config.cluster.name, tags: config.tags });
const cluster = new shop.Cluster(config.cluster.name, {
    ...config.cluster,
    region: config.region,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    kmsDeletionWindowDays: config.kms.deletionWindowDays,
});
const image = (app: string) => new shop.AppImage(app, { repositoryName: `shop-${config.stack}/${app}`, context: `apps/${app}`, ...config.images });
const storefrontImage = image("storefront");
const catalogImage = image("catalog");

// Cluster add-ons: pod metrics, node autoscaling, load balancers (when exposed), the secrets vault (when on).
const provider = cluster.provider;
const addon = { provider, clusterName: cluster.clusterName, region: config.region, replicas: config.addons.replicas };
const metricsServer = new shop.MetricsServer("metrics-server", addon);
new shop.Karpenter("karpenter", {
    ...addon,
    systemNodeSelector: cluster.systemNodeSelector,
    nodePool: config.addons.karpenter,
    tags: config.tags,
});
const { ingress, externalSecrets } = config.addons;
const loadBalancers = ingress.enabled ? new shop.LoadBalancerController("aws-load-balancer-controller", { ...addon, vpcId: network.vpcId }) : undefined;
const secretSink = externalSecrets.enabled
    ? new shop.ExternalSecrets("external-secrets", {
          ...addon,
          ...externalSecrets,
          kmsDeletionWindowDays: config.kms.deletionWindowDays,
          secretPrefix: `shop-${config.stack}`,
      })
    : new shop.KubernetesSecretSink();

// Kubernetes: namespaces, monitoring (its CRDs first), data services, the two apps.
const namespaces = new shop.Namespaces("namespaces", { provider });
const inNamespaces = { dependsOn: [namespaces] };
const shared = { storageClassName: cluster.storageClassName, secretSink, credentialsGeneration: config.credentialsGeneration };
const monitoring = new shop.Monitoring(
    "monitoring",
    {
        provider,
        namespace: namespaces.monitoring,
        stack: config.stack,
        clusterName: config.cluster.name,
        ...config.monitoring,
        ...shared,
        contentDir: `${__dirname}/monitoring`,
    },
    inNamespaces,
);
const data = {
    provider,
    namespace: namespaces.data,
    clientNamespaces: [shop.NAMESPACES.apps],
    monitoringNamespace: shop.NAMESPACES.monitoring,
    monitoringCrds: monitoring.crds,
    ...shared,
};
const postgres = new shop.Postgres(
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
const redis = new shop.Redis("redis", { ...data, ...config.data.redis }, inNamespaces);
const appContext = {
    base: {
        provider,
        namespace: namespaces.apps,
        monitoringNamespace: shop.NAMESPACES.monitoring,
        monitoringCrds: monitoring.crds,
        secretSink,
        credentialsGeneration: config.credentialsGeneration,
        autoscalingReady: metricsServer.ready,
    },
    postgres,
    redis,
    ingress: loadBalancers && {
        host: ingress.host!,
        certificateArn: ingress.certificateArn!,
        tlsPolicy: ingress.tlsPolicy,
        groupName: `shop-${config.stack}`,
        vpcCidr: config.network.cidr,
        controller: loadBalancers.ready,
    },
};
const storefront = new shop.WebApp("storefront", shop.storefrontArgs(appContext, storefrontImage.imageRef, config.apps.storefront), inNamespaces);
const catalog = new shop.WebApp("catalog", shop.catalogArgs(appContext, catalogImage.imageRef, config.apps.catalog), inNamespaces);

export const vpcId = network.vpcId;
export const clusterName = cluster.clusterName;
export const clusterEndpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig; // secret
export const storefrontImageRef = storefrontImage.imageRef;
export const catalogImageRef = catalogImage.imageRef;
export const namespaceNames = shop.NAMESPACES;
export const services = { storefront: storefront.serviceHost, catalog: catalog.serviceHost, postgres: postgres.host, redis: redis.host };
export const url = ingress.enabled ? `https://${ingress.host}/` : `kubectl -n ${shop.NAMESPACES.apps} port-forward svc/storefront 8000:80`;
export const grafana = `kubectl -n ${shop.NAMESPACES.monitoring} port-forward svc/${monitoring.grafanaService} 3000:80  # user admin, password: kubectl -n ${shop.NAMESPACES.monitoring} get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d`;
