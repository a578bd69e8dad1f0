/**
 * Reading resource properties safely: unknown values (preview), encrypted secrets (offline
 * records and stack exports) and plain absence.
 *
 * Under the engine, `args.props` is wrapped in @pulumi/policy's `unknownCheckingProxy`: reading a
 * value that is unknown during preview throws `UnknownValueError`. Every policy in this pack is
 * wrapped (lib/policy.ts) so that such an error ends that policy's evaluation of that resource
 * quietly (no violation, no advisory "can't run during preview" noise); the value is known at
 * `up`, when the policy runs again. Rules that can still decide something without the value use
 * {@link peek}.
 *
 * Offline (evaluate.ts / check.ts), encrypted secrets are turned into the unknown-object
 * sentinel before the proxy is applied, so "opaque" and "unknown" share one code path: neither
 * violating nor compliant.
 */
import { UnknownValueError } from "@pulumi/policy";

/** The sentinels of @pulumi/policy 1.21.0 `proxy.ts` (internal there; a test pins them). */
export const UNKNOWN_SENTINELS = {
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    asset: "030794c1-ac77-496b-92df-f27374a8bd58",
    archive: "e48ece36-62e2-4504-bad9-02848725956a",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;
const SENTINEL_SET: ReadonlySet<unknown> = new Set(Object.values(UNKNOWN_SENTINELS));

/** The Pulumi secret signature (`pulumi stack export`, engine RPC, our resource records). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Marker returned by {@link peek} when the value could not be read. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** True for a preview unknown (raw sentinel) or our {@link UNKNOWN} marker. */
export function isUnknown(v: unknown): boolean {
    return v === UNKNOWN || SENTINEL_SET.has(v);
}

/** True for a serialized secret (`{"4dabf…": "1b47…", ciphertext|plaintext|value}`). */
export function isSecret(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE;
}

/** Unknown or secret: a value a policy must neither pass nor fail on. */
export function isOpaque(v: unknown): boolean {
    return isUnknown(v) || isSecret(v);
}

/**
 * Evaluate `fn` (which reads through the unknown-checking proxy); if any read hits an unknown,
 * return {@link UNKNOWN} instead of throwing. Opaque results are also mapped to UNKNOWN.
 */
export function peek<T>(fn: () => T): T | Unknown {
    try {
        const v = fn();
        return isOpaque(v) ? UNKNOWN : v;
    } catch (e) {
        if (isUnknownError(e)) return UNKNOWN;
        throw e;
    }
}

export function isUnknownError(e: unknown): boolean {
    return e instanceof UnknownValueError || (e instanceof Error && e.constructor?.name === "UnknownValueError");
}

/**
 * Deep-copy a plain JSON value replacing every secret by the unknown-object sentinel (offline
 * inputs). The copy is what the unknown-checking proxy wraps.
 */
export function secretsToUnknown(v: unknown): unknown {
    if (isSecret(v)) return UNKNOWN_SENTINELS.object;
    if (Array.isArray(v)) return v.map(secretsToUnknown);
    if (typeof v === "object" && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            if (x !== undefined) out[k] = secretsToUnknown(x);
        }
        return out;
    }
    return v;
}

/** `v` as a plain object (or undefined). */
export function asObject(v: unknown): Record<string, any> | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !isOpaque(v) ? (v as Record<string, any>) : undefined;
}

/** `v` as an array (or []). Opaque/unknown elements are kept; callers check them. */
export function asArray(v: unknown): any[] {
    return Array.isArray(v) ? v : [];
}

/** Parse a JSON document given as a string or already an object; undefined when it is neither. */
export function parseJsonDoc(v: unknown): Record<string, any> | undefined {
    if (typeof v === "string") {
        if (isUnknown(v)) return undefined;
        try {
            const parsed: unknown = JSON.parse(v);
            return asObject(parsed);
        } catch {
            return undefined;
        }
    }
    return asObject(v);
}
