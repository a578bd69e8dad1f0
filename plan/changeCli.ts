/**
 * `npm run plan -- <stack> --base <resources.json | plan out dir | git ref> [--json] [--config-override k=v]…`
 *
 * Plans the current tree (config overrides apply to this side only: "what would this change
 * do"), compares it with the base and prints the change plan. Exit 1 when a stateful or
 * protected resource would be replaced or deleted, or on a mandatory policy violation.
 */
import * as path from "node:path";
import { computeChangePlan, changePlanJson, renderChangePlan, type ChangePlan } from "./change";
import { resolveBase, type RefOptions } from "./changeBase";
import { costDelta, renderCostDelta, type CostDelta } from "./cost";
import { hasMandatory, planStack } from "./plan";
import { writePlan } from "./write";

export interface ChangeArgs {
    stack: string;
    base: string;
    json: boolean;
    overrides: Record<string, unknown>;
    out?: string;
}

export async function changePlanFor(args: ChangeArgs, refOpts: RefOptions = {}): Promise<{ plan: ChangePlan; mandatory: boolean; cost?: CostDelta }> {
    const base = resolveBase(args.stack, args.base, refOpts);
    const head = await planStack(args.stack, { configOverrides: args.overrides });
    writePlan(head, path.resolve(args.out ?? path.join("out", args.stack)));
    const plan = computeChangePlan({ stack: args.stack, base: base.label, baseResources: base.file.resources, resources: head.resources });
    // The base is priced with the head's region and assumptions, so the delta is what the resource changes cost.
    const h = head.cost;
    const cost = h
        ? costDelta(base.file.resources, h, { base: { stack: args.stack, region: h.region, environment: h.environment, assumptions: h.assumptions } })
        : undefined;
    return { plan, mandatory: hasMandatory(head.policy.violations), cost };
}

export async function changeMain(args: ChangeArgs, print: (s: string) => void): Promise<number> {
    const { plan, mandatory, cost } = await changePlanFor(args);
    if (args.json) print(JSON.stringify({ ...changePlanJson(plan), mandatoryPolicyViolations: mandatory, cost: cost ?? null }, null, 2));
    else
        print(
            renderChangePlan(plan) +
                (cost ? `\n\n${renderCostDelta(cost)}` : "") +
                (mandatory ? "\nPolicy: mandatory violation(s) in this tree — run `npm run plan -- " + args.stack + "` for the details" : ""),
        );
    return plan.blocking.length > 0 || mandatory ? 1 : 0;
}
