/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI would hand them to a
 * program: a flat `namespace:key -> string` map. Encrypted values (`secure:`) cannot be
 * decrypted offline; they become placeholders that are registered as secret keys, so the
 * program treats them exactly like real secrets (and tests prove the placeholder never leaks).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface StackConfig {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
    /** The placeholder given to each secure key (tests check none appears in plaintext). */
    placeholders: Record<string, string>;
}

export class UnknownStackError extends Error {
    constructor(
        readonly stack: string,
        readonly known: string[],
    ) {
        super(`Unknown stack "${stack}". Stacks found: ${known.join(", ") || "(none)"} (from Pulumi.<stack>.yaml files).`);
        this.name = "UnknownStackError";
    }
}

/** Stacks that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(root = REPO_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Offline stand-ins for encrypted values. Where a key's validator needs a certain shape (a URL),
 * the placeholder has it, so validation runs on everything else.
 */
const PLACEHOLDER_SHAPES: Record<string, (key: string) => string> = {
    alertSlackWebhookUrl: (k) => `https://hooks.slack.com/services/OFFLINE/PLACEHOLDER/${k.replace(/\W/g, "")}`,
};

function placeholderFor(fullKey: string): string {
    const short = fullKey.split(":").pop()!;
    return PLACEHOLDER_SHAPES[short]?.(fullKey) ?? `offline-secret-placeholder-${fullKey.replace(/\W/g, "-")}`;
}

function stringify(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

export function loadStackConfig(stack: string, opts: { root?: string; overrides?: Record<string, unknown> } = {}): StackConfig {
    const root = opts.root ?? REPO_ROOT;
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new UnknownStackError(stack, listStacks(root));

    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, { default?: unknown; value?: unknown } | unknown>;
    };
    const stackDoc = (YAML.parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: Record<string, string> = {};
    const qualify = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);

    // Project-level declarations: a `default` applies when no stack sets the key.
    for (const [k, decl] of Object.entries(project.config ?? {})) {
        if (decl && typeof decl === "object" && ("default" in decl || "value" in decl)) {
            const d = decl as { default?: unknown; value?: unknown };
            config[qualify(k)] = stringify(d.value ?? d.default);
        }
    }
    const set = (k: string, v: unknown) => {
        const key = qualify(k);
        if (v && typeof v === "object" && !Array.isArray(v) && "secure" in v) {
            placeholders[key] = placeholderFor(key);
            config[key] = placeholders[key];
            secretKeys.push(key);
        } else {
            config[key] = stringify(v);
        }
    };
    for (const [k, v] of Object.entries(stackDoc.config ?? {})) set(k, v);
    for (const [k, v] of Object.entries(opts.overrides ?? {})) {
        if (v === undefined) delete config[qualify(k)];
        else set(k, v);
    }
    return { project: project.name, stack, config, secretKeys, placeholders };
}
