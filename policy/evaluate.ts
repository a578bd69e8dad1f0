/**
 * In-process evaluation of the pack against resource records (contract §3 of docs/contracts.md).
 *
 * We build the validation args ourselves from the public @pulumi/policy types rather than driving
 * `@pulumi/policy/server`'s internal `makeAnalyzeRpcFun`: that handler is internal API (not in the
 * .d.ts), needs hand-built protobuf AnalyzeRequests per resource, and cannot apply our per-run
 * config without re-creating the handler. The args mirror what the engine sends: `props` are the
 * inputs wrapped in `unknownCheckingProxy`; `provider` carries the provider resource's inputs;
 * `notApplicable` throws; stack policies get `PolicyResource`s with parent and dependencies wired.
 * Secrets become the unknown sentinel (opaque = unknown; see lib/values.ts).
 */
import * as policy from "@pulumi/policy";
import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { ResourceRecord } from "../harness/types";
import { resolvePolicies, validatePolicyConfig, type PolicyConfig } from "./config";
import { secretsToUnknown } from "./lib/values";

export { loadPolicyConfig, type PolicyConfig } from "./config";

export interface Violation {
    policyName: string;
    enforcementLevel: "mandatory" | "advisory";
    urn: string;
    message: string;
}

export interface EvaluateOptions {
    stack?: string;
    stackTags?: Record<string, string>;
}

class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

function options(r: ResourceRecord): PolicyResourceOptions {
    return {
        protect: !!r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent || undefined,
    };
}

function propsOf(inputs: Record<string, unknown> | undefined): Record<string, any> {
    return policy.unknownCheckingProxy((secretsToUnknown(inputs ?? {}) ?? {}) as Record<string, any>);
}

/** `<providerURN>::<id>` → providerURN (URNs contain `::`, so cut at the last one). */
export function providerUrnOf(ref: string): string {
    const i = ref.lastIndexOf("::");
    return i < 0 ? ref : ref.slice(0, i);
}

/** Resources a policy looks at (providers and the stack itself are context, not subjects). */
export function isSubject(r: ResourceRecord): boolean {
    return r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:");
}

function typeMatcher(type: string) {
    return (cls: { __pulumiType?: string } | undefined): boolean => (cls as { __pulumiType?: string } | undefined)?.__pulumiType === type;
}

export function evaluate(resources: ResourceRecord[], config: PolicyConfig, opts: EvaluateOptions = {}): Violation[] {
    validatePolicyConfig(config);
    const resolved = resolvePolicies(config).filter((p) => p.level !== "disabled");
    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(opts.stackTags ?? {}));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));

    const providerCache = new Map<string, PolicyProviderResource | undefined>();
    const providerFor = (r: ResourceRecord): PolicyProviderResource | undefined => {
        const pkg = r.type.split(":")[0];
        const key = r.provider || `default:${pkg}`;
        if (providerCache.has(key)) return providerCache.get(key);
        let rec: ResourceRecord | undefined;
        if (r.provider) rec = byUrn.get(providerUrnOf(r.provider));
        else rec = resources.find((p) => p.type === `pulumi:providers:${pkg}` && p.name.startsWith("default"));
        const pr = rec ? { type: rec.type, name: rec.name, urn: rec.urn, props: propsOf(rec.inputs) } : undefined;
        providerCache.set(key, pr);
        return pr;
    };

    const subjects = resources.filter(isSubject);
    const prs = new Map<string, PolicyResource>();
    for (const r of subjects) {
        const isType = typeMatcher(r.type);
        const props = propsOf(r.inputs);
        prs.set(r.urn, {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            opts: options(r),
            provider: providerFor(r),
            dependencies: [],
            propertyDependencies: {},
            isType: isType as PolicyResource["isType"],
            asType: ((cls: unknown) => (isType(cls as { __pulumiType?: string }) ? props : undefined)) as PolicyResource["asType"],
        });
    }
    for (const r of subjects) {
        const pr = prs.get(r.urn)!;
        pr.parent = r.parent ? prs.get(r.parent) : undefined;
        pr.dependencies = (r.dependencies ?? []).map((d) => prs.get(d)).filter((x): x is PolicyResource => !!x);
    }

    const out: Violation[] = [];
    const level = (l: EnforcementLevel): Violation["enforcementLevel"] => (l === "advisory" ? "advisory" : "mandatory");

    for (const { factory, level: lvl, params } of resolved) {
        const pol = factory(lvl);
        const getConfig = <T extends object>() => ({ ...params }) as T;
        if ("validateResource" in pol && pol.validateResource) {
            const fns = Array.isArray(pol.validateResource) ? pol.validateResource : [pol.validateResource];
            for (const pr of prs.values()) {
                const args: ResourceValidationArgs = {
                    type: pr.type,
                    name: pr.name,
                    urn: pr.urn,
                    props: pr.props,
                    opts: pr.opts,
                    provider: pr.provider,
                    isType: pr.isType,
                    asType: pr.asType as unknown as ResourceValidationArgs["asType"],
                    stackTags,
                    getConfig,
                    notApplicable,
                };
                for (const fn of fns) {
                    try {
                        fn(args, (message: string) => {
                            out.push({ policyName: pol.name, enforcementLevel: level(lvl), urn: pr.urn, message });
                        });
                    } catch (e) {
                        if (e instanceof NotApplicable) break;
                        throw new Error(`policy '${pol.name}' failed on ${pr.urn}: ${(e as Error).message ?? e}`, { cause: e });
                    }
                }
            }
        } else if ("validateStack" in pol && typeof pol.validateStack === "function") {
            const validateStack = pol.validateStack as policy.StackValidation;
            const args: StackValidationArgs = { resources: [...prs.values()], stackTags, getConfig, notApplicable };
            try {
                validateStack(args, (message: string, urn?: string) => {
                    out.push({ policyName: pol.name, enforcementLevel: level(lvl), urn: urn ?? "", message });
                });
            } catch (e) {
                if (!(e instanceof NotApplicable)) throw new Error(`policy '${pol.name}' failed: ${(e as Error).message ?? e}`, { cause: e });
            }
        }
    }
    return sortViolations(out);
}

/** Deterministic order: mandatory first, then policy name, URN, message; exact duplicates dropped. */
export function sortViolations(vs: Violation[]): Violation[] {
    const key = (v: Violation) => [v.enforcementLevel === "mandatory" ? "0" : "1", v.policyName, v.urn, v.message].join("\u0000");
    const seen = new Set<string>();
    return vs
        .map((v, i) => ({ v, i, k: key(v) }))
        .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
        .filter(({ k }) => (seen.has(k) ? false : (seen.add(k), true)))
        .map(({ v }) => v);
}
