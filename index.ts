/**
 * shop-platform: one program, one stack per environment (Pulumi.<stack>.yaml).
 * Composition only: configuration is parsed in config/, resources live in components/.
 */
import { loadShopConfig } from "./config";
import { Cluster } from "./components/cluster";
import { AppImage } from "./components/images";
import { Network } from "./components/network";
import { tagAllAwsResources } from "./components/tagging";

const config = loadShopConfig(); // throws, listing every bad key, before anything is registered
tagAllAwsResources(config.tags);

const network = new Network(`shop-${config.stack}`, {
    cidr: config.network.cidr,
    azCount: config.network.azCount,
    natGateways: config.network.natGateways,
    clusterName: config.cluster.name,
    flowLogs: config.network.flowLogs,
    tags: config.tags,
});

const cluster = new Cluster(config.cluster.name, {
    ...config.cluster,
    region: config.region,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    kmsDeletionWindowDays: config.environment === "prod" ? 30 : 7,
});

const imageArgs = (app: string) => ({ repositoryName: `shop-${config.stack}/${app}`, context: `apps/${app}`, ...config.images });
const storefrontImage = new AppImage("storefront", imageArgs("storefront"));
const catalogImage = new AppImage("catalog", imageArgs("catalog"));

export const vpcId = network.vpcId;
export const clusterName = cluster.clusterName;
export const clusterEndpoint = cluster.endpoint;
export const kubeconfig = cluster.kubeconfig; // secret
export const storefrontImageRef = storefrontImage.imageRef;
export const catalogImageRef = catalogImage.imageRef;
