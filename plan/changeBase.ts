/**
 * The base of a change plan: a resources.json file (or a plan out dir holding one), or a git
 * ref whose tree is planned for the same stack in a temporary git worktree.
 *
 * For a ref: `git worktree add --detach <tmp> <commit>`; node_modules is a symlink to this
 * checkout's when package-lock.json is byte-identical (the same dependency tree), else
 * `npm ci` runs there; the base's own `plan/cli.ts` writes its resources.json; the worktree is
 * removed afterwards, whatever happened.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, type ResourcesFile } from "../harness";

export class BaseError extends Error {
    override name = "BaseError";
}

export interface ResolvedBase {
    /** How the base is named in the output: the file, or `ref (commit)`. */
    label: string;
    file: ResourcesFile;
}

function readResources(p: string): ResourcesFile {
    const f = fs.statSync(p).isDirectory() ? path.join(p, "resources.json") : p;
    if (!fs.existsSync(f)) throw new BaseError(`--base ${p}: no resources.json there`);
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(f, "utf8"));
    } catch (e) {
        throw new BaseError(`--base ${p}: not JSON (${(e as Error).message})`);
    }
    const d = doc as Partial<ResourcesFile>;
    if (d.format !== "shop-platform/resources@1" || !Array.isArray(d.resources))
        throw new BaseError(`--base ${p}: not a shop-platform/resources@1 file (write one with \`npm run plan -- <stack> --out <dir>\`)`);
    return d as ResourcesFile;
}

function git(args: string[], cwd = REPO_ROOT) {
    return spawnSync("git", args, { cwd, encoding: "utf8" });
}

export interface RefOptions {
    /** Where the temporary worktree goes (default: the OS temp dir). */
    tmpRoot?: string;
    /** Progress lines (stderr by default, so `--json` stays clean). */
    log?: (s: string) => void;
}

/** Plans `stack` at git ref `ref` in a temporary worktree and returns its resources. */
export function planAtRef(stack: string, ref: string, opts: RefOptions = {}): ResolvedBase {
    const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
    const rev = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (rev.status !== 0) throw new BaseError(`--base ${ref}: neither a resources.json file nor a git ref of ${REPO_ROOT}`);
    const commit = rev.stdout.trim();
    const tmp = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), "change-base-"));
    const tree = path.join(tmp, "tree");
    const out = path.join(tmp, "out");
    const add = git(["worktree", "add", "--detach", tree, commit]);
    if (add.status !== 0) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw new BaseError(`git worktree add failed: ${add.stderr.trim()}`);
    }
    try {
        const lockHere = path.join(REPO_ROOT, "package-lock.json");
        const lockThere = path.join(tree, "package-lock.json");
        const sameLock = fs.existsSync(lockThere) && fs.readFileSync(lockHere).equals(fs.readFileSync(lockThere));
        if (sameLock) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(tree, "node_modules"), "dir");
        else {
            log(`change plan: package-lock.json differs at ${ref}: npm ci in the base worktree`);
            const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: tree, encoding: "utf8" });
            if (ci.status !== 0) throw new BaseError(`npm ci at ${ref} failed: ${ci.stderr.trim().split("\n").slice(-5).join("\n")}`);
        }
        log(`change plan: planning ${stack} at ${ref} (${commit.slice(0, 12)})`);
        const r = spawnSync(process.execPath, ["--import", "tsx", "plan/cli.ts", stack, "--out", out, "--json"], {
            cwd: tree,
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
        // Exit 1 is a mandatory policy violation at the base: its resources are still written.
        if (r.status !== 0 && r.status !== 1)
            throw new BaseError(`the plan of ${stack} at ${ref} failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
        return { label: `${ref} (${commit.slice(0, 12)})`, file: readResources(out) };
    } finally {
        const rm = git(["worktree", "remove", "--force", tree]);
        if (rm.status !== 0) log(`change plan: could not remove the worktree ${tree}: ${rm.stderr.trim()}`);
        fs.rmSync(tmp, { recursive: true, force: true });
        git(["worktree", "prune"]);
    }
}

/** `--base` as given: an existing path is a resources file, anything else a git ref. */
export function resolveBase(stack: string, base: string, opts: RefOptions = {}): ResolvedBase {
    if (fs.existsSync(base)) {
        const file = readResources(base);
        if (file.stack !== stack) throw new BaseError(`--base ${base} is a plan of stack ${file.stack}, not ${stack}`);
        return { label: base, file };
    }
    return planAtRef(stack, base, opts);
}
