/**
 * One stack's offline plan: runs the program under the harness, then derives the tree, counts,
 * settings, policy verdicts and the notes on what offline cannot see. Writing files is in
 * `write.ts`, printing in `cli.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseShopConfig, type ParsedShopConfig } from "../config";
import { REPO_ROOT, runStack, type ResourceRecord, type RunOptions, type ResourcesFile } from "../harness";
import { evaluate, loadPolicyConfig, type Violation } from "../policy/evaluate";
import { estimateCost, type CostAssumptions, type CostEstimate } from "./cost";
import { extractSettings, type Setting } from "./settings";
import { buildTree, countByType, type TreeNode } from "./tree";
import { HELM_RELEASE_TYPE } from "./manifests";

export interface Plan {
    project: string;
    stack: string;
    resources: ResourceRecord[];
    tree: TreeNode;
    counts: Record<string, number>;
    total: number;
    settings: Setting[];
    policy: { configPath: string | null; violations: Violation[] };
    notes: string[];
    /** The monthly cost estimate (plan/cost), or why there is none (e.g. no price file for the region). */
    cost?: CostEstimate;
    costProblem?: string;
    /** The stack's budget (config monthlyBudgetUsd) and the one `pulumi preview` enforces (policy/config cost-budget). */
    costBudget?: { configUsd?: number; policyUsd?: number };
    /** Secure-value placeholders of this run: never to be printed or written (tests check). */
    placeholders: Record<string, string>;
}

export interface PlanOptions {
    configOverrides?: Record<string, unknown>;
    program?: RunOptions["program"];
    /** Policy config file; default `policy/config/<stack>.json`. */
    policyConfig?: string;
    /** Cost usage assumptions over the environment's defaults (plan/cost/assumptions.ts). */
    costAssumptions?: Partial<CostAssumptions>;
    /** Resources the provider has re-issued (new generated outputs, same inputs): harness RunOptions.reissued. */
    reissued?: string[];
}

/** What an offline plan cannot see, with the concrete resources of this plan it applies to. */
export function offlineNotes(resources: ResourceRecord[]): string[] {
    const remote = resources.filter((r) => r.remote).map((r) => `${r.type} ${r.name}`);
    const helm = resources.filter((r) => r.type === HELM_RELEASE_TYPE).map((r) => `${r.name} (chart ${String(r.inputs.chart ?? "?")})`);
    return [
        `Children of remote (multi-language) components are not registered offline${remote.length ? `: ${remote.join(", ")}` : ""} — e.g. the awsx VPC's subnets, route tables, internet and NAT gateways and EIPs; only the component's inputs are visible.`,
        "Provider-computed values are invented by the harness's mocks: resource ids, ARNs, endpoints, subnet ids, image digests and the kubeconfig are placeholders, not what AWS will return.",
        "No cloud-side validation: AWS API validation, IAM permission checks, service quotas, instance-type/AZ availability and EKS version support are checked only by a real `pulumi preview`/`up`.",
        `Helm charts are not fetched or rendered${helm.length ? ` (${helm.join(", ")})` : ""}: the objects a chart creates (e.g. kube-prometheus-stack's Prometheus, Alertmanager, exporters, CRDs) are not visible — only the release's values.`,
        "Secure config values cannot be decrypted offline: they are placeholders, registered as secrets and redacted everywhere in this output.",
        "No state: every resource shows as `+ create`; a real preview would diff against the stack's state.",
    ];
}

export function defaultPolicyConfig(stack: string): string {
    return path.join(REPO_ROOT, "policy", "config", `${stack}.json`);
}

export async function planStack(stack: string, opts: PlanOptions = {}): Promise<Plan> {
    const run = await runStack(stack, { configOverrides: opts.configOverrides, program: opts.program, reissued: opts.reissued });
    let config: ParsedShopConfig | undefined;
    try {
        config = parseShopConfig(run.stackConfig.config, { stack, secretKeys: run.stackConfig.secretKeys });
    } catch {
        config = undefined; // the program already validated it; a parse failure here leaves resource-derived settings only
    }
    const configPath = opts.policyConfig ?? defaultPolicyConfig(stack);
    const policyConfig = fs.existsSync(configPath) ? loadPolicyConfig(configPath) : undefined;
    const violations = policyConfig ? evaluate(run.resources, policyConfig, { stack }) : [];
    const budgetEntry = policyConfig?.["cost-budget"];
    const policyBudget = typeof budgetEntry === "object" && budgetEntry !== null ? (budgetEntry as { monthlyBudgetUsd?: number }).monthlyBudgetUsd : undefined;
    const counts = countByType(run.resources);
    let cost: CostEstimate | undefined;
    let costProblem: string | undefined;
    try {
        cost = estimateCost(run.resources, {
            stack,
            region: run.stackConfig.config["aws:region"] as string | undefined,
            environment: config?.environment,
            assumptions: { ...config?.cost.assumptions, ...opts.costAssumptions },
        });
    } catch (e) {
        if (e instanceof Error && ["PriceFileError", "CostAssumptionError", "CostEstimateError"].includes(e.name)) costProblem = e.message;
        else throw e;
    }
    return {
        project: run.project,
        stack,
        resources: run.resources,
        tree: buildTree(run.resources, { project: run.project, stack }),
        counts,
        total: run.resources.length,
        settings: extractSettings(run.resources, config, run.stackConfig.config["aws:region"]),
        policy: { configPath: fs.existsSync(configPath) ? configPath : null, violations },
        notes: [
            ...(config?.deployGaps ?? []).map(
                (g) => `Set before deploying (the plan stood in an example value; \`pulumi up\` refuses to start without it): ${g.key} ${g.message}`,
            ),
            ...offlineNotes(run.resources),
        ],
        cost,
        costProblem,
        costBudget: { configUsd: config?.cost.monthlyBudgetUsd, policyUsd: policyBudget },
        placeholders: run.stackConfig.placeholders,
    };
}

export function resourcesFile(plan: Pick<Plan, "project" | "stack" | "resources">): ResourcesFile {
    return { format: "shop-platform/resources@1", project: plan.project, stack: plan.stack, resources: plan.resources };
}

export const hasMandatory = (v: Violation[]) => v.some((x) => x.enforcementLevel === "mandatory");

/** Policy verdicts grouped mandatory first, then advisory. */
export function renderViolations(plan: Pick<Plan, "policy">): string {
    const { configPath, violations } = plan.policy;
    if (!configPath) return "  (no policy config for this stack: nothing evaluated)";
    const rel = path.relative(REPO_ROOT, configPath);
    const out: string[] = [];
    for (const level of ["mandatory", "advisory"] as const) {
        const vs = violations.filter((v) => v.enforcementLevel === level);
        out.push(`  ${level} (${vs.length}):`);
        if (vs.length === 0) out.push("    (none)");
        for (const v of vs) {
            const tail = v.urn ? v.urn.replace(/^urn:pulumi:[^:]*::[^:]*::/, "") : "(stack)";
            out.push(`    [${v.policyName}] ${tail}`, `        ${v.message}`);
        }
    }
    return `  config: ${rel}\n${out.join("\n")}`;
}
