/**
 * `cost-budget`: the stack's estimated monthly cost must stay within its budget.
 *
 * The estimate is plan/cost's engine, run on the resources the stack policy receives — their
 * inputs alone, so it gives the same number in `pulumi preview` (CrossGuard), `policy:check`
 * and the offline plan. The engine is dependency-free TypeScript (node built-ins and its price
 * files under plan/pricing/), so the pack needs nothing beyond its own node_modules.
 *
 * The budget lives here, in policy/config/<env>.json (`monthlyBudgetUsd`), because the pack
 * receives only its policy config and the resources, never the program's stack config.
 */
import type { PolicyResource } from "@pulumi/policy";
import { estimateCost, topDrivers, usd } from "../../../plan/cost/estimate";
import type { CostAssumptions, CostEnvironment } from "../../../plan/cost/assumptions";
import type { CostEstimate, CostResource } from "../../../plan/cost/types";
import { isExempt, stackRule } from "../../lib/policy";
import { isOpaque, peek, UNKNOWN } from "../../lib/values";

/** A plain copy of a (proxied) value without unknowns and secrets: what is known now is priced. */
export function plainKnown(v: unknown): unknown {
    if (isOpaque(v)) return undefined;
    if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
            const x = peek(() => v[i] as unknown);
            if (x !== UNKNOWN) out.push(plainKnown(x));
        }
        return out;
    }
    if (typeof v === "object" && v !== null) {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
            const x = peek(() => (v as Record<string, unknown>)[k]);
            if (x === UNKNOWN) continue;
            const p = plainKnown(x);
            if (p !== undefined) out[k] = p;
        }
        return out;
    }
    return v;
}

/** PolicyResource → the engine's input (a region-bearing AWS provider comes along as a resource). */
export function toCostResources(resources: PolicyResource[]): CostResource[] {
    const out: CostResource[] = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent?.urn ?? "",
        dependencies: (r.dependencies ?? []).map((d) => d.urn),
        inputs: (plainKnown(r.props) as Record<string, unknown>) ?? {},
    }));
    const provider = resources.map((r) => r.provider).find((p) => p?.type === "pulumi:providers:aws");
    const region = provider ? peek(() => provider.props.region as unknown) : UNKNOWN;
    if (provider && typeof region === "string")
        out.push({ urn: provider.urn, type: provider.type, name: provider.name, parent: "", dependencies: [], inputs: { region } });
    return out;
}

export const costBudget = stackRule({
    name: "cost-budget",
    description:
        "The stack's estimated monthly cost (plan/cost: resource inputs × the price file of the region, with the environment's usage assumptions) must not exceed monthlyBudgetUsd; the violation names the top three cost drivers.",
    why: "A budget checked on every preview catches a change that would multiply the bill (one more NAT gateway per AZ, a bigger node group) before it is deployed, not when the invoice arrives.",
    defaultLevel: "advisory",
    types: ["all priced resource types (plan/cost/estimate.ts)"],
    params: {
        monthlyBudgetUsd: { type: "number", minimum: 0, default: 0, description: "Monthly budget in USD; 0 means no budget (the policy passes)." },
        region: { type: "string", default: "", description: "Price file region; empty: the AWS provider's region, else the region in the resources' ARNs." },
        environment: {
            type: "string",
            enum: ["", "dev", "staging", "prod"],
            default: "",
            description: "Which usage assumptions apply; empty: the stack name, else the Environment tag.",
        },
        assumptions: {
            type: "object",
            default: {},
            description: 'Overrides of the cost usage assumptions (plan/cost/assumptions.ts), e.g. {"natProcessedGbPerMonth": 500}.',
        },
    },
    check: (resources, _args, report, cfg) => {
        const budget = Number(cfg.monthlyBudgetUsd ?? 0);
        if (!(budget > 0)) return;
        // An exempted resource is left out of the estimate.
        const counted = resources.filter((r) => !isExempt(cfg.exemptions, r.name, r.urn));
        if (counted.length === 0) return;
        let est: CostEstimate;
        try {
            est = estimateCost(toCostResources(counted), {
                region: cfg.region || undefined,
                environment: (cfg.environment || undefined) as CostEnvironment | undefined,
                assumptions: cfg.assumptions as Partial<CostAssumptions>,
            });
        } catch (e) {
            report(`Cannot estimate the stack's monthly cost to compare it with the budget ${usd(budget)}: ${(e as Error).message}`, counted[0].urn);
            return;
        }
        if (est.totalUsd <= budget) return;
        report(
            `Estimated monthly cost ${usd(est.totalUsd)} exceeds the budget ${usd(budget)} by ${usd(est.totalUsd - budget)} ` +
                `(${est.region}, ${est.environment} assumptions, prices read ${est.priceFile.read}). Top cost drivers: ${topDrivers(est, 3).join("; ")}.`,
            // Reported on the top resource (a stack policy's report needs a URN in policy:check's output format).
            est.byResource.find((r) => r.urn)?.urn ?? counted[0].urn,
        );
    },
});
