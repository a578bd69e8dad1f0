import * as pulumi from "@pulumi/pulumi";
import { Dependency, WebAppArgs } from "./webapp";

export { WebApp, validateWebAppArgs, digestSuffix } from "./webapp";
export type { WebAppArgs, WebAppIngress, Dependency } from "./webapp";

/** The database roles the apps log in as: the storefront owns the schema, the catalog only reads. */
export const SHOP_DATABASE_ROLES = [
    { name: "storefront", access: "owner" },
    { name: "catalog", access: "readonly" },
] as const satisfies readonly { name: string; access: "owner" | "readonly" }[];

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
    /** Namespace of the data services (egress is admitted to their pods only). */
    dataNamespace: string;
    /** `host` is the primary; `readHost` serves read-only roles (replicas included). */
    postgres: DataService & { database: string; readHost: pulumi.Input<string>; rolePasswords: Record<string, pulumi.Output<string>>; ready: pulumi.Resource };
    redis: DataService & { password: pulumi.Output<string> };
    /**
     * Where the apps send traces (the OpenTelemetry Collector, OTLP/HTTP), when the stack runs one.
     * Defaults to none: the apps then run with tracing off (apps/*: no endpoint, no SDK).
     */
    telemetry?: {
        /** OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://otel-collector.monitoring.svc.cluster.local:4318. */
        otlpEndpoint: string;
        /** The collector's pods, admitted as an egress dependency on the OTLP/HTTP port. */
        collector: Dependency;
        /** deployment.environment resource attribute (the stack). */
        environment: string;
        /**
         * Head sampling in the apps (config appTraceRecordPercent / 100): the share of new traces they record
         * at all. Below 1 the collector's tail sampling only sees that share, errors included.
         * Defaults to 1 (every trace recorded; the collector decides what to keep).
         */
        headSampleRatio?: number;
    };
    /** The stack's load balancer route, when the stack exposes the apps. */
    ingress?: {
        host: string;
        className: string;
        annotations: (order: number) => Record<string, pulumi.Input<string>>;
        controller: pulumi.Resource;
        vpcCidr: string;
    };
}

/** What an app needs of a data service: where it is and which pods to admit egress to. */
interface DataService {
    host: pulumi.Input<string>;
    port: number;
    podLabels: Record<string, string>;
}

function ingressFor(ctx: ShopAppContext, path: string, order: number) {
    return ctx.ingress && { ...ctx.ingress, path, annotations: ctx.ingress.annotations(order) };
}

/**
 * Pure: the standard OpenTelemetry SDK variables (the only way the apps' tracing is configured,
 * apps/storefront/storefront/tracing.py and apps/catalog/tracing.go). The apps record every trace
 * (parentbased_always_on: an incoming sampled flag is honoured, a new trace is recorded) and the
 * collector decides what to keep by tail sampling: errors always, the stack's percentage of the rest.
 * A head sampler dropping traces here would lose error traces before anyone knew they failed.
 */
export function otelEnv(t: NonNullable<ShopAppContext["telemetry"]>, service: string): Record<string, string> {
    return {
        OTEL_EXPORTER_OTLP_ENDPOINT: t.otlpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_SERVICE_NAME: service,
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${t.environment},service.namespace=shop`,
        // Every trace by default: the collector's tail sampling (config traceSamplingPercent) needs to see a
        // trace to keep it for its error. A ratio below 1 trades that for the apps' CPU and the traffic:
        // the OpenTelemetry SDKs of both apps read these two variables (apps/*/tracing).
        ...(t.headSampleRatio !== undefined && t.headSampleRatio < 1
            ? { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(t.headSampleRatio) }
            : { OTEL_TRACES_SAMPLER: "parentbased_always_on" }),
    };
}

function common(ctx: ShopAppContext, role: string, settings: AppSettings, port: number) {
    const readOnly = SHOP_DATABASE_ROLES.some((r) => r.name === role && r.access === "readonly");
    const dbHost = readOnly ? ctx.postgres.readHost : ctx.postgres.host;
    const telemetry = ctx.telemetry;
    return {
        ...ctx.base,
        port,
        replicas: settings.replicas,
        minReplicas: settings.minReplicas,
        maxReplicas: settings.maxReplicas,
        config: { CACHE_TTL_SECONDS: String(settings.cacheTtlSeconds), LOG_LEVEL: "info", ...(telemetry ? otelEnv(telemetry, role) : {}) },
        secrets: { DB_PASSWORD: ctx.postgres.rolePasswords[role], REDIS_PASSWORD: ctx.redis.password },
        composedEnv: {
            DATABASE_URL: pulumi.interpolate`postgresql://${role}:$(DB_PASSWORD)@${dbHost}:${ctx.postgres.port}/${ctx.postgres.database}`,
            REDIS_URL: pulumi.interpolate`redis://:$(REDIS_PASSWORD)@${ctx.redis.host}:${ctx.redis.port}/0`,
        },
        dependencies: [
            ...[ctx.postgres, ctx.redis].map((d) => ({ namespace: ctx.dataNamespace, podLabels: d.podLabels, port: d.port })),
            ...(telemetry ? [telemetry.collector] : []),
        ],
        dependsOn: [ctx.postgres.ready],
    };
}

/** The storefront: owns the schema (its migrate Job runs before each new image rolls out). */
export function storefrontArgs(ctx: ShopAppContext, image: pulumi.Input<string>, settings: AppSettings): WebAppArgs {
    const base = common(ctx, "storefront", settings, 8000);
    return {
        ...base,
        // One uvicorn worker per whole core of the CPU limit; the pod scales by replicas (apps/README.md).
        config: { ...base.config, WEB_CONCURRENCY: "1" },
        resources: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi", cpuLimit: "1" },
        image,
        generatedSecrets: ["ADMIN_TOKEN"],
        preDeployCommand: ["/app/run", "migrate"],
        ingress: ingressFor(ctx, "/", 100),
    };
}

/** The catalog: read-only role, longer cache. */
export function catalogArgs(ctx: ShopAppContext, image: pulumi.Input<string>, settings: AppSettings): WebAppArgs {
    return {
        ...common(ctx, "catalog", settings, 8080),
        // Go sizes GOMAXPROCS from the CPU limit (Go 1.25+): two cores, so its runtime threads are not throttled.
        resources: { cpu: "250m", memory: "128Mi", memoryLimit: "256Mi", cpuLimit: "2" },
        image,
        ingress: ingressFor(ctx, "/v1", 10),
    };
}
