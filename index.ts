/**
 * shop-platform: one program, one stack per environment (Pulumi.<stack>.yaml).
 * Composition only: configuration is parsed in config/, resources live in components/.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadShopConfig } from "./config";
import * as shop from "./components";

const config = loadShopConfig(); // throws, listing every bad key, before anything is registered
const { stack, region, tags, addons } = config;
shop.tagAllAwsResources(tags);

// AWS: network, cluster, images.
const network = new shop.Network(`shop-${stack}`, { ...config.network, clusterName: config.cluster.name, tags });
const cluster = new shop.Cluster(config.cluster.name, {
    ...config.cluster,
    region,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    kmsDeletionWindowDays: config.kms.deletionWindowDays,
    deployRoleArn: config.cluster.deployRoleArn!, // loadShopConfig refuses to run without it (a deploy gap)
    protect: config.protectData,
    tags,
});
const image = (app: string) =>
    new shop.AppImage(app, { repositoryName: `shop-${stack}/${app}`, context: `apps/${app}`, ...config.images, protect: config.protectData });
const images = { storefront: image("storefront"), catalog: image("catalog") };

// Cluster add-ons: pod metrics, node autoscaling, load balancers (when exposed), the secrets vault (when on).
const { provider } = cluster;
const addon = { provider, clusterName: cluster.clusterName, region, replicas: addons.replicas };
const metricsServer = new shop.MetricsServer("metrics-server", addon);
new shop.Karpenter("karpenter", { ...addon, systemNodeSelector: cluster.systemNodeSelector, nodePool: addons.karpenter, tags, protect: config.protectData });
const { ingress } = addons;
const loadBalancers = ingress.enabled ? new shop.LoadBalancerController("aws-load-balancer-controller", { ...addon, vpcId: network.vpcId, tags }) : undefined;
// DNS and TLS from the stack's public zone (when named): a certificate unless one is given; ExternalDNS below.
const zone = ingress.enabled && ingress.hostedZoneName ? shop.publicHostedZone(ingress.hostedZoneName) : undefined;
const certificateArn =
    ingress.certificateArn ?? (zone && new shop.DnsValidatedCertificate("ingress-certificate", { domainName: ingress.host!, zone }).certificateArn);
const secretSink = addons.externalSecrets.enabled
    ? new shop.ExternalSecrets("external-secrets", {
          ...addon,
          ...addons.externalSecrets,
          kmsDeletionWindowDays: config.kms.deletionWindowDays,
          protect: config.protectData,
          secretPrefix: `shop-${stack}`,
      })
    : new shop.KubernetesSecretSink();

// Kubernetes: namespaces, monitoring (its CRDs first), data services, the two apps.
const namespaces = new shop.Namespaces("namespaces", { provider, albReadinessGates: addons.ingress.enabled });
const inNamespaces = { dependsOn: [namespaces] };
const shared = { provider, storageClassName: cluster.storageClassName, secretSink, credentialsGeneration: config.credentialsGeneration };
const placement = cluster.statefulPlacement;
const monitoringArgs = {
    ...shared,
    ...config.monitoring,
    placement,
    namespace: namespaces.monitoring,
    stack,
    clusterName: config.cluster.name,
    protect: config.protectData,
};
const monitoring = new shop.Monitoring(
    "monitoring",
    {
        ...monitoringArgs,
        contentDir: `${__dirname}/monitoring`,
        logsAndTraces: { lokiUrl: shop.TELEMETRY_URLS.lokiUrl, tempoUrl: shop.TELEMETRY_URLS.tempoUrl },
    },
    inNamespaces,
);
// Logs and traces next to the metrics (issue 17): Loki, Tempo, the OpenTelemetry Collector, Alloy on every node;
// in staging/prod on one bucket per store.
const { objectStorage, ...telemetry } = config.observability;
const accountId = aws.getCallerIdentityOutput().accountId;
const telemetryBucket = (store: "logs" | "traces", retentionDays: number) =>
    new shop.SecureBucket(
        `telemetry-${store}`,
        shop.telemetryBucketArgs({
            store,
            prefix: `shop-${stack}`,
            accountId,
            retentionDays,
            kmsDeletionWindowDays: config.kms.deletionWindowDays,
            retain: config.protectData,
        }),
    );
const observability = new shop.Observability(
    "observability",
    {
        ...telemetry,
        provider,
        namespace: namespaces.monitoring,
        clusterName: cluster.clusterName,
        region,
        storageClassName: cluster.storageClassName,
        placement,
        buckets: objectStorage
            ? { logs: telemetryBucket("logs", telemetry.logRetentionDays), traces: telemetryBucket("traces", telemetry.traceRetentionDays) }
            : undefined,
        monitoringCrds: monitoring.crds,
        flows: { grafanaPods: monitoring.grafanaPods, prometheusPods: monitoring.prometheusPods, appsNamespace: shop.NAMESPACES.apps },
        lokiRulesDir: `${__dirname}/monitoring/loki-rules`,
        alertmanagerUrl: monitoring.alertmanagerUrl,
    },
    inNamespaces,
);
if (zone) new shop.ExternalDns("external-dns", { ...addon, zone, txtOwnerId: config.cluster.name, placement, monitoringCrds: monitoring.crds });
const dataArgs = {
    ...shared,
    placement,
    namespace: namespaces.data,
    clientNamespaces: [shop.NAMESPACES.apps],
    monitoringNamespace: shop.NAMESPACES.monitoring,
    monitoringCrds: monitoring.crds,
};
// PostgreSQL: the CloudNativePG operator, the stack's backup bucket (when backups are on), the Cluster.
const cnpg = new shop.CloudNativePg("cloudnative-pg", {
    ...addon,
    placement,
    vpcCidr: config.network.cidr,
    databaseNamespaces: [shop.NAMESPACES.data],
    monitoringNamespace: shop.NAMESPACES.monitoring,
    monitoringCrds: monitoring.crds,
});
const { backups, backupRetentionDays, legacy, ...pg } = config.data.postgres;
const backupBucket = backups
    ? new shop.SecureBucket("postgres-backups", {
          bucketName: pulumi.interpolate`shop-${stack}-${aws.getCallerIdentityOutput().accountId}-postgres-backups`,
          purpose: `PostgreSQL backups of shop-${stack}`,
          // Barman's retention deletes what falls out of the window; the lifecycle is a backstop 2 days later.
          expireAfterDays: backupRetentionDays + 2,
          kmsDeletionWindowDays: config.kms.deletionWindowDays,
          retain: config.protectData,
      })
    : undefined;
const postgres = new shop.Postgres(
    "postgres",
    {
        ...dataArgs,
        ...pg,
        legacy,
        database: "shop",
        roles: shop.SHOP_DATABASE_ROLES,
        operator: cnpg.ready,
        operatorNamespace: cnpg.namespace,
        operatorPodLabels: cnpg.podLabels,
        vpcCidr: config.network.cidr,
        protect: config.protectData,
        backup: backupBucket && {
            bucketName: backupBucket.bucket,
            accessPolicy: backupBucket.accessPolicy(shop.BACKUP_PREFIX, region, { headBucket: true }),
            retentionDays: backupRetentionDays,
            clusterName: cluster.clusterName,
            namespace: shop.NAMESPACES.data,
        },
    },
    inNamespaces,
);
const redis = new shop.Redis("redis", { ...dataArgs, ...config.data.redis }, inNamespaces);
const apps: shop.ShopAppContext = {
    base: {
        ...shared,
        namespace: namespaces.apps,
        monitoringNamespace: shop.NAMESPACES.monitoring,
        monitoringCrds: monitoring.crds,
        autoscalingReady: metricsServer.ready,
    },
    dataNamespace: shop.NAMESPACES.data,
    telemetry: { ...observability.appTelemetry, environment: stack },
    postgres,
    redis,
    ingress: loadBalancers && {
        ...loadBalancers.route({
            host: ingress.host!,
            certificateArn: certificateArn!,
            tlsPolicy: ingress.tlsPolicy,
            groupName: `shop-${stack}`,
        }),
        vpcCidr: config.network.cidr,
    },
};
const storefront = new shop.WebApp("storefront", shop.storefrontArgs(apps, images.storefront.imageRef, config.apps.storefront), inNamespaces);
const catalog = new shop.WebApp("catalog", shop.catalogArgs(apps, images.catalog.imageRef, config.apps.catalog), inNamespaces);

export const vpcId = network.vpcId;
export const clusterName = cluster.clusterName;
export const clusterEndpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig; // secret
export const storefrontImageRef = images.storefront.imageRef;
export const catalogImageRef = images.catalog.imageRef;
export const namespaceNames = shop.NAMESPACES;
export const services = {
    storefront: storefront.serviceHost,
    catalog: catalog.serviceHost,
    postgres: postgres.host,
    postgresRead: postgres.readHost,
    redis: redis.host,
};
export const url = addons.ingress.enabled ? `https://${addons.ingress.host}/` : `kubectl -n ${shop.NAMESPACES.apps} port-forward svc/storefront 8000:80`;
export const grafana = pulumi.interpolate`kubectl -n ${shop.NAMESPACES.monitoring} port-forward svc/${monitoring.grafanaService} 3000:80  # user admin, password: kubectl -n ${shop.NAMESPACES.monitoring} get secret ${monitoring.grafanaAdminSecret} -o jsonpath='{.data.admin-password}' | base64 -d`;
export const adminTokenCommand = pulumi.interpolate`kubectl -n ${shop.NAMESPACES.apps} get secret ${storefront.secretName} -o jsonpath='{.data.ADMIN_TOKEN}' | base64 -d`;
