/**
 * Stack configuration: the one place where `Pulumi.<stack>.yaml` becomes a typed, validated
 * {@link ShopConfig}. Components never read `pulumi.Config` themselves.
 *
 * Validation is complete before anything is registered: every bad key is collected and
 * reported in ONE {@link ConfigError}, so a user fixes a stack file in one round trip.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import type { NodePoolSettings } from "../components/addons/karpenter";
import type { NodeGroupOptions } from "../components/cluster";
import { ENVIRONMENT_DEFAULTS, EnvironmentDefaults } from "./defaults";
import { CONFIG_KEYS, ConfigKey, ENVIRONMENTS, Environment, KeyKind, PROJECT } from "./keys";

export { CONFIG_KEYS, ENVIRONMENTS, PROJECT } from "./keys";
export type { Environment } from "./keys";
export { ENVIRONMENT_DEFAULTS } from "./defaults";

/** One offending key and why. `key` is the full `namespace:key` as written in stack files. */
export interface ConfigProblem {
    key: string;
    message: string;
}

export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n") +
                "\nFix the stack file (Pulumi.<stack>.yaml) or use `pulumi config set`; nothing was registered.",
        );
        this.name = "ConfigError";
    }
}

/** The retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export interface AppSettings {
    replicas: number;
    minReplicas: number;
    maxReplicas: number;
    cacheTtlSeconds: number;
}

/** The validated configuration of one stack. */
export interface ShopConfig {
    project: string;
    stack: string;
    environment: Environment;
    region: string;
    /** Rotation counter of the generated credentials (bump to rotate). */
    credentialsGeneration: number;
    /** The five tags every taggable AWS resource carries. */
    tags: { Project: string; Environment: Environment; Owner: string; CostCenter: string; ManagedBy: "pulumi" };
    network: {
        cidr: string;
        azCount: number;
        natGateways: "Single" | "OnePerAz";
        flowLogs: { enabled: boolean; retentionDays: number };
    };
    cluster: {
        name: string;
        version: string;
        publicAccess: boolean;
        publicAccessCidrs: string[];
        adminPrincipalArns: string[];
        logRetentionDays: number;
        /** Refuse `pulumi destroy` of the control plane outside dev. */
        deletionProtection: boolean;
        nodeGroup: NodeGroupOptions;
    };
    images: {
        keepImages: number;
        /** Allow deleting a repository that still holds images: never in prod. */
        forceDelete: boolean;
    };
    apps: { storefront: AppSettings; catalog: AppSettings };
    data: {
        postgres: { storageGiB: number };
        redis: { persistence: boolean; storageGiB: number; maxMemoryMb: number };
    };
    monitoring: {
        retentionDays: number;
        storageGiB: number;
        alerts: { emailTo?: string; slackWebhookUrl?: pulumi.Output<string> };
    };
    addons: {
        replicas: number;
        karpenter: NodePoolSettings;
        /** One internet-facing ALB for both apps, HTTPS only; absent when disabled. */
        ingress?: { host: string; certificateArn: string; tlsPolicy: string };
        /** Secrets Manager + External Secrets; absent when disabled (plain Kubernetes Secrets). */
        /** Recovery window 0 outside prod: a destroyed stack can be re-created at once under the same names. */
        externalSecrets?: { refreshMinutes: number; recoveryWindowDays: number };
    };
}

/** What {@link parseShopConfig} returns: plain data, secrets still plain (the caller wraps them). */
export type ParsedShopConfig = Omit<ShopConfig, "monitoring"> & {
    monitoring: Omit<ShopConfig["monitoring"], "alerts"> & { alerts: { emailTo?: string; slackWebhookUrl?: string } };
};

const positiveInt = z.number().int("must be a whole number").positive("must be greater than 0");
const retention = z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `must be a CloudWatch retention value (${LOG_RETENTION_DAYS.slice(0, 12).join(", ")}, …)`,
    });
const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { message: "must be an IPv4 CIDR such as 10.0.0.0/16" });
const iamPrincipalArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "must be an IAM role or user ARN (arn:aws:iam::<12-digit account>:role/<name>)");
const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large");
const tagValue = z
    .string()
    .min(1, "must not be empty")
    .max(256, "must be at most 256 characters")
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "may contain only letters, digits, spaces and _ . : / = + - @");

/** Per-key validators; cross-key rules live in {@link crossChecks}. */
const KEY_SCHEMAS: Record<ConfigKey, z.ZodType> = {
    environment: z.enum(ENVIRONMENTS, { message: `must be one of ${ENVIRONMENTS.join(", ")}` }),
    owner: tagValue,
    costCenter: tagValue,
    vpcCidr: cidr.refine((s) => {
        const p = parseCidr(s);
        return p !== undefined && p.bits >= 16 && p.bits <= 20;
    }, "must be a /16 to /20 block (room for public and private subnets in every AZ)"),
    azCount: z.number().int().min(2, "must be at least 2 (EKS needs subnets in two AZs)").max(6, "must be at most 6"),
    natGateways: z.enum(["Single", "OnePerAz"], { message: "must be Single or OnePerAz (private nodes need egress)" }),
    flowLogs: z.boolean(),
    flowLogRetentionDays: retention,
    kubernetesVersion: z.string().regex(/^1\.\d{2}$/, "must be a Kubernetes minor version such as 1.34"),
    nodeInstanceTypes: z.array(instanceType).min(1, "must list at least one instance type"),
    nodeCapacityType: z.enum(["ON_DEMAND", "SPOT"], { message: "must be ON_DEMAND or SPOT" }),
    nodeMinSize: z.number().int().min(1, "must be at least 1 (the system add-ons need a node)"),
    nodeDesiredSize: positiveInt,
    nodeMaxSize: positiveInt.max(100, "must be at most 100"),
    nodeDiskSizeGiB: z.number().int().min(20, "must be at least 20 GiB").max(1000, "must be at most 1000 GiB"),
    endpointPublicAccess: z.boolean(),
    publicAccessCidrs: z.array(cidr),
    adminPrincipalArns: z.array(iamPrincipalArn),
    clusterLogRetentionDays: retention,
    ecrKeepImages: positiveInt.max(1000, "must be at most 1000"),
    storefrontReplicas: positiveInt,
    storefrontMinReplicas: positiveInt,
    storefrontMaxReplicas: positiveInt,
    storefrontCacheTtlSeconds: z.number().int().min(0, "must be 0 (no cache) or more").max(86400, "must be at most 86400"),
    catalogReplicas: positiveInt,
    catalogMinReplicas: positiveInt,
    catalogMaxReplicas: positiveInt,
    catalogCacheTtlSeconds: z.number().int().min(0, "must be 0 (no cache) or more").max(86400, "must be at most 86400"),
    postgresStorageGiB: positiveInt.max(16384, "must be at most 16384 GiB"),
    redisPersistence: z.boolean(),
    redisStorageGiB: positiveInt,
    redisMaxMemoryMb: z.number().int().min(32, "must be at least 32 MiB"),
    prometheusRetentionDays: positiveInt.max(365, "must be at most 365"),
    prometheusStorageGiB: z.number().int().min(5, "must be at least 5 GiB"),
    alertEmailTo: z.email("must be an e-mail address"),
    addonReplicas: positiveInt.max(5, "must be at most 5"),
    karpenterInstanceFamilies: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, "must be an instance family such as m6i")).min(1, "must list at least one family"),
    karpenterCapacityTypes: z.array(z.enum(["spot", "on-demand"], { message: "must be spot or on-demand" })).min(1, "must list at least one capacity type"),
    karpenterCpuLimit: positiveInt,
    karpenterMemoryLimitGiB: positiveInt,
    karpenterConsolidateAfterMinutes: z.number().int().min(0, "must be 0 or more").max(1440, "must be at most 1440"),
    karpenterExpireAfterHours: z.number().int().min(1, "must be at least 1").max(8760, "must be at most 8760"),
    ingressEnabled: z.boolean(),
    ingressHost: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a DNS host name such as shop.example.com"),
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, "must be an ACM certificate ARN"),
    ingressTlsPolicy: z.string().regex(/^ELBSecurityPolicy-/, "must be an ALB security policy name (ELBSecurityPolicy-…)"),
    externalSecrets: z.boolean(),
    secretsRefreshMinutes: z.number().int().min(1, "must be at least 1").max(1440, "must be at most 1440"),
    credentialsGeneration: positiveInt.max(100000, "must be at most 100000"),
    alertSlackWebhookUrl: z
        .string()
        .regex(/^https:\/\/hooks\.slack\.com\/services\/\S+$/, "must be a Slack incoming-webhook URL (https://hooks.slack.com/services/…)"),
};

function parseCidr(s: string): { bits: number; address: string } | undefined {
    try {
        if (!ipaddr.IPv4.isValidCIDR(s)) return undefined;
        const [addr, bits] = ipaddr.IPv4.parseCIDR(s);
        // Reject host bits set (10.0.0.1/16): AWS would silently round, users should see it.
        const network = ipaddr.IPv4.networkAddressFromCIDR(s).toString();
        if (network !== addr.toString()) return undefined;
        return { bits, address: network };
    } catch {
        return undefined;
    }
}

function convert(kind: KeyKind, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
    switch (kind) {
        case "string":
            return { ok: true, value: raw };
        case "integer": {
            if (!/^-?\d+$/.test(raw.trim())) return { ok: false, message: `must be a whole number, got "${raw}"` };
            return { ok: true, value: Number(raw) };
        }
        case "boolean":
            if (raw === "true" || raw === "false") return { ok: true, value: raw === "true" };
            return { ok: false, message: `must be true or false, got "${raw}"` };
        case "array": {
            try {
                const v: unknown = JSON.parse(raw);
                if (Array.isArray(v)) return { ok: true, value: v };
            } catch {
                /* fall through */
            }
            return { ok: false, message: "must be a list (YAML sequence)" };
        }
    }
}

type Values = EnvironmentDefaults & {
    environment: Environment;
    owner: string;
    costCenter: string;
    alertEmailTo?: string;
    alertSlackWebhookUrl?: string;
    ingressHost?: string;
    certificateArn?: string;
};

/** Rules that span keys or depend on the environment. */
function crossChecks(v: Values, problem: (key: ConfigKey, message: string) => void): void {
    if (v.nodeMinSize > v.nodeMaxSize) problem("nodeMinSize", `must be <= nodeMaxSize (${v.nodeMinSize} > ${v.nodeMaxSize})`);
    if (v.nodeDesiredSize < v.nodeMinSize || v.nodeDesiredSize > v.nodeMaxSize)
        problem("nodeDesiredSize", `must be between nodeMinSize and nodeMaxSize (${v.nodeMinSize}..${v.nodeMaxSize}), got ${v.nodeDesiredSize}`);
    for (const app of ["storefront", "catalog"] as const) {
        const min = v[`${app}MinReplicas`];
        const max = v[`${app}MaxReplicas`];
        const replicas = v[`${app}Replicas`];
        if (min > max) problem(`${app}MinReplicas`, `must be <= ${app}MaxReplicas (${min} > ${max})`);
        if (replicas < min || replicas > max)
            problem(`${app}Replicas`, `must be between ${app}MinReplicas and ${app}MaxReplicas (${min}..${max}), got ${replicas}`);
        if (v.environment === "prod" && min < 2) problem(`${app}MinReplicas`, "must be at least 2 in prod (one pod is not highly available)");
    }
    if (v.endpointPublicAccess && v.publicAccessCidrs.length === 0)
        problem("publicAccessCidrs", "must list at least one CIDR when endpointPublicAccess is true (an open endpoint is never the default)");
    if (v.publicAccessCidrs.some((c) => parseCidr(c)?.bits === 0)) {
        problem(
            "publicAccessCidrs",
            v.environment === "prod" ? "must not contain 0.0.0.0/0 in prod" : "must not contain 0.0.0.0/0 (list your office or VPN ranges)",
        );
    }
    if (v.environment === "prod") {
        if (v.nodeCapacityType === "SPOT") problem("nodeCapacityType", "must be ON_DEMAND in prod (spot interruptions take the system node group down)");
        if (v.azCount < 3) problem("azCount", "must be at least 3 in prod");
        if (v.natGateways !== "OnePerAz") problem("natGateways", "must be OnePerAz in prod (a single NAT gateway is a single point of failure)");
        if (!v.flowLogs) problem("flowLogs", "must be true in prod");
    }
    if (v.ingressEnabled) {
        if (!v.ingressHost) problem("ingressHost", "must be set when ingressEnabled is true");
        if (!v.certificateArn) problem("certificateArn", "must be set when ingressEnabled is true (HTTPS only: no certificate, no ingress)");
    }
    if (v.environment === "prod" && v.karpenterCapacityTypes.includes("spot")) problem("karpenterCapacityTypes", "must not include spot in prod");
    if (v.environment === "prod" && v.addonReplicas < 2) problem("addonReplicas", "must be at least 2 in prod");
    if (v.redisPersistence && v.redisStorageGiB * 1024 < v.redisMaxMemoryMb * 2)
        problem("redisStorageGiB", `must hold at least twice redisMaxMemoryMb for AOF rewrites (${v.redisStorageGiB} GiB < 2 x ${v.redisMaxMemoryMb} MiB)`);
}

/**
 * Validates a raw stack configuration (the `namespace:key -> string` map Pulumi gives a
 * program) and applies the environment's defaults. Pure: tests call it directly.
 *
 * @throws {ConfigError} listing every offending key.
 */
export function parseShopConfig(raw: Record<string, string>, opts: { stack: string; secretKeys?: Iterable<string> }): ParsedShopConfig {
    const secretKeys = new Set(opts.secretKeys ?? []);
    const problems: ConfigProblem[] = [];
    const full = (k: string) => `${PROJECT}:${k}`;
    const problem = (key: ConfigKey, message: string) => problems.push({ key: full(key), message });

    // Unknown keys in our namespace are almost always typos of a real key.
    for (const k of Object.keys(raw)) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        const short = k.slice(PROJECT.length + 1);
        if (!(short in CONFIG_KEYS)) {
            const hint = Object.keys(CONFIG_KEYS).find((c) => c.toLowerCase() === short.toLowerCase() || editDistance(c, short) <= 2);
            problems.push({ key: k, message: `is not a known key${hint ? ` (did you mean ${full(hint)}?)` : ""}` });
        }
    }

    const region = raw["aws:region"];
    if (!region) problems.push({ key: "aws:region", message: "must be set (pulumi config set aws:region eu-west-1)" });
    else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
        problems.push({ key: "aws:region", message: `must be an AWS region such as eu-west-1, got "${region}"` });

    const given: Partial<Record<ConfigKey, unknown>> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, (typeof CONFIG_KEYS)[ConfigKey]][]) {
        const rawValue = raw[full(key)];
        if (rawValue === undefined) continue;
        if ("secret" in spec && spec.secret && !secretKeys.has(full(key))) {
            problem(key, "must be set as a secret (pulumi config set --secret " + full(key) + " …); a plaintext value is refused");
            continue;
        }
        const converted = convert(spec.kind, rawValue);
        if (!converted.ok) {
            problem(key, converted.message);
            continue;
        }
        const parsed = KEY_SCHEMAS[key].safeParse(converted.value);
        if (!parsed.success) {
            const msgs = [...new Set(parsed.error.issues.map((i) => (i.path.length ? `item ${i.path.join(".")} ` : "") + i.message))];
            problem(key, msgs.join("; "));
            continue;
        }
        given[key] = parsed.data;
    }

    const environment = given.environment as Environment | undefined;
    if (raw[full("environment")] === undefined) problem("environment", `must be set to one of ${ENVIRONMENTS.join(", ")}`);
    for (const key of ["owner", "costCenter"] as const) {
        if (raw[full(key)] === undefined) problem(key, "must be set (it becomes a required tag on every AWS resource)");
    }
    if (!environment) throw new ConfigError(opts.stack, problems);

    const values = { ...ENVIRONMENT_DEFAULTS[environment], ...given } as Values;
    // A key that failed its own check must not also produce cross-key noise.
    const failed = new Set(problems.map((p) => p.key));
    crossChecks(values, (key, message) => {
        if (!failed.has(full(key))) problem(key, message);
    });
    if (problems.length > 0) throw new ConfigError(opts.stack, problems);

    const clusterName = `shop-${opts.stack}`;
    return {
        project: PROJECT,
        stack: opts.stack,
        environment,
        region: region!,
        credentialsGeneration: values.credentialsGeneration,
        tags: { Project: PROJECT, Environment: environment, Owner: values.owner, CostCenter: values.costCenter, ManagedBy: "pulumi" },
        network: {
            cidr: values.vpcCidr,
            azCount: values.azCount,
            natGateways: values.natGateways,
            flowLogs: { enabled: values.flowLogs, retentionDays: values.flowLogRetentionDays },
        },
        cluster: {
            name: clusterName,
            version: values.kubernetesVersion,
            publicAccess: values.endpointPublicAccess,
            publicAccessCidrs: values.endpointPublicAccess ? values.publicAccessCidrs : [],
            adminPrincipalArns: values.adminPrincipalArns,
            logRetentionDays: values.clusterLogRetentionDays,
            deletionProtection: environment !== "dev",
            nodeGroup: {
                instanceTypes: values.nodeInstanceTypes,
                capacityType: values.nodeCapacityType,
                minSize: values.nodeMinSize,
                desiredSize: values.nodeDesiredSize,
                maxSize: values.nodeMaxSize,
                diskSizeGiB: values.nodeDiskSizeGiB,
            },
        },
        images: { keepImages: values.ecrKeepImages, forceDelete: environment !== "prod" },
        apps: {
            storefront: {
                replicas: values.storefrontReplicas,
                minReplicas: values.storefrontMinReplicas,
                maxReplicas: values.storefrontMaxReplicas,
                cacheTtlSeconds: values.storefrontCacheTtlSeconds,
            },
            catalog: {
                replicas: values.catalogReplicas,
                minReplicas: values.catalogMinReplicas,
                maxReplicas: values.catalogMaxReplicas,
                cacheTtlSeconds: values.catalogCacheTtlSeconds,
            },
        },
        data: {
            postgres: { storageGiB: values.postgresStorageGiB },
            redis: { persistence: values.redisPersistence, storageGiB: values.redisStorageGiB, maxMemoryMb: values.redisMaxMemoryMb },
        },
        monitoring: {
            retentionDays: values.prometheusRetentionDays,
            storageGiB: values.prometheusStorageGiB,
            alerts: { emailTo: values.alertEmailTo, slackWebhookUrl: values.alertSlackWebhookUrl },
        },
        addons: {
            replicas: values.addonReplicas,
            karpenter: {
                instanceFamilies: values.karpenterInstanceFamilies,
                capacityTypes: values.karpenterCapacityTypes,
                cpuLimit: values.karpenterCpuLimit,
                memoryLimitGiB: values.karpenterMemoryLimitGiB,
                consolidateAfterMinutes: values.karpenterConsolidateAfterMinutes,
                expireAfterHours: values.karpenterExpireAfterHours,
            },
            ingress: values.ingressEnabled
                ? { host: values.ingressHost!, certificateArn: values.certificateArn!, tlsPolicy: values.ingressTlsPolicy }
                : undefined,
            externalSecrets: values.externalSecrets
                ? { refreshMinutes: values.secretsRefreshMinutes, recoveryWindowDays: environment === "prod" ? 30 : 0 }
                : undefined,
        },
    };
}

/** Reads the running stack's configuration from the Pulumi runtime and validates it. */
export function loadShopConfig(): ShopConfig {
    const raw = pulumi.runtime.allConfig();
    const secretKeys = Object.keys(raw).filter((k) => isSecretKey(k));
    const parsed = parseShopConfig(raw, { stack: pulumi.getStack(), secretKeys });
    const slack = parsed.monitoring.alerts.slackWebhookUrl;
    return {
        ...parsed,
        monitoring: {
            ...parsed.monitoring,
            alerts: { emailTo: parsed.monitoring.alerts.emailTo, slackWebhookUrl: slack === undefined ? undefined : pulumi.secret(slack) },
        },
    };
}

function isSecretKey(key: string): boolean {
    // `isConfigSecret` is marked internal in the SDK's typings but is the runtime's own record of
    // which keys arrived encrypted (PULUMI_CONFIG_SECRET_KEYS); there is no public equivalent.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return runtime.isConfigSecret?.(key) ?? false;
}

function editDistance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return dp[a.length][b.length];
}
