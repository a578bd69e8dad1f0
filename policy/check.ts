/**
 * Offline policy check: `npm run policy:check -- <file> [--config policy/config/<env>.json]`.
 *
 * <file> is either a `pulumi stack export` (`{"version":3,"deployment":{"resources":[…]}}`) or
 * our `out/<stack>/resources.json` (`format: "shop-platform/resources@1"`). Without --config the
 * config is inferred from the file's stack: `policy/config/<stack>.json` when it exists, else the
 * pack's default levels (every policy at its own default; see docs/policies.md).
 *
 * Prints one line per violation (`<level> <policy-name> <urn> <message>`) and a summary line.
 * Exit: 1 when any mandatory violation, 0 otherwise, 2 when the input or config is unusable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceRecord } from "../harness/types";
import { PolicyConfigError, loadPolicyConfig, type PolicyConfig } from "./config";
import { evaluate, isSubject } from "./evaluate";
import { nameOfUrn } from "./lib/policy";

export class InputError extends Error {}

interface ExportResource {
    urn?: unknown;
    type?: unknown;
    custom?: unknown;
    delete?: unknown;
    parent?: unknown;
    provider?: unknown;
    dependencies?: unknown;
    protect?: unknown;
    inputs?: unknown;
    outputs?: unknown;
}

function obj(v: unknown): Record<string, unknown> | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Stack name from a URN `urn:pulumi:<stack>::<project>::…`. */
export function stackOfUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m?.[1];
}

/** Convert a `pulumi stack export` resource; outputs fill in what inputs lack (e.g. tagsAll, id). */
export function fromExport(r: ExportResource, i: number): ResourceRecord {
    if (typeof r.urn !== "string" || typeof r.type !== "string") throw new InputError(`deployment.resources[${i}] has no urn/type`);
    const inputs = obj(r.inputs) ?? {};
    const outputs = obj(r.outputs) ?? {};
    return {
        urn: r.urn,
        type: r.type,
        name: nameOfUrn(r.urn),
        custom: r.custom === true,
        remote: false,
        parent: typeof r.parent === "string" ? r.parent : "",
        provider: typeof r.provider === "string" ? r.provider : "",
        dependencies: Array.isArray(r.dependencies) ? r.dependencies.filter((d): d is string => typeof d === "string") : [],
        protect: r.protect === true,
        inputs: { ...outputs, ...inputs },
    };
}

export interface LoadedInput {
    kind: "stack-export" | "resources";
    stack?: string;
    resources: ResourceRecord[];
}

export function loadInput(file: string): LoadedInput {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file} is not JSON: ${(e as Error).message}`);
    }
    const top = obj(json);
    if (top?.format === "shop-platform/resources@1" && Array.isArray(top.resources)) {
        const resources = top.resources as ResourceRecord[];
        resources.forEach((r, i) => {
            if (!obj(r) || typeof r.urn !== "string" || typeof r.type !== "string") throw new InputError(`${file}: resources[${i}] has no urn/type`);
        });
        const norm = resources.map((r) => ({
            ...r,
            name: r.name ?? nameOfUrn(r.urn),
            parent: r.parent ?? "",
            provider: r.provider ?? "",
            dependencies: r.dependencies ?? [],
            inputs: r.inputs ?? {},
        }));
        return { kind: "resources", stack: typeof top.stack === "string" ? top.stack : stackOfUrn(norm[0]?.urn ?? ""), resources: norm };
    }
    const dep = obj(top?.deployment);
    if (dep && Array.isArray(dep.resources)) {
        const raw = dep.resources as ExportResource[];
        const resources = raw
            .map((r, i) => {
                if (!obj(r)) throw new InputError(`${file}: deployment.resources[${i}] is not an object`);
                return r;
            })
            .filter((r) => r.type !== "pulumi:pulumi:Stack" && r.delete !== true)
            .map((r, i) => fromExport(r, i));
        const stackUrn = raw.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
        const stack = stackOfUrn(typeof stackUrn === "string" ? stackUrn : (resources[0]?.urn ?? ""));
        return { kind: "stack-export", stack, resources };
    }
    throw new InputError(`${file} is neither a \`pulumi stack export\` (deployment.resources) nor a shop-platform/resources@1 file`);
}

export const CONFIG_DIR = path.join(__dirname, "config");

export function main(argv: string[]): number {
    const args = [...argv];
    let configPath: string | undefined;
    const files: string[] = [];
    while (args.length) {
        const a = args.shift()!;
        if (a === "--config") {
            configPath = args.shift();
            if (!configPath) return fail("--config needs a path");
        } else if (a.startsWith("--config=")) configPath = a.slice("--config=".length);
        else if (a === "-h" || a === "--help") {
            console.log("usage: npm run policy:check -- <stack-export.json|resources.json> [--config policy/config/<env>.json]");
            return 0;
        } else if (a.startsWith("-")) return fail(`unknown option ${a}`);
        else files.push(a);
    }
    if (files.length !== 1) return fail("expected exactly one input file (a `pulumi stack export` or out/<stack>/resources.json)");
    try {
        const input = loadInput(files[0]);
        let config: PolicyConfig = {};
        let configLabel = "pack defaults";
        if (!configPath && input.stack && fs.existsSync(path.join(CONFIG_DIR, `${input.stack}.json`)))
            configPath = path.join(CONFIG_DIR, `${input.stack}.json`);
        if (configPath) {
            config = loadPolicyConfig(configPath);
            configLabel = path.relative(process.cwd(), configPath) || configPath;
        }
        console.error(`policy:check: ${files[0]} (${input.kind}${input.stack ? `, stack ${input.stack}` : ""}) with ${configLabel}`);
        const violations = evaluate(input.resources, config, { stack: input.stack });
        for (const v of violations) console.log(`${v.enforcementLevel} ${v.policyName} ${v.urn || "-"} ${v.message}`);
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const advisory = violations.length - mandatory;
        const n = input.resources.filter(isSubject).length;
        console.log(`policy:check: ${mandatory} mandatory, ${advisory} advisory violations in ${n} resources`);
        return mandatory > 0 ? 1 : 0;
    } catch (e) {
        if (e instanceof InputError || e instanceof PolicyConfigError) return fail(e.message);
        throw e;
    }
}

function fail(message: string): number {
    console.error(`policy:check: error: ${message}`);
    return 2;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
