/**
 * Shared by the routine-change tests (change-routine.test.ts): the
 * real program under the harness, before and after one routine change, compared with the
 * change plan. A base plan per stack is computed once per process.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness";
import { computeChangePlan, type ChangePlan, type ResourceChange } from "../change";
import { planStack, type Plan } from "../plan";

const bases = new Map<string, Promise<Plan>>();
export const basePlan = (stack: string) => {
    if (!bases.has(stack)) bases.set(stack, planStack(stack));
    return bases.get(stack)!;
};

/** The change plan of `overrides` against the stack as committed (or as committed plus `baseOverrides`). */
export async function routine(stack: string, overrides: Record<string, unknown>, baseOverrides?: Record<string, unknown>): Promise<ChangePlan> {
    const base = baseOverrides ? await planStack(stack, { configOverrides: baseOverrides }) : await basePlan(stack);
    const head = await planStack(stack, { configOverrides: { ...baseOverrides, ...overrides } });
    return computeChangePlan({ stack, base: "committed config", baseResources: base.resources, resources: head.resources });
}

/**
 * The change plan of an edit inside apps/ (e.g. a Dockerfile): the program builds image tags
 * from the `apps/<app>` context relative to the working directory (index.ts, like `pulumi up`
 * run from the project directory), so the edited copy lives in a temporary directory that
 * becomes the working directory for the run. Nothing in the repository is touched.
 */
export async function routineAppsEdit(stack: string, edit: (appsDir: string) => void): Promise<ChangePlan> {
    const base = await basePlan(stack);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "change-apps-"));
    fs.cpSync(path.join(REPO_ROOT, "apps"), path.join(tmp, "apps"), { recursive: true });
    edit(path.join(tmp, "apps"));
    const cwd = process.cwd();
    let head: Plan;
    try {
        process.chdir(tmp);
        head = await planStack(stack);
    } finally {
        process.chdir(cwd);
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    return computeChangePlan({ stack, base: "committed tree", baseResources: base.resources, resources: head.resources });
}

export const label = (c: ResourceChange) => `${c.type.replace(/^kubernetes:/, "")} ${c.name}`;
export const changed = (p: ChangePlan) => p.changes.filter((c) => c.action !== "same");
export const names = (p: ChangePlan, action: ResourceChange["action"]) =>
    changed(p)
        .filter((c) => c.action === action)
        .map(label)
        .sort();
export const rolled = (p: ChangePlan) =>
    changed(p)
        .filter((c) => c.rolled)
        .map(label)
        .sort();

/** Exactly these resources change, with these actions; nothing stateful is replaced. */
export function expectExactly(p: ChangePlan, expected: Partial<Record<ResourceChange["action"], string[]>>) {
    for (const action of ["create", "update", "replace", "delete"] as const)
        assert.deepEqual(names(p, action), [...(expected[action] ?? [])].sort(), `${action}:\n${renderBrief(p)}`);
}

export function noStatefulReplaced(p: ChangePlan) {
    const bad = p.changes.filter((c) => c.stateful && c.action === "replace").map(label);
    assert.deepEqual(bad, [], `stateful resources replaced:\n${renderBrief(p)}`);
}

export function renderBrief(p: ChangePlan): string {
    return changed(p)
        .map(
            (c) =>
                `  ${c.action}${c.rolled ? " (rolled)" : ""}${c.deleteBeforeReplace ? " (delete first)" : ""} ${label(c)}: ${(c.action === "update" ? c.paths.map((x) => x.path) : c.replaceReasons.map((r) => r.path)).slice(0, 4).join(", ")}`,
        )
        .join("\n");
}
