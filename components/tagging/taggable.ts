/**
 * Which `@pulumi/aws` resource types accept `tags`, derived from the installed package rather
 * than hand-maintained: a resource class's `.js` carries its type token (`__pulumiType`) and the
 * `.d.ts` beside it declares `<Name>Args`; a type is taggable when that interface has `tags?:`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function listTaggableAwsTypes(awsRoot = path.dirname(require.resolve("@pulumi/aws/package.json"))): string[] {
    const found = new Set<string>();
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules" && entry.name !== "types") walk(p);
                continue;
            }
            if (!entry.name.endsWith(".js")) continue;
            const js = fs.readFileSync(p, "utf8");
            const m = /__pulumiType = '([^']+)'/.exec(js);
            if (!m || !m[1].startsWith("aws:")) continue;
            const dts = p.slice(0, -3) + ".d.ts";
            if (!fs.existsSync(dts)) continue;
            const src = fs.readFileSync(dts, "utf8");
            const cls = /export declare class (\w+) extends pulumi\.CustomResource/.exec(src);
            if (!cls) continue;
            const start = src.indexOf(`export interface ${cls[1]}Args {`);
            if (start < 0) continue;
            const end = src.indexOf("\n}", start);
            // Only map-shaped tags: a few types (autoscaling groups) take a list of tag objects instead.
            if (/^\s+tags\?: pulumi\.Input<\{/m.test(src.slice(start, end))) found.add(m[1]);
        }
    };
    walk(awsRoot);
    return [...found].sort();
}
