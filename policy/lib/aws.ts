/** AWS helpers: effective tags, IAM/KMS policy documents, CIDRs. */
import type { PolicyProviderResource } from "@pulumi/policy";
import { asArray, asObject, isOpaque, isUnknown, parseJsonDoc, peek, UNKNOWN } from "./values";

/** The provider's `defaultTags.tags` (a JSON string in provider inputs, or an object); UNKNOWN when opaque. */
export function providerDefaultTags(provider: PolicyProviderResource | undefined): Record<string, unknown> | typeof UNKNOWN {
    if (!provider || provider.type !== "pulumi:providers:aws") return {};
    const raw = peek(() => provider.props.defaultTags);
    if (raw === UNKNOWN) return UNKNOWN;
    if (raw === undefined || raw === null || raw === "") return {};
    const doc = parseJsonDoc(raw);
    if (!doc) return UNKNOWN; // not parseable: cannot judge
    const tags = doc.tags;
    if (tags === undefined || tags === null) return {};
    if (isOpaque(tags)) return UNKNOWN;
    return asObject(tags) ?? {};
}

/**
 * Effective tags: `tagsAll` when known, else the provider's defaultTags merged with `tags`
 * (resource tags win). UNKNOWN when they cannot be determined. Values may be opaque.
 */
export function effectiveTags(props: Record<string, any>, provider: PolicyProviderResource | undefined): Record<string, unknown> | typeof UNKNOWN {
    const tagsAll = peekRaw(props, "tagsAll");
    if (tagsAll !== UNKNOWN && tagsAll !== undefined && tagsAll !== null) {
        const o = asObject(tagsAll);
        if (o) return o;
    }
    const tags = peekRaw(props, "tags");
    if (tags === UNKNOWN) return UNKNOWN;
    const own = tags === undefined || tags === null ? {} : asObject(tags);
    if (!own) return UNKNOWN;
    const defaults = providerDefaultTags(provider);
    if (defaults === UNKNOWN) return UNKNOWN;
    return { ...defaults, ...own };
}

/** Read `props[key]` keeping objects intact (the proxy throws only on an unknown leaf). */
function peekRaw(props: Record<string, any>, key: string): unknown {
    try {
        const v = props[key];
        return isOpaque(v) ? UNKNOWN : v;
    } catch (e) {
        if (e instanceof Error && e.constructor?.name === "UnknownValueError") return UNKNOWN;
        throw e;
    }
}

export interface Statement {
    Effect?: string;
    Action?: unknown;
    NotAction?: unknown;
    Resource?: unknown;
    Principal?: unknown;
    Condition?: unknown;
}

/** Statements of an IAM-style policy document (string or object); undefined when not parseable/unknown. */
export function statementsOf(doc: unknown): Statement[] | undefined {
    if (isUnknown(doc) || isOpaque(doc)) return undefined;
    const d = parseJsonDoc(doc);
    if (!d) return undefined;
    const st = d.Statement;
    if (Array.isArray(st)) return st.map((s) => asObject(s) ?? {}) as Statement[];
    const one = asObject(st);
    return one ? [one as Statement] : [];
}

export function strings(v: unknown): string[] {
    if (typeof v === "string") return [v];
    return asArray(v).filter((x): x is string => typeof x === "string");
}

/** Does a Principal grant everyone (`"*"`, `{"AWS":"*"}`)? */
export function isWildcardPrincipal(p: unknown): boolean {
    if (p === "*") return true;
    const o = asObject(p);
    if (!o) return false;
    return strings(o.AWS).includes("*") || strings(o.CanonicalUser).includes("*");
}

export function hasCondition(s: Statement): boolean {
    const c = asObject(s.Condition);
    return !!c && Object.keys(c).length > 0;
}

export const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);
