/**
 * Shared plan fixtures: one plan per stack per test process (Pulumi's runtime is global).
 *
 * The program builds Docker images from apps/<app>/Dockerfile. While those files do not exist
 * (another part of the repo), the plan runs a copy of index.ts whose only change is that the build
 * contexts (and paths relative to the program) point at a temp dir with stub Dockerfiles; this is
 * printed, never silent. With the Dockerfiles present the real index.ts runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness";
import { planStack, type Plan, type PlanOptions } from "../plan";

let programPath: string | undefined | null = null;

export function testProgram(): string | undefined {
    if (programPath !== null) return programPath;
    const apps = ["storefront", "catalog"];
    if (apps.every((a) => fs.existsSync(path.join(REPO_ROOT, "apps", a, "Dockerfile")))) return (programPath = undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-program-"));
    for (const a of apps) {
        fs.mkdirSync(path.join(dir, "apps", a), { recursive: true });
        fs.writeFileSync(path.join(dir, "apps", a, "Dockerfile"), "FROM scratch\n");
    }
    const src = fs
        .readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8")
        .replace(/from "\.\//g, `from "${REPO_ROOT}/`)
        .replace(/context: `apps\//g, `context: \`${dir}/apps/`)
        .replace(/\$\{__dirname\}/g, REPO_ROOT);
    fs.writeFileSync(path.join(dir, "index.ts"), src);
    console.warn(`    NOTE: apps/*/Dockerfile missing: planning a copy of index.ts with stub build contexts (${dir})`);
    return (programPath = path.join(dir, "index.ts"));
}

const cache = new Map<string, Promise<Plan>>();

export function planFor(stack: string): Promise<Plan> {
    if (!cache.has(stack)) cache.set(stack, planStack(stack, { program: testProgram() }));
    return cache.get(stack)!;
}

export function planWith(stack: string, opts: PlanOptions): Promise<Plan> {
    return planStack(stack, { program: testProgram(), ...opts });
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Extra CLI args the spawned CLI needs to plan the same program as {@link planFor}. */
export function programArgs(): string[] {
    const p = testProgram();
    return p ? ["--program", p] : [];
}
