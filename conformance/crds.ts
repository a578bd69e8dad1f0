/**
 * The CRDs of every custom resource the program creates, from the upstream projects' Go modules as
 * conformance/crds.json pins them (module@version, path in the zip, sha256 of each file).
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface CrdFile {
    path: string;
    sha256: string;
    /** `group/Kind` of each custom resource the file defines. */
    kinds: string[];
}

export interface CrdSource {
    name: string;
    chart: string;
    chartVersion: string;
    why: string;
    exact?: boolean;
    goModule?: string;
    version?: string;
    sum?: string;
    goToolchain?: string;
    sharedDir?: string;
    upstream?: string;
    files: CrdFile[];
}

export interface ResolvedCrd {
    source: CrdSource;
    file: CrdFile;
    /** Where the verified bytes are on this machine. */
    local: string;
    /** module@version/path, or shared/<dir>/<file>. */
    origin: string;
}

export const CRDS_JSON = path.join(__dirname, "crds.json");

export function loadCrdSources(file = CRDS_JSON): CrdSource[] {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { sources: CrdSource[] }).sources;
}

/** `go mod download` outside any module: the go command verifies the zip against the checksum database. */
function downloadModule(mod: string, version: string, toolchain: string | undefined): { dir: string; sum: string } {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "shop-crd-mod-"));
    try {
        const r = spawnSync("go", ["mod", "download", "-json", `${mod}@${version}`], {
            cwd,
            encoding: "utf8",
            env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: toolchain ?? "local" },
            timeout: 600_000,
        });
        const info = (() => {
            try {
                return JSON.parse(r.stdout) as { Dir?: string; Sum?: string; Error?: string };
            } catch {
                return { Error: `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}` };
            }
        })();
        if (info.Error || !info.Dir || !info.Sum) throw new Error(`go mod download ${mod}@${version}: ${info.Error ?? r.stderr}`);
        return { dir: info.Dir, sum: info.Sum };
    } finally {
        fs.rmSync(cwd, { recursive: true, force: true });
    }
}

/** shared/ sits beside the repository in CI and two levels up from a worktree under /work/wt. */
export function sharedDirs(repoRoot: string): string[] {
    const env = process.env.SHOP_SHARED_DIR;
    return [...(env ? [env] : []), path.resolve(repoRoot, "..", "shared"), path.resolve(repoRoot, "..", "..", "shared")];
}

/** Resolves every CRD file and verifies its bytes; throws naming the first one that cannot be had or does not match. */
export function resolveCrds(sources: CrdSource[], repoRoot: string): ResolvedCrd[] {
    const out: ResolvedCrd[] = [];
    for (const source of sources) {
        let base: string;
        let originBase: string;
        if (source.goModule && source.version) {
            const { dir, sum } = downloadModule(source.goModule, source.version, source.goToolchain);
            if (source.sum && sum !== source.sum) throw new Error(`${source.goModule}@${source.version}: module sum ${sum}, crds.json pins ${source.sum}`);
            base = dir;
            originBase = `${source.goModule}@${source.version}`;
        } else if (source.sharedDir) {
            const found = sharedDirs(repoRoot)
                .map((d) => path.join(d, source.sharedDir!))
                .find((d) => fs.existsSync(d));
            if (!found)
                throw new Error(`${source.name}: shared/${source.sharedDir} not found (looked in ${sharedDirs(repoRoot).join(", ")}; set SHOP_SHARED_DIR)`);
            base = found;
            originBase = `shared/${source.sharedDir} (${source.upstream ?? "upstream copy"})`;
        } else {
            throw new Error(`${source.name}: neither goModule+version nor sharedDir`);
        }
        for (const file of source.files) {
            const local = path.join(base, file.path);
            if (!fs.existsSync(local)) throw new Error(`${originBase}: no ${file.path}`);
            const sha = crypto.createHash("sha256").update(fs.readFileSync(local)).digest("hex");
            if (sha !== file.sha256) throw new Error(`${originBase}/${file.path}: sha256 ${sha}, crds.json pins ${file.sha256}`);
            out.push({ source, file, local, origin: `${originBase}/${file.path}` });
        }
    }
    return out;
}
