/**
 * `npm run plan -- <stack> [--out <dir>] [--json] [--config-override key=value]… [--diagram <base>]`
 * `npm run plan -- --all [--json]`            plan every stack in one process
 * `npm run plan -- --diff <stackA> <stackB> [--json]`
 * `npm run plan -- <stack> --base <resources.json | out dir | git ref> [--json]`   change plan (plan/changeCli.ts)
 * Any mode: `--cost-assumption key=value`… overrides a cost usage assumption (plan/cost/assumptions.ts).
 *
 * Exit codes: 0 plan OK (advisory findings allowed), 1 a mandatory policy violation,
 * 2 usage error, unknown stack or invalid config (message only, no stack trace), 3 unexpected error.
 */
import * as path from "node:path";
import { ConfigError } from "../config";
import { BaseError } from "./changeBase";
import { changeMain } from "./changeCli";
import { listStacks, REPO_ROOT, UnknownStackError } from "../harness";
import { costDelta, renderCost, renderCostDelta, usd, writeCostFile, type CostAssumptions } from "./cost";
import { diffPlans, renderDiff } from "./diff";
import { loadDotRenderer } from "./dot";
import { hasMandatory, planStack, renderViolations, type Plan } from "./plan";
import { renderSettings } from "./settings";
import { renderCounts, renderTree } from "./tree";
import { writeDiagram, writePlan, type Written } from "./write";

export class UsageError extends Error {}

export interface CliArgs {
    mode: "plan" | "all" | "diff";
    stacks: string[];
    out?: string;
    json: boolean;
    overrides: Record<string, unknown>;
    diagram?: string;
    /** `--base`: print the change plan against this base (plan/changeCli.ts). */
    base?: string;
    costAssumptions: Partial<CostAssumptions>;
}

const USAGE =
    "usage: npm run plan -- <stack> [--out <dir>] [--json] [--config-override key=value]... [--diagram <path-base>]\n       npm run plan -- --all [--json]\n       npm run plan -- --diff <stackA> <stackB> [--json]\n       npm run plan -- <stack> --base <resources.json | out dir | git ref> [--json] [--config-override key=value]...\n       (any mode) --cost-assumption key=value   override a cost usage assumption";

/** `key=value`: value parsed as JSON when it is an object/array/number/boolean, else kept as a string. */
export function parseOverride(s: string): [string, unknown] {
    const i = s.indexOf("=");
    if (i <= 0) throw new UsageError(`--config-override expects key=value, got "${s}"`);
    const key = s.slice(0, i);
    const raw = s.slice(i + 1);
    try {
        const v = JSON.parse(raw) as unknown;
        return [key, v !== null && typeof v === "object" ? v : raw];
    } catch {
        return [key, raw];
    }
}

export function parseArgs(argv: string[]): CliArgs {
    const a: CliArgs = { mode: "plan", stacks: [], json: false, overrides: {}, costAssumptions: {} };
    for (let i = 0; i < argv.length; i++) {
        const x = argv[i];
        const next = () => {
            if (i + 1 >= argv.length) throw new UsageError(`${x} needs a value`);
            return argv[++i];
        };
        if (x === "--json") a.json = true;
        else if (x === "--all") a.mode = "all";
        else if (x === "--diff") a.mode = "diff";
        else if (x === "--out") a.out = next();
        else if (x === "--diagram") a.diagram = next();
        else if (x === "--base") a.base = next();
        else if (x === "--config-override") {
            const [k, v] = parseOverride(next());
            a.overrides[k] = v;
        } else if (x === "--cost-assumption") {
            const [k, v] = parseOverride(next());
            (a.costAssumptions as Record<string, unknown>)[k] = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
        } else if (x === "-h" || x === "--help") throw new UsageError(USAGE);
        else if (x.startsWith("-")) throw new UsageError(`unknown option ${x}\n${USAGE}`);
        else a.stacks.push(x);
    }
    if (a.mode === "plan" && a.stacks.length !== 1) throw new UsageError(`expected one stack (found: ${listStacks().join(", ")})\n${USAGE}`);
    if (a.mode === "diff" && a.stacks.length !== 2) throw new UsageError(`--diff expects two stacks\n${USAGE}`);
    if (a.mode === "all" && a.stacks.length !== 0) throw new UsageError(`--all takes no stack names\n${USAGE}`);
    if (a.base !== undefined && a.mode !== "plan") throw new UsageError(`--base compares one stack\n${USAGE}`);
    return a;
}

/** The budget line under the cost section (the cost-budget policy verdict is under Policies). */
export function renderBudget(plan: Pick<Plan, "cost" | "costBudget">): string {
    const b = plan.costBudget?.configUsd;
    if (!plan.cost || !b) return "\n  budget: none (monthlyBudgetUsd 0)";
    const t = plan.cost.totalUsd;
    const state = t > b ? `OVER by ${usd(t - b)}` : `within (${Math.round((t / b) * 100)} %)`;
    const p = plan.costBudget?.policyUsd;
    const mismatch =
        p !== undefined && p !== b ? `; NOTE policy/config cost-budget.monthlyBudgetUsd is ${usd(p)}, which \`pulumi preview\` enforces — make them equal` : "";
    return `\n  budget: ${usd(b)} (config monthlyBudgetUsd): ${state}${mismatch}`;
}

export function renderPlanText(plan: Plan, written: Written): string {
    const rel = (p: string) => path.relative(process.cwd(), p) || ".";
    const parts = [
        `Previewing stack ${plan.project}/${plan.stack} OFFLINE (Pulumi mock engine; nothing contacts AWS)`,
        "",
        renderTree(plan.tree),
        "",
        renderCounts(plan.counts),
        "",
        "Settings:",
        renderSettings(plan.settings),
        "",
        "Estimated monthly cost:",
        plan.cost ? renderCost(plan.cost) + renderBudget(plan) : `  (no estimate: ${plan.costProblem ?? "unknown reason"})`,
        "",
        "Policies:",
        renderViolations(plan),
        "",
        "What this offline plan cannot see:",
        ...plan.notes.map((n) => `  - ${n}`),
        "",
        `Wrote ${rel(written.dir)}/: resources.json, ${plan.cost ? "cost.json, " : ""}${written.files.filter((f) => f.includes(`${path.sep}manifests${path.sep}`)).length} manifests, ${written.svgProblem ? "architecture.dot" : "architecture.dot + .svg"}`,
    ];
    if (written.svgProblem) parts.push(`  note: ${written.svgProblem}`);
    const m = plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const adv = plan.policy.violations.length - m;
    parts.push(`Result: ${plan.total} resources, ${m} mandatory and ${adv} advisory policy violation(s)${m ? " — FAILED" : ""}`);
    return parts.join("\n");
}

export function planJson(plan: Plan, written: Written): Record<string, unknown> {
    return {
        project: plan.project,
        stack: plan.stack,
        tree: plan.tree,
        counts: plan.counts,
        total: plan.total,
        settings: plan.settings,
        policy: { config: plan.policy.configPath && path.relative(REPO_ROOT, plan.policy.configPath), violations: plan.policy.violations },
        notes: plan.notes,
        cost: plan.cost ?? null,
        costBudget: plan.costBudget ?? null,
        ...(plan.costProblem ? { costProblem: plan.costProblem } : {}),
        out: { dir: written.dir, files: written.files, svgProblem: written.svgProblem },
    };
}

export async function main(argv: string[], print: (s: string) => void = (s) => process.stdout.write(s + "\n")): Promise<number> {
    const args = parseArgs(argv);
    if (args.base !== undefined)
        return changeMain({ stack: args.stacks[0], base: args.base, json: args.json, overrides: args.overrides, out: args.out }, print);
    if (args.mode === "diff") {
        const [a, b] = args.stacks;
        const pa = await planStack(a, { configOverrides: args.overrides, costAssumptions: args.costAssumptions });
        const pb = await planStack(b, { configOverrides: args.overrides, costAssumptions: args.costAssumptions });
        const d = diffPlans(pa, pb);
        const cd = pa.cost && pb.cost ? costDelta(pa.cost, pb.cost) : undefined;
        print(
            args.json
                ? JSON.stringify({ ...d, cost: cd ?? null }, null, 2)
                : `${renderDiff(d)}\n\n${cd ? renderCostDelta(cd) : "Monthly cost: no estimate for one of the stacks"}`,
        );
        return 0;
    }
    await loadDotRenderer(); // the WebAssembly Graphviz, once per run
    const stacks = args.mode === "all" ? listStacks() : args.stacks;
    const docs: Record<string, unknown>[] = [];
    let failed = false;
    for (const stack of stacks) {
        const plan = await planStack(stack, { configOverrides: args.overrides, costAssumptions: args.costAssumptions });
        const out = path.resolve(args.out && args.mode === "plan" ? args.out : path.join(args.out ?? "out", stack));
        const written = writePlan(plan, out);
        if (plan.cost) written.files.push(writeCostFile(out, plan.cost));
        if (args.diagram) {
            const d = writeDiagram(plan, path.resolve(args.diagram));
            if (d.svgProblem) written.svgProblem = d.svgProblem;
        }
        failed ||= hasMandatory(plan.policy.violations);
        if (args.json) docs.push(planJson(plan, written));
        else print(renderPlanText(plan, written) + (stacks.length > 1 ? "\n" : ""));
    }
    if (args.json) print(JSON.stringify(args.mode === "all" ? docs : docs[0], null, 2));
    return failed ? 1 : 0;
}

/** Expected errors: a message and exit 2, never a stack trace. */
export function expectedError(err: unknown): string | undefined {
    if (err instanceof UsageError || err instanceof UnknownStackError || err instanceof ConfigError || err instanceof BaseError) return err.message;
    if (err instanceof Error && (err.name === "ConfigError" || err.name === "UnknownStackError")) return err.message;
    return undefined;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            const msg = expectedError(err);
            if (msg !== undefined) {
                process.stderr.write(`error: ${msg}\n`);
                process.exitCode = 2;
            } else {
                process.stderr.write(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
                process.exitCode = 3;
            }
        },
    );
}
