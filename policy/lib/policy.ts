/**
 * Building blocks for the pack's policies.
 *
 * Every policy is a factory `(enforcementLevel?) => Policy` (pulumi/examples style) carrying its
 * metadata (`.meta`) for docs, config validation and tests. Both builders apply one generic
 * wrapper, {@link withGuards}, so no rule handles these concerns itself:
 *  - type filtering: a resource of another type → `args.notApplicable(...)`;
 *  - exemptions: the `exemptions` config param (globs over logical name or URN) → not applicable
 *    (resource policies) or the report is dropped (stack policies);
 *  - unknown values at preview: an `UnknownValueError` ends the evaluation quietly;
 *  - params: the policy's `getConfig()` is merged over the schema defaults.
 */
import type {
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { minimatch } from "minimatch";
import { isUnknownError } from "./values";

export type JsonSchema = Record<string, unknown> & { type?: string | string[]; default?: unknown; description?: string };

export interface RuleMeta {
    name: string;
    description: string;
    /** Why the rule exists, in one sentence (what goes wrong without it). */
    why: string;
    /** Resource types, for docs (a human label when the set is computed). */
    resourceTypes: string[];
    kind: "resource" | "stack";
    defaultLevel: EnforcementLevel;
    /** Parameters (excluding the generic `exemptions`), with defaults. */
    params: Record<string, JsonSchema>;
}

export type PolicyFactory<P extends Policy = Policy> = ((enforcementLevel?: EnforcementLevel) => P) & { meta: RuleMeta };

/** The param every policy accepts. */
export const EXEMPTIONS_SCHEMA: JsonSchema = {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Globs over the resource's logical name or URN; a match exempts the resource from this policy. `*` also matches `/`.",
};

export function configSchemaOf(meta: RuleMeta): PolicyConfigSchema {
    return { properties: { ...meta.params, exemptions: EXEMPTIONS_SCHEMA } as PolicyConfigSchema["properties"] };
}

export function paramDefaults(meta: RuleMeta): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(meta.params)) if (s.default !== undefined) out[k] = structuredClone(s.default);
    return out;
}

export type Cfg = Record<string, any> & { exemptions?: string[] };

/** Logical name of a URN: its last `::` segment. */
export function nameOfUrn(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i < 0 ? urn : urn.slice(i + 2);
}

const SLASH = "\u2215";
/** True when one of `patterns` matches the logical name or the URN (`*` also crosses `/`). */
export function isExempt(patterns: readonly string[] | undefined, name: string, urn: string): boolean {
    if (!patterns || patterns.length === 0) return false;
    const subjects = [name, urn].map((s) => s.split("/").join(SLASH));
    return patterns.some((p) => {
        const pat = String(p).split("/").join(SLASH);
        return subjects.some((s) => s === pat || minimatch(s, pat, { dot: true, nocomment: true, nonegate: true }));
    });
}

export type ResourceCheck = (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation, cfg: Cfg) => void;
export type StackCheck = (resources: PolicyResource[], args: StackValidationArgs, report: ReportViolation, cfg: Cfg) => void;

interface CommonDef {
    name: string;
    description: string;
    why: string;
    defaultLevel: EnforcementLevel;
    params?: Record<string, JsonSchema>;
}

export interface ResourceRuleDef extends CommonDef {
    /** Exact type tokens, or a predicate with a docs label. */
    types: string[] | { label: string; test: (type: string, props: Record<string, any>) => boolean };
    check: ResourceCheck;
}

export interface StackRuleDef extends CommonDef {
    /** Types this policy looks at (docs only). */
    types: string[];
    check: StackCheck;
}

function metaOf(def: CommonDef, kind: RuleMeta["kind"], resourceTypes: string[]): RuleMeta {
    return { name: def.name, description: def.description, why: def.why, kind, defaultLevel: def.defaultLevel, params: def.params ?? {}, resourceTypes };
}

function mergedConfig(meta: RuleMeta, raw: object | undefined): Cfg {
    return { ...paramDefaults(meta), ...(raw ?? {}) } as Cfg;
}

/** The generic wrapper (type filter, exemptions, unknowns, param defaults) for one resource check. */
export function withGuards(meta: RuleMeta, accepts: (type: string, props: Record<string, any>) => boolean, check: ResourceCheck) {
    return (args: ResourceValidationArgs, report: ReportViolation): void => {
        let applies: boolean;
        try {
            applies = accepts(args.type, args.props);
        } catch (e) {
            if (isUnknownError(e)) return;
            throw e;
        }
        if (!applies) {
            args.notApplicable(`Policy only applies to ${meta.resourceTypes.join(", ")}`);
        }
        const cfg = mergedConfig(meta, args.getConfig<object>());
        if (isExempt(cfg.exemptions, args.name, args.urn)) {
            args.notApplicable(`Exempted by the '${meta.name}' exemptions config`);
        }
        try {
            check(args.props, args, report, cfg);
        } catch (e) {
            if (isUnknownError(e)) return; // known at `up`; no advisory noise at preview
            throw e;
        }
    };
}

export function resourceRule(def: ResourceRuleDef): PolicyFactory<ResourceValidationPolicy> {
    const types = def.types;
    const label = Array.isArray(types) ? types : [types.label];
    const meta = metaOf(def, "resource", label);
    const set = Array.isArray(types) ? new Set(types) : undefined;
    const accepts = set ? (t: string) => set.has(t) : (types as { test: (t: string, p: Record<string, any>) => boolean }).test;
    const factory = (enforcementLevel: EnforcementLevel = def.defaultLevel): ResourceValidationPolicy => ({
        name: def.name,
        description: def.description,
        enforcementLevel,
        configSchema: configSchemaOf(meta),
        validateResource: withGuards(meta, accepts, def.check),
    });
    return Object.assign(factory, { meta });
}

/**
 * A resource rule whose check sees typed props: `Unwrap<TArgs>` of the resource's Args, exactly
 * what `validateResourceOfType(aws.x.Y, …)` gives, but from a type-only import, so the pack does
 * not load the provider SDK at run time. The same guards apply (type filter, exemptions, unknowns).
 */
export function typedResourceRule<TArgs>(
    def: Omit<ResourceRuleDef, "check" | "types"> & {
        types: string[];
        check: (props: Unwrap<NonNullable<TArgs>>, args: ResourceValidationArgs, report: ReportViolation, cfg: Cfg) => void;
    },
): PolicyFactory<ResourceValidationPolicy> {
    return resourceRule(def as ResourceRuleDef);
}

export function stackRule(def: StackRuleDef): PolicyFactory<StackValidationPolicy> {
    const meta = metaOf(def, "stack", def.types);
    const factory = (enforcementLevel: EnforcementLevel = def.defaultLevel): StackValidationPolicy => ({
        name: def.name,
        description: def.description,
        enforcementLevel,
        configSchema: configSchemaOf(meta),
        validateStack: (args: StackValidationArgs, report: ReportViolation): void => {
            const cfg = mergedConfig(meta, args.getConfig<object>());
            const guarded: ReportViolation = (message: string, urn?: string) => {
                if (urn && isExempt(cfg.exemptions, nameOfUrn(urn), urn)) return;
                report(message, urn);
            };
            try {
                def.check(args.resources, args, guarded, cfg);
            } catch (e) {
                if (isUnknownError(e)) return;
                throw e;
            }
        },
    });
    return Object.assign(factory, { meta });
}
