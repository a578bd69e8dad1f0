/**
 * The offline harness: runs the real program (`index.ts`) for a named stack under the Pulumi
 * SDK's mock engine and returns every resource it registers, with real URNs, parents,
 * providers, dependencies and inputs (secrets redacted). Tests, the offline plan and the
 * policy checks all build on this one function.
 *
 * Pulumi's runtime state is process-global: run one stack at a time (calls are serialised).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ShopMocks } from "./mocks";
import { loadStackConfig, REPO_ROOT, StackConfig } from "./stackConfig";
import { RedactedSecret, ResourceRecord, SECRET_SIG_KEY, SECRET_SIG_VALUE } from "./types";

export { listStacks, loadStackConfig, REPO_ROOT, UnknownStackError } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export * from "./types";

// Internal SDK modules: the SDK offers no public hook that sees each registration as the engine receives it.
const settings = require("@pulumi/pulumi/runtime/settings");
const rpc = require("@pulumi/pulumi/runtime/rpc");

export interface RunOptions {
    /** Extra or replacement stack config (`key` or `namespace:key`); `undefined` removes a key. */
    configOverrides?: Record<string, unknown>;
    /** Program entry point; defaults to the repository's `index.ts`. */
    program?: string;
}

export interface RunResult {
    project: string;
    stack: string;
    resources: ResourceRecord[];
    outputs: Record<string, unknown>;
    /** The loaded stack config (placeholders for secure values included, for leak tests). */
    stackConfig: StackConfig;
}

const REDACTED: RedactedSecret = { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: "[redacted]" };

/** Replaces every secret (as deserialised with keepSecrets) by the redacted marker. */
export function redactSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(redactSecrets);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SECRET_SIG_KEY] === SECRET_SIG_VALUE) return { ...REDACTED };
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, redactSecrets(x)]));
    }
    return v;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs the program for `stack` under mocks. Throws the config loader's error on bad config. */
export function runStack(stack: string, opts: RunOptions = {}): Promise<RunResult> {
    const run = queue.then(() => runStackNow(stack, opts));
    queue = run.catch(() => undefined);
    return run;
}

async function runStackNow(stack: string, opts: RunOptions): Promise<RunResult> {
    const stackConfig = loadStackConfig(stack, { overrides: opts.configOverrides });
    const region = stackConfig.config["aws:region"] ?? "us-east-1";

    pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
    await pulumi.runtime.setMocks(new ShopMocks({ region, stack }), stackConfig.project, stack, false);

    const records: ResourceRecord[] = [];
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: (err: unknown, resp: any) => void) =>
        register(req, (err: unknown, resp: any) => {
            if (!err && req.getType() !== "pulumi:pulumi:Stack") {
                records.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect() ?? false,
                    inputs: redactSecrets(rpc.deserializeProperties(req.getObject(), true)) as Record<string, unknown>,
                });
            }
            cb(err, resp);
        });

    // Stack outputs as the engine receives them: resolving them in-process would drop secretness.
    let stackOutputs: Record<string, unknown> | undefined;
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, cb: (err: unknown, resp: any) => void) => {
        if (/::pulumi:pulumi:Stack::/.test(req.getUrn())) stackOutputs = rpc.deserializeProperties(req.getOutputs(), true);
        return registerOutputs(req, cb);
    };

    // Mocha and plain node would otherwise swallow a failed registration silently.
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        const program = opts.program ?? path.join(REPO_ROOT, "index.ts");
        const resolved = require.resolve(program);
        delete require.cache[resolved];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded the way the Pulumi language host loads it
        await pulumi.runtime.runInPulumiStack(async () => require(resolved));
        await settings.waitForRPCs();
        // Let queued registrations that were kicked off by the last resolutions land.
        await new Promise((r) => setImmediate(r));
        await settings.waitForRPCs();
        if (rejections.length > 0) {
            const first = rejections[0];
            throw first instanceof Error ? first : new Error(String(first));
        }
        return {
            project: stackConfig.project,
            stack,
            resources: records,
            outputs: redactSecrets(stackOutputs ?? {}) as Record<string, unknown>,
            stackConfig,
        };
    } catch (err) {
        // Callers (tests, the plan) need to know how far the program got: bad config must
        // fail before anything is registered.
        if (err && typeof err === "object") Object.defineProperty(err, "registeredResources", { value: records.slice(), enumerable: false });
        throw err;
    } finally {
        // A failed program leaves the Stack resource's own promise rejected a tick later.
        await new Promise((r) => setImmediate(r));
        process.off("unhandledRejection", onRejection);
    }
}
