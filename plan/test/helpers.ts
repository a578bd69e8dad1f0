/** Shared plan fixtures: one plan per stack per test process (Pulumi's runtime is global). */
import * as fs from "node:fs";
import * as path from "node:path";
import { planStack, type Plan, type PlanOptions } from "../plan";

const cache = new Map<string, Promise<Plan>>();

export function planFor(stack: string): Promise<Plan> {
    if (!cache.has(stack)) cache.set(stack, planStack(stack));
    return cache.get(stack)!;
}

export function planWith(stack: string, opts: PlanOptions): Promise<Plan> {
    return planStack(stack, opts);
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
