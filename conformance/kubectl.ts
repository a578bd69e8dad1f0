/** Server-side apply through kubectl (the client built with the server), with every error and warning captured. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Cluster } from "./cluster";
import type { K8sObject } from "./objects";

export interface ApplyResult {
    /** kubectl exited 0. */
    ok: boolean;
    /** `kind.group/name` of each object the server accepted. */
    accepted: string[];
    errors: string[];
    warnings: string[];
    output: string;
}

/** The flags every check uses: the README's command plus --warnings-as-errors (a warning fails the check). */
export const APPLY_FLAGS = ["apply", "--server-side", "--validate=strict", "--warnings-as-errors", "--field-manager=shop-conformance"];

export function parseApply(status: number, stdout: string, stderr: string): ApplyResult {
    const lines = stderr.split("\n").map((l) => l.trimEnd());
    const warnings = lines.filter((l) => l.startsWith("Warning: ")).map((l) => l.slice("Warning: ".length));
    // `error: N warning(s) received` is --warnings-as-errors' summary of the warnings above, not an error of its own.
    const errors = lines.filter((l) => l !== "" && !l.startsWith("Warning: ") && !/^error: \d+ warnings? received$/.test(l));
    const accepted = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    return { ok: status === 0, accepted, errors, warnings, output: `${stdout}${stderr}` };
}

/** `kubectl apply --server-side [--dry-run=server] --validate=strict --warnings-as-errors -f <path>...`. */
export function apply(cluster: Cluster, paths: string[], opts: { dryRun: boolean; forceConflicts?: boolean; fieldManager?: string }): ApplyResult {
    const flags = APPLY_FLAGS.map((f) => (opts.fieldManager && f.startsWith("--field-manager=") ? `--field-manager=${opts.fieldManager}` : f));
    const args = [
        ...flags,
        ...(opts.dryRun ? ["--dry-run=server"] : []),
        ...(opts.forceConflicts ? ["--force-conflicts"] : []),
        "-o",
        "name",
        ...paths.flatMap((p) => ["-f", p]),
    ];
    const r = cluster.kubectl(args);
    return parseApply(r.status, r.stdout, r.stderr);
}

/** Writes objects (their manifest text, one object per file) into a fresh temp dir, for a partial apply. */
export function writeObjects(objects: { file: string; text: string }[] | K8sObject[], prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shop-conformance-${prefix}-`));
    for (const o of objects) fs.writeFileSync(path.join(dir, path.basename(o.file)), o.text);
    return dir;
}

/** Like writeObjects, for objects given as data (written as JSON, which every reader reads the same). */
export function writeData(objects: { file: string; object: Record<string, unknown> }[], prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shop-conformance-${prefix}-`));
    for (const o of objects) fs.writeFileSync(path.join(dir, path.basename(o.file).replace(/\.ya?ml$/, ".json")), JSON.stringify(o.object));
    return dir;
}
