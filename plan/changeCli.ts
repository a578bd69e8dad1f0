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
import { hasMandatory, planStack } from "./plan";
import { writePlan } from "./write";

export interface ChangeArgs {
    stack: string;
    base: string;
    json: boolean;
    overrides: Record<string, unknown>;
    out?: string;
}

export async function changePlanFor(args: ChangeArgs, refOpts: RefOptions = {}): Promise<{ plan: ChangePlan; mandatory: boolean }> {
    const base = resolveBase(args.stack, args.base, refOpts);
    const head = await planStack(args.stack, { configOverrides: args.overrides });
    writePlan(head, path.resolve(args.out ?? path.join("out", args.stack)));
    const plan = computeChangePlan({ stack: args.stack, base: base.label, baseResources: base.file.resources, resources: head.resources });
    return { plan, mandatory: hasMandatory(head.policy.violations) };
}

export async function changeMain(args: ChangeArgs, print: (s: string) => void): Promise<number> {
    const { plan, mandatory } = await changePlanFor(args);
    if (args.json) print(JSON.stringify({ ...changePlanJson(plan), mandatoryPolicyViolations: mandatory }, null, 2));
    else
        print(
            renderChangePlan(plan) +
                (mandatory ? "\nPolicy: mandatory violation(s) in this tree — run `npm run plan -- " + args.stack + "` for the details" : ""),
        );
    return plan.blocking.length > 0 || mandatory ? 1 : 0;
}
