import * as pulumi from "@pulumi/pulumi";
import { NAMESPACES, selectorLabels } from "../k8s";
import { WebAppArgs } from "./webapp";

export { WebApp, validateWebAppArgs, digestSuffix } from "./webapp";
export type { WebAppArgs, Dependency } from "./webapp";

/** Per-app settings from the stack config. */
export interface AppSettings {
    replicas: number;
    minReplicas: number;
    maxReplicas: number;
    /** Redis cache TTL, seconds. */
    cacheTtlSeconds: number;
}

/** What both apps share: where the data services are and how to reach them. */
export interface ShopAppContext {
    base: Pick<WebAppArgs, "provider" | "namespace" | "monitoringNamespace" | "monitoringCrds" | "secretSink" | "autoscalingReady" | "credentialsGeneration">;
    postgres: { host: pulumi.Input<string>; database: string; rolePasswords: Record<string, pulumi.Output<string>>; ready: pulumi.Resource };
    redis: { host: pulumi.Input<string>; password: pulumi.Output<string> };
    /** The shared ALB, when the stack exposes the apps. */
    ingress?: { host: string; certificateArn: string; tlsPolicy: string; groupName: string; vpcCidr: string; controller: pulumi.Resource };
}

const dependencies = [
    { namespace: NAMESPACES.data, podLabels: selectorLabels("postgres"), port: 5432 },
    { namespace: NAMESPACES.data, podLabels: selectorLabels("redis"), port: 6379 },
];

function common(ctx: ShopAppContext, role: string, settings: AppSettings, port: number) {
    return {
        ...ctx.base,
        port,
        replicas: settings.replicas,
        minReplicas: settings.minReplicas,
        maxReplicas: settings.maxReplicas,
        config: { CACHE_TTL_SECONDS: String(settings.cacheTtlSeconds), LOG_LEVEL: "info" },
        secrets: { DB_PASSWORD: ctx.postgres.rolePasswords[role], REDIS_PASSWORD: ctx.redis.password },
        composedEnv: {
            DATABASE_URL: pulumi.interpolate`postgresql://${role}:$(DB_PASSWORD)@${ctx.postgres.host}:5432/${ctx.postgres.database}`,
            REDIS_URL: pulumi.interpolate`redis://:$(REDIS_PASSWORD)@${ctx.redis.host}:6379/0`,
        },
        dependencies,
        dependsOn: [ctx.postgres.ready],
    };
}

/** The storefront: owns the schema (its migrate Job runs before each new image rolls out). */
export function storefrontArgs(ctx: ShopAppContext, image: pulumi.Input<string>, settings: AppSettings): WebAppArgs {
    return {
        ...common(ctx, "storefront", settings, 8000),
        image,
        generatedSecrets: ["ADMIN_TOKEN"],
        preDeployCommand: ["/app/run", "migrate"],
        ingress: ctx.ingress && { ...ctx.ingress, path: "/", order: 100 },
    };
}

/** The catalog: read-only role, longer cache. */
export function catalogArgs(ctx: ShopAppContext, image: pulumi.Input<string>, settings: AppSettings): WebAppArgs {
    return { ...common(ctx, "catalog", settings, 8080), image, ingress: ctx.ingress && { ...ctx.ingress, path: "/v1", order: 10 } };
}
