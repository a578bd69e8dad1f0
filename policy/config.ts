/**
 * Policy-pack config in the standard Pulumi format (`--policy-pack-config <file>`):
 *   { "all": "mandatory", "<policy-name>": "advisory" | { "enforcementLevel": "...", ...params } }
 * Precedence (as Pulumi): a policy's own level > "all" > the policy's default level.
 * Params are validated against each policy's configSchema (ajv); unknown keys are errors.
 */
import * as fs from "node:fs";
import Ajv from "ajv";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import { configSchemaOf, paramDefaults, type PolicyFactory } from "./lib/policy";
import { POLICY_FACTORIES } from "./rules";

export type PolicyConfig = PolicyPackConfig;

export const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(`policy config: ${message}`);
        this.name = "PolicyConfigError";
    }
}

function isLevel(v: unknown): v is EnforcementLevel {
    return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(f: PolicyFactory) {
    let v = validators.get(f.meta.name);
    if (!v) {
        const s = configSchemaOf(f.meta);
        v = ajv.compile({ type: "object", properties: s.properties, required: s.required ?? [], additionalProperties: false });
        validators.set(f.meta.name, v);
    }
    return v;
}

/** Validate a config object; throws PolicyConfigError naming the offending key. */
export function validatePolicyConfig(config: unknown, factories: readonly PolicyFactory[] = POLICY_FACTORIES): PolicyConfig {
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new PolicyConfigError("must be a JSON object");
    for (const [key, value] of Object.entries(config)) {
        if (key === "all") {
            if (!isLevel(value)) throw new PolicyConfigError(`"all": ${JSON.stringify(value)} is not an enforcement level (${LEVELS.join(", ")})`);
            continue;
        }
        const f = factories.find((x) => x.meta.name === key);
        if (!f) throw new PolicyConfigError(`"${key}": no such policy in the pack`);
        if (typeof value === "string") {
            if (!isLevel(value)) throw new PolicyConfigError(`"${key}": ${JSON.stringify(value)} is not an enforcement level (${LEVELS.join(", ")})`);
            continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value))
            throw new PolicyConfigError(`"${key}": must be an enforcement level or an object`);
        const { enforcementLevel, ...params } = value as Record<string, unknown>;
        if (enforcementLevel !== undefined && !isLevel(enforcementLevel))
            throw new PolicyConfigError(`"${key}.enforcementLevel": ${JSON.stringify(enforcementLevel)} is not an enforcement level (${LEVELS.join(", ")})`);
        const validate = validatorFor(f);
        if (!validate(params)) {
            const e = validate.errors?.[0];
            const where = e?.instancePath
                ? e.instancePath.replace(/^\//, "").replace(/\//g, ".")
                : e?.params && "additionalProperty" in e.params
                  ? String(e.params.additionalProperty)
                  : "";
            const what = e?.keyword === "additionalProperties" ? "unknown parameter" : (e?.message ?? "invalid");
            throw new PolicyConfigError(`"${key}${where ? "." + where : ""}": ${what}`);
        }
    }
    return config as PolicyConfig;
}

export function loadPolicyConfig(path: string): PolicyConfig {
    let text: string;
    try {
        text = fs.readFileSync(path, "utf8");
    } catch (e) {
        throw new PolicyConfigError(`cannot read ${path}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(`${path} is not JSON: ${(e as Error).message}`);
    }
    try {
        return validatePolicyConfig(json);
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new PolicyConfigError(`${path}: ${e.message.replace(/^policy config: /, "")}`);
        throw e;
    }
}

export interface ResolvedPolicy {
    factory: PolicyFactory;
    level: EnforcementLevel;
    /** Params from the config (without enforcementLevel), not yet merged with defaults. */
    params: Record<string, unknown>;
}

/** Level and params of every policy under `config` (Pulumi precedence). */
export function resolvePolicies(config: PolicyConfig, factories: readonly PolicyFactory[] = POLICY_FACTORIES): ResolvedPolicy[] {
    const all = config.all as EnforcementLevel | undefined;
    return factories.map((factory) => {
        const entry = config[factory.meta.name];
        let level: EnforcementLevel = all ?? factory.meta.defaultLevel;
        let params: Record<string, unknown> = {};
        if (typeof entry === "string") level = entry;
        else if (entry && typeof entry === "object") {
            const { enforcementLevel, ...rest } = entry as Record<string, unknown>;
            if (isLevel(enforcementLevel)) level = enforcementLevel;
            params = rest;
        }
        return { factory, level, params };
    });
}

/** Params with defaults filled in (for docs). */
export function effectiveParams(r: ResolvedPolicy): Record<string, unknown> {
    return { ...paramDefaults(r.factory.meta), ...r.params };
}
