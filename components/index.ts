/** The platform's components, for composition in index.ts. */
export { ExternalSecrets } from "./addons/externalSecrets";
export { Karpenter } from "./addons/karpenter";
export { LoadBalancerController } from "./addons/loadBalancerController";
export { MetricsServer } from "./addons/metricsServer";
export { catalogArgs, SHOP_DATABASE_ROLES, storefrontArgs, WebApp } from "./apps";
export type { ShopAppContext } from "./apps";
export { Cluster } from "./cluster";
export { Postgres } from "./data/postgres";
export { Redis } from "./data/redis";
export { AppImage } from "./images";
export { NAMESPACES } from "./k8s";
export { Namespaces } from "./k8s/namespaces";
export { KubernetesSecretSink } from "./k8s/secrets";
export { Monitoring } from "./monitoring";
export { Network } from "./network";
export { SecureBucket } from "./storage";
export { tagAllAwsResources } from "./tagging";
