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
import { RedactedSecret, ResourceOptionsRecord, ResourceRecord, SECRET_SIG_KEY, SECRET_SIG_VALUE } from "./types";

export { listStacks, loadStackConfig, REPO_ROOT, UnknownStackError } from "./stackConfig";
export type { StackConfig } from "./stackConfig";
export * from "./types";

// Internal SDK modules: the SDK offers no public hook that sees each registration as the engine receives it.
const settings = require("@pulumi/pulumi/runtime/settings");
const rpc = require("@pulumi/pulumi/runtime/rpc");

export interface RunOptions {
    /** Extra or replacement stack config (`key` or `namespace:key`); `undefined` removes a key. */
    configOverrides?: Record<string, unknown>;
    /** Program entry point (a module path, or a function that registers resources); defaults to the repository's `index.ts`. */
    program?: string | (() => unknown);
    /** Resources whose generated outputs the provider has re-issued ({@link ShopMocksOptions.reissued}). Defaults to none. */
    reissued?: string[];
}

/**
 * Registers one or a few components under the mocks, without a stack file (the pulumi/examples
 * `testing-unit-ts` shape): `await runComponents(() => new WebApp("x", args))`. Returns their records.
 */
export function runComponents(build: () => unknown, opts: { stack?: string; region?: string; existingRoles?: string[] } = {}): Promise<ResourceRecord[]> {
    const stack = opts.stack ?? "test";
    const run = queue.then(async () => {
        pulumi.runtime.setAllConfig({ "aws:region": opts.region ?? "eu-west-1" }, []);
        await pulumi.runtime.setMocks(
            new ShopMocks({ region: opts.region ?? "eu-west-1", stack, existingRoles: opts.existingRoles }),
            "shop-platform",
            stack,
            false,
        );
        return (await record(async () => build())).resources;
    });
    queue = run.catch(() => undefined);
    return run;
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

/**
 * The options of a RegisterResourceRequest that decide how a change is applied. Alias specs
 * are resolved the way the mock monitor builds URNs (parent's last type segment), so they
 * compare with the recorded URNs.
 */
function optionsOf(req: any, urn: string): ResourceOptionsRecord {
    const [, stackProject] = /^urn:pulumi:(.*?::.*?)::/.exec(urn) ?? [];
    const aliases: string[] = (req.getAliasesList?.() ?? []).map((a: any) => {
        if (a.hasUrn()) return a.getUrn();
        const spec = a.getSpec();
        const [stack, project] = (stackProject ?? "::").split("::");
        const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
        const type = spec.getType() || req.getType();
        const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
        return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${qualified}::${spec.getName() || req.getName()}`;
    });
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        const urns: string[] = deps.getUrnsList();
        if (urns.length > 0) propertyDependencies[key] = [...urns];
    });
    return {
        retainOnDelete: req.getRetainondelete?.() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
        replaceOnChanges: [...req.getReplaceonchangesList()],
        ignoreChanges: [...req.getIgnorechangesList()],
        aliases: [...aliases, ...(req.getAliasurnsList?.() ?? [])],
        propertyDependencies,
    };
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs the program for `stack` under mocks. Throws the config loader's error on bad config. */
export function runStack(stack: string, opts: RunOptions = {}): Promise<RunResult> {
    const run = queue.then(() => runStackNow(stack, opts));
    queue = run.catch(() => undefined);
    return run;
}

/** The program's own switch for "offline": deploy gaps get example values instead of stopping it (config/index.ts). */
process.env.SHOP_PLATFORM_OFFLINE = "1";

async function runStackNow(stack: string, opts: RunOptions): Promise<RunResult> {
    const stackConfig = loadStackConfig(stack, { overrides: opts.configOverrides });
    const region = stackConfig.config["aws:region"] ?? "us-east-1";

    pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
    await pulumi.runtime.setMocks(new ShopMocks({ region, stack, reissued: opts.reissued }), stackConfig.project, stack, false);

    const program = opts.program ?? path.join(REPO_ROOT, "index.ts");
    const load =
        typeof program === "function"
            ? program
            : () => {
                  const resolved = require.resolve(program);
                  delete require.cache[resolved];
                  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded the way the Pulumi language host loads it
                  return require(resolved);
              };
    const { resources, stackOutputs } = await record(load);
    return { project: stackConfig.project, stack, resources, outputs: redactSecrets(stackOutputs ?? {}) as Record<string, unknown>, stackConfig };
}

/** Runs `program` inside a Pulumi stack under the current mocks and records every registration. */
async function record(program: () => unknown): Promise<{ resources: ResourceRecord[]; stackOutputs?: Record<string, unknown> }> {
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
                    options: optionsOf(req, resp.getUrn()),
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
        await pulumi.runtime.runInPulumiStack(async () => program());
        await settings.waitForRPCs();
        // Let queued registrations that were kicked off by the last resolutions land.
        await new Promise((r) => setImmediate(r));
        await settings.waitForRPCs();
        if (rejections.length > 0) {
            const first = rejections[0];
            throw first instanceof Error ? first : new Error(String(first));
        }
        return { resources: records, stackOutputs };
    } catch (err) {
        // Callers (tests, the plan) need to know how far the program got: bad config must
        // fail before anything is registered.
        const mark = (e: unknown) => {
            if (e && typeof e === "object" && !("registeredResources" in e))
                Object.defineProperty(e, "registeredResources", { value: records.slice(), enumerable: false });
        };
        mark(err);
        // The same failure often surfaces more than once (the failing Output, then the resource that
        // serialises it, then the Stack): every copy belongs to this one failure, rethrown here.
        await new Promise((r) => setTimeout(r, 10));
        rejections.forEach(mark);
        throw err;
    } finally {
        // A failed program leaves the Stack resource's own promise rejected a tick later.
        await new Promise((r) => setImmediate(r));
        process.off("unhandledRejection", onRejection);
    }
}
