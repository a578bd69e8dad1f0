/**
 * The row type of the configuration table ({@link ./table}) and the type-level machinery that turns
 * the table into the typed configuration the components receive. A row is one stack key, declared
 * once, like a terraform `variable` block: its Pulumi.yaml type, description, validation schema,
 * default (one value, or one per environment), whether it is a secret, and the option it feeds.
 */
import type { z } from "zod";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** How Pulumi.yaml declares the key (and how the raw string from the engine is converted). */
export type KeyType = "string" | "integer" | "boolean" | "array";

export interface Row<S extends z.ZodType = z.ZodType, F extends string = string> {
    type: KeyType;
    /** What the key is for. Defaults are appended from `default`/`defaults` when docs are generated. */
    description: string;
    /** Validates one value (cross-key rules live in the table's `crossChecks`). */
    schema: S;
    /** The same default in every environment. */
    default?: z.infer<S>;
    /** One default per environment (dev is cheap, staging mirrors prod's shape, prod is highly available). */
    defaults?: Record<Environment, z.infer<S>>;
    /** Must be set in the stack file (no default makes sense: tags, the environment itself). */
    required?: true;
    /** Must be set with `pulumi config set --secret`; a plaintext value is an error; reaches components as a secret Output. */
    secret?: true;
    /** Dot path of the option in the typed config this key feeds, e.g. `cluster.nodeGroup.minSize`. */
    feeds: F;
}

/** Declares a row, keeping its schema, `feeds` path and whether it always has a value, for the derived config type. */
export function row<S extends z.ZodType, const F extends string>(r: Row<S, F> & { default: z.infer<S> }): Row<S, F> & { default: z.infer<S> };
export function row<S extends z.ZodType, const F extends string>(
    r: Row<S, F> & { defaults: Record<Environment, z.infer<S>> },
): Row<S, F> & { defaults: Record<Environment, z.infer<S>> };
export function row<S extends z.ZodType, const F extends string>(r: Row<S, F> & { required: true }): Row<S, F> & { required: true };
export function row<S extends z.ZodType, const F extends string>(r: Row<S, F> & { secret: true }): Row<S, F> & { secret: true };
export function row<S extends z.ZodType, const F extends string>(r: Row<S, F>): Row<S, F>;
export function row(r: Row): Row {
    return r;
}

/** The default of a row in one environment (undefined when the key is optional or required). */
export function defaultOf(r: Row, env: Environment): unknown {
    return r.defaults ? r.defaults[env] : r.default;
}

type Split<S extends string> = S extends `${infer H}.${infer T}` ? [H, ...Split<T>] : [S];
type Nest<P extends string[], V> = P extends [infer H extends string, ...infer R extends string[]] ? { [K in H]: R extends [] ? V : Nest<R, V> } : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Expand<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { [K in keyof T]: Expand<T[K]> } : T;

type HasDefault<R> = R extends { default: unknown } ? true : R extends { defaults: unknown } ? true : R extends { required: true } ? true : false;
/** The value type a row contributes: its schema's type, a secret Output for secret rows, `undefined` when it has no default. */
type ValueOf<R, Secret> =
    R extends Row<infer S> ? (R extends { secret: true } ? Secret : z.infer<S>) | (HasDefault<R> extends true ? never : undefined) : never;

/** The nested object a table builds: every row's value at its `feeds` path. */
export type Fed<T extends Record<string, Row>, Secret = string> = Expand<
    UnionToIntersection<{ [K in keyof T]: Nest<Split<T[K]["feeds"]>, ValueOf<T[K], Secret>> }[keyof T]>
>;

/** Sets `value` at a dot path inside `target`, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
    const parts = path.split(".");
    let o = target;
    for (const p of parts.slice(0, -1)) {
        if (typeof o[p] !== "object" || o[p] === null) o[p] = {};
        o = o[p] as Record<string, unknown>;
    }
    o[parts[parts.length - 1]] = value;
}
