/**
 * Stack configuration: the one place where `Pulumi.<stack>.yaml` becomes a typed, validated
 * {@link ShopConfig}. Components never read `pulumi.Config` themselves, and nothing here imports
 * a component: keys are declared in {@link CONFIG_TABLE}, each feeding one option path.
 *
 * Validation is complete before anything is registered: every bad key is collected and
 * reported in ONE {@link ConfigError}, so a user fixes a stack file in one round trip.
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultOf, ENVIRONMENTS, Environment, Fed, KeyType, Row, setPath } from "./rows";
import { CONFIG_TABLE, ConfigKey, ConfigValues, crossChecks, deployGaps, offlineStandIns, PROJECT } from "./table";
import { editDistance } from "./validators";

export { CONFIG_TABLE, PROJECT } from "./table";
export type { ConfigKey, ConfigValues } from "./table";
export { ENVIRONMENTS, defaultOf } from "./rows";
export type { Environment, Row } from "./rows";
export { LOG_RETENTION_DAYS } from "./validators";

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

type Table = typeof CONFIG_TABLE;

/** What the stack is, beyond its keys: derived once here so components receive plain values. */
interface Derived {
    /**
     * What a real deploy still needs (see deployGaps): `pulumi up` refuses to start while any is left;
     * the offline plan stood in example values for them and lists them as notes.
     */
    deployGaps: ConfigProblem[];
    project: string;
    stack: string;
    region: string;
    /** The five tags every taggable AWS resource carries. */
    tags: { Project: string; Environment: Environment; ManagedBy: "pulumi" };
    cluster: { name: string };
}

/** What {@link parseShopConfig} returns: plain data, secrets still plain strings (the caller wraps them). */
export type ParsedShopConfig = Fed<Table, string> & Derived;
/** The validated configuration of one stack; secret keys arrive as secret Outputs. */
export type ShopConfig = Fed<Table, pulumi.Output<string>> & Derived;

/** Every key's default for one environment (a view of the table, for tests and docs). */
export function defaultsFor(env: Environment): ConfigValues {
    const out: Record<string, unknown> = {};
    for (const [key, r] of Object.entries(CONFIG_TABLE) as [ConfigKey, Row][]) {
        const d = defaultOf(r, env);
        if (d !== undefined) out[key] = d;
    }
    return out as ConfigValues; // keys without a default (optional ones) are absent
}

function convert(type: KeyType, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
    switch (type) {
        case "string":
            return { ok: true, value: raw };
        case "integer":
            if (!/^-?\d+$/.test(raw.trim())) return { ok: false, message: `must be a whole number, got "${raw}"` };
            return { ok: true, value: Number(raw) };
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

/**
 * Validates a raw stack configuration (the `namespace:key -> string` map Pulumi gives a
 * program) and applies the environment's defaults. Pure: tests call it directly.
 *
 * @throws {ConfigError} listing every offending key.
 */
export function parseShopConfig(
    raw: Record<string, string>,
    opts: { stack: string; secretKeys?: Iterable<string>; /** YYYY-MM-DD; defaults to today (UTC). */ today?: string },
): ParsedShopConfig {
    const secretKeys = new Set(opts.secretKeys ?? []);
    const problems: ConfigProblem[] = [];
    const full = (k: string) => `${PROJECT}:${k}`;
    const problem = (key: ConfigKey, message: string) => problems.push({ key: full(key), message });
    const rows = Object.entries(CONFIG_TABLE) as [ConfigKey, Row][];

    // Unknown keys in our namespace are almost always typos of a real key.
    for (const k of Object.keys(raw)) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        const short = k.slice(PROJECT.length + 1);
        if (!(short in CONFIG_TABLE)) {
            const hint = Object.keys(CONFIG_TABLE).find((c) => c.toLowerCase() === short.toLowerCase() || editDistance(c, short) <= 2);
            problems.push({ key: k, message: `is not a known key${hint ? ` (did you mean ${full(hint)}?)` : ""}` });
        }
    }

    const region = raw["aws:region"];
    if (!region) problems.push({ key: "aws:region", message: "must be set (pulumi config set aws:region eu-west-1)" });
    else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
        problems.push({ key: "aws:region", message: `must be an AWS region such as eu-west-1, got "${region}"` });

    const given: Partial<Record<ConfigKey, unknown>> = {};
    for (const [key, r] of rows) {
        const rawValue = raw[full(key)];
        if (rawValue === undefined) {
            if (r.required)
                problem(
                    key,
                    key === "environment"
                        ? `must be set to one of ${ENVIRONMENTS.join(", ")}`
                        : "must be set (it becomes a required tag on every AWS resource)",
                );
            continue;
        }
        if (r.secret && !secretKeys.has(full(key))) {
            problem(key, `must be set as a secret (pulumi config set --secret ${full(key)} …); a plaintext value is refused`);
            continue;
        }
        const converted = convert(r.type, rawValue);
        if (!converted.ok) {
            problem(key, converted.message);
            continue;
        }
        const parsed = r.schema.safeParse(converted.value);
        if (!parsed.success) {
            const msgs = [...new Set(parsed.error.issues.map((i) => (i.path.length ? `item ${i.path.join(".")} ` : "") + i.message))];
            problem(key, msgs.join("; "));
            continue;
        }
        given[key] = parsed.data;
    }

    const environment = given.environment as Environment | undefined;
    if (!environment) throw new ConfigError(opts.stack, problems);

    let values = { ...defaultsFor(environment), ...given } as ConfigValues;
    // A key that failed its own check must not also produce cross-key noise.
    const failed = new Set(problems.map((p) => p.key));
    crossChecks(values, { today: opts.today ?? new Date().toISOString().slice(0, 10) }, (key, message) => {
        if (!failed.has(full(key))) problem(key, message);
    });
    if (problems.length > 0) throw new ConfigError(opts.stack, problems);

    const gaps: ConfigProblem[] = [];
    deployGaps(values, (key, message) => gaps.push({ key: full(key), message }));
    values = { ...values, ...offlineStandIns(values, opts.stack, region!) };

    const fed: Record<string, unknown> = {};
    for (const [key, r] of rows) setPath(fed, r.feeds, values[key]);
    const derived: Derived = {
        deployGaps: gaps,
        project: PROJECT,
        stack: opts.stack,
        region: region!,
        tags: { Project: PROJECT, Environment: environment, ManagedBy: "pulumi" },
        cluster: { name: `shop-${opts.stack}` },
    };
    const out = fed as Record<string, Record<string, unknown>>;
    return {
        ...fed,
        ...derived,
        tags: { ...derived.tags, ...out.tags },
        cluster: { ...out.cluster, ...derived.cluster },
    } as ParsedShopConfig;
}

/** Set by the offline harness: deploy gaps get example values (listed by the plan) instead of stopping the program. */
export const OFFLINE_ENV = "SHOP_PLATFORM_OFFLINE";

/** Reads the running stack's configuration from the Pulumi runtime and validates it; a real run refuses deploy gaps. */
export function loadShopConfig(): ShopConfig {
    const raw = pulumi.runtime.allConfig();
    const secretKeys = Object.keys(raw).filter((k) => isSecretKey(k));
    const stack = pulumi.getStack();
    const config = parseShopConfig(raw, { stack, secretKeys });
    if (config.deployGaps.length > 0 && process.env[OFFLINE_ENV] !== "1") throw new ConfigError(stack, config.deployGaps);
    const parsed = config as unknown as Record<string, unknown>;
    // Secret keys reach components only as secret Outputs.
    for (const r of Object.values(CONFIG_TABLE) as Row[]) {
        if (!r.secret) continue;
        const v = r.feeds.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], parsed);
        if (v !== undefined) setPath(parsed, r.feeds, pulumi.secret(v as string));
    }
    return parsed as unknown as ShopConfig;
}

function isSecretKey(key: string): boolean {
    // `isConfigSecret` is marked internal in the SDK's typings but is the runtime's own record of
    // which keys arrived encrypted (PULUMI_CONFIG_SECRET_KEYS); there is no public equivalent.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return runtime.isConfigSecret?.(key) ?? false;
}
