import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";

/** What else decides the image besides the context's files. */
export interface BuildInputs {
    /** Target platform, e.g. linux/amd64. */
    platform: string;
    /** Build arguments. Defaults to none. */
    args?: Record<string, string>;
    /** Dockerfile path relative to the context. Defaults to `Dockerfile`. */
    dockerfile?: string;
}

/**
 * A content hash of everything that decides an image: every file Docker would send (`.dockerignore`
 * honoured, with the gitignore-compatible `ignore` library), the Dockerfile and `.dockerignore`
 * themselves (a context usually ignores them, yet editing them changes the image), the platform and
 * the build args. The same inputs always give the same tag and any change gives a new one, so tags
 * stay immutable (ECR refuses a second push to an IMMUTABLE tag) and meaningful without a git checkout.
 */
export function hashBuildContext(contextDir: string, build: BuildInputs = { platform: "linux/amd64" }): string {
    const dockerfile = build.dockerfile ?? "Dockerfile";
    if (!fs.existsSync(path.join(contextDir, dockerfile))) throw new Error(`build context ${contextDir} has no ${dockerfile}`);
    const ig = ignore();
    const dockerignore = path.join(contextDir, ".dockerignore");
    if (fs.existsSync(dockerignore)) ig.add(fs.readFileSync(dockerignore, "utf8"));
    const hash = crypto.createHash("sha256");
    const add = (label: string, content: string | Buffer) => hash.update(label).update("\0").update(content).update("\0");
    add("#platform", build.platform);
    add("#args", JSON.stringify(Object.entries(build.args ?? {}).sort(([a], [b]) => a.localeCompare(b))));
    add(`#dockerfile:${dockerfile}`, fs.readFileSync(path.join(contextDir, dockerfile)));
    if (fs.existsSync(dockerignore)) add("#dockerignore", fs.readFileSync(dockerignore));
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const abs = path.join(dir, entry.name);
            const rel = path.relative(contextDir, abs).split(path.sep).join("/");
            if (entry.isDirectory()) {
                if (!ig.ignores(`${rel}/`)) walk(abs);
            } else if (entry.isFile() && !ig.ignores(rel)) {
                add(rel, fs.readFileSync(abs));
            }
        }
    };
    walk(contextDir);
    return hash.digest("hex");
}
