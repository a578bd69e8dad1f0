/**
 * The plans the suite checks: each stack's base plan and the routine changes of its lifecycle, each
 * written by the plan's own CLI (`npm run plan -- <stack> [--config-override k=v]... --out <dir>`), run
 * in this process: the first plan loads @pulumi/* and the policy pack, later ones take about a second.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultsFor, type Environment } from "../config";
import { loadStackConfig, REPO_ROOT } from "../harness";
import { main as planCli } from "../plan/cli";
import eksVersions from "../config/eks-versions.json";

export interface Variant {
    /** Short id, used in directory names and the report. */
    id: string;
    /** What a person would call this change. */
    what: string;
    overrides: Record<string, string>;
    /** A new build context for the apps (a new image), instead of or besides overrides. */
    newImage?: boolean;
    /** The change starts from the stack with these overrides and goes to the stack as committed. */
    from?: Record<string, string>;
}

export interface WrittenPlan {
    stack: string;
    variant: Variant | undefined;
    dir: string;
    /** Exit code of the plan CLI: 0 OK, 1 a mandatory policy violation (manifests are still written). */
    code: number;
    /** Set when the plan CLI refused (e.g. config validation). */
    error?: string;
}

/** The stack's effective value of a config key: the stack file's value, else the environment's default. */
export function currentValue(stack: string, key: string): unknown {
    const cfg = loadStackConfig(stack).config;
    const raw = cfg[`shop-platform:${key}`];
    if (raw !== undefined) {
        try {
            return JSON.parse(raw) as unknown;
        } catch {
            return raw;
        }
    }
    const env = (cfg["shop-platform:environment"] ?? stack) as Environment;
    return (defaultsFor(env) as unknown as Record<string, unknown>)[key];
}

const num = (stack: string, key: string) => {
    const v = Number(currentValue(stack, key));
    if (!Number.isFinite(v)) throw new Error(`${stack}: ${key} has no numeric value (${String(currentValue(stack, key))})`);
    return v;
};

/** The routine changes of the lifecycle (issue 15 / the lifecycle issue): none of them may be refused by the API server. */
export function variantsFor(stack: string): Variant[] {
    const v: Variant[] = [
        { id: "postgres-storage", what: "PostgreSQL volume raised", overrides: { postgresStorageGiB: String(num(stack, "postgresStorageGiB") * 2) } },
        { id: "redis-storage", what: "Redis volume raised", overrides: { redisStorageGiB: String(num(stack, "redisStorageGiB") * 2) } },
        { id: "redis-persistence", what: "Redis persistence toggled", overrides: { redisPersistence: String(!currentValue(stack, "redisPersistence")) } },
        {
            id: "replicas",
            what: "app replicas and HPA min/max changed",
            overrides: Object.fromEntries(
                ["storefront", "catalog"].flatMap((app) => [
                    [`${app}Replicas`, String(num(stack, `${app}Replicas`) + 1)],
                    [`${app}MinReplicas`, String(num(stack, `${app}MinReplicas`) + 1)],
                    [`${app}MaxReplicas`, String(num(stack, `${app}MaxReplicas`) + 2)],
                ]),
            ),
        },
        {
            id: "cache-ttl",
            what: "storefront cache TTL changed",
            overrides: { storefrontCacheTtlSeconds: String(num(stack, "storefrontCacheTtlSeconds") + 5) },
        },
        {
            id: "credentials",
            what: "credentials rotated (credentialsGeneration bumped)",
            overrides: { credentialsGeneration: String(num(stack, "credentialsGeneration") + 1) },
        },
        kubernetesUpgrade(String(currentValue(stack, "kubernetesVersion"))),
        { id: "new-image", what: "new app images (both build contexts changed)", overrides: {}, newImage: true },
    ];
    // Turning the ALB on needs a host and a certificate, which only staging and prod have.
    if (stack === "staging") v.push({ id: "ingress", what: "ingress toggled", overrides: { ingressEnabled: String(!currentValue(stack, "ingressEnabled")) } });
    // The point-in-time restore (backups on: staging, prod): a second Cluster bootstrapped from the archive,
    // then the apps switched to it. Both are config edits the runbook prescribes; the CNPG CRD judges the Cluster.
    if (stack === "prod") {
        const restore = { postgresRecoveryCluster: "shop-db-pitr", postgresRecoveryTargetTime: "2026-12-02T13:49:23Z" };
        v.push({ id: "postgres-restore", what: "PostgreSQL restored to a point in time into a second Cluster", overrides: restore });
        v.push({ id: "postgres-switch", what: "apps switched to a restored Cluster", overrides: { ...restore, postgresServingCluster: "shop-db-pitr" } });
    }
    return v;
}

const minor = (v: string) => Number(/^1\.(\d+)$/.exec(v)?.[1] ?? NaN);

/**
 * One minor version up: to the next version config/eks-versions.json lists when there is one, else
 * into the current version from the one before it (the upgrade the stack last went through).
 */
function kubernetesUpgrade(current: string): Variant {
    const listed = eksVersions.versions.map((v) => v.version).sort((a, b) => minor(a) - minor(b));
    const next = listed.find((v) => minor(v) === minor(current) + 1);
    if (next) return { id: "kubernetes-version", what: `Kubernetes upgraded ${current} -> ${next}`, overrides: { kubernetesVersion: next } };
    const prev = listed.find((v) => minor(v) === minor(current) - 1);
    if (!prev) throw new Error(`config/eks-versions.json lists neither the minor before nor after ${current}`);
    return { id: "kubernetes-version", what: `Kubernetes upgraded ${prev} -> ${current}`, overrides: {}, from: { kubernetesVersion: prev } };
}

/**
 * A copy of each app's build context with one file added: the image tag is a hash of the build
 * context (components/images/contextHash.ts), resolved from the working directory, so planning from
 * this directory gives both apps a new tag and digest, as a source change would.
 */
function newImageWorkdir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-conformance-image-"));
    const ls = spawnSync("git", ["ls-files", "-z", "apps/storefront", "apps/catalog"], { cwd: REPO_ROOT, encoding: "utf8" });
    if (ls.status !== 0) throw new Error(`git ls-files: ${ls.stderr}`);
    for (const rel of ls.stdout.split("\0").filter(Boolean)) {
        const src = path.join(REPO_ROOT, rel);
        if (!fs.existsSync(src)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.copyFileSync(src, path.join(dir, rel));
    }
    for (const app of ["storefront", "catalog"]) fs.writeFileSync(path.join(dir, "apps", app, "CONFORMANCE-NEW-IMAGE"), "a change to the build context\n");
    return dir;
}

export async function writePlanFor(stack: string, variant: Variant | undefined, outDir: string): Promise<WrittenPlan> {
    const argv = [stack, "--out", outDir, ...Object.entries(variant?.overrides ?? {}).flatMap(([k, v]) => ["--config-override", `${k}=${v}`])];
    const cwd = process.cwd();
    const imageDir = variant?.newImage ? newImageWorkdir() : undefined;
    try {
        if (imageDir) process.chdir(imageDir);
        const code = await planCli(argv, () => undefined);
        return { stack, variant, dir: outDir, code };
    } catch (e) {
        return { stack, variant, dir: outDir, code: 2, error: e instanceof Error ? e.message : String(e) };
    } finally {
        process.chdir(cwd);
        if (imageDir) fs.rmSync(imageDir, { recursive: true, force: true });
    }
}
