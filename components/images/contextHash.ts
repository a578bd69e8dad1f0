import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";

/**
 * A content hash of a Docker build context: every file Docker would send (`.dockerignore`
 * honoured, with the gitignore-compatible `ignore` library), by relative path and content.
 * The same sources always give the same tag, and any change gives a new one, so image tags are
 * immutable and meaningful without a git checkout (e.g. in the offline plan).
 */
export function hashBuildContext(contextDir: string): string {
    if (!fs.existsSync(path.join(contextDir, "Dockerfile"))) {
        throw new Error(`build context ${contextDir} has no Dockerfile`);
    }
    const ig = ignore();
    const dockerignore = path.join(contextDir, ".dockerignore");
    if (fs.existsSync(dockerignore)) ig.add(fs.readFileSync(dockerignore, "utf8"));
    const hash = crypto.createHash("sha256");
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const abs = path.join(dir, entry.name);
            const rel = path.relative(contextDir, abs).split(path.sep).join("/");
            if (entry.isDirectory()) {
                if (!ig.ignores(`${rel}/`)) walk(abs);
            } else if (entry.isFile() && !ig.ignores(rel)) {
                hash.update(rel).update("\0").update(fs.readFileSync(abs)).update("\0");
            }
        }
    };
    walk(contextDir);
    return hash.digest("hex");
}
