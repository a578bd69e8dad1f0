/**
 * The conformance suite: every object of every stack, checked by a real kube-apiserver v1.36.3.
 *
 *   node --import tsx conformance/run.ts --bin <dir with kube-apiserver and kubectl> [--stack <s>]...
 *
 * Per stack, on a fresh etcd + kube-apiserver (cluster.ts): plan (`out/<stack>/`), install the CRDs
 * (crds.json), create the namespaces, server-side dry-run every rendered object with strict field
 * validation (`kubectl apply --server-side --dry-run=server --validate=strict --warnings-as-errors`:
 * an error OR a warning fails), apply the base plan for real, then server-side-apply (dry-run) the
 * objects each routine change alters and record what the server refuses. Once (staging's cluster): the
 * deliberately bad objects of negatives.ts must each be refused. Prints one line per check, a summary
 * per stack and `suite conformance: N passed, N failed`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../harness";
import { startCluster, type Cluster } from "./cluster";
import { loadCrdSources, resolveCrds, type ResolvedCrd } from "./crds";
import { apply, writeObjects, type ApplyResult } from "./kubectl";
import { negatives } from "./negatives";
import { changedObjects, isCustomResource, readObjects, type K8sObject } from "./objects";
import { variantsFor, writePlanFor, type Variant } from "./plans";
import { applyPatches, createClaims, judgeChange, readPlanDir, type PlanDir } from "./updates";

interface Check {
    name: string;
    ok: boolean;
    detail?: string;
}

const checks: Check[] = [];
function record(name: string, ok: boolean, detail?: string): boolean {
    checks.push({ name, ok, detail });
    const indent = (s: string) => s.replace(/^/gm, "      ");
    process.stdout.write(`${ok ? "  ok  " : "  FAIL"} ${name}\n${detail ? indent(detail) + "\n" : ""}`);
    return ok;
}

function parseArgs(argv: string[]): { bin: string; stacks: string[] } {
    let bin = "";
    const stacks: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--bin") bin = argv[++i];
        else if (argv[i] === "--stack") stacks.push(argv[++i]);
        else throw new Error(`unknown argument ${argv[i]}`);
    }
    if (!bin) throw new Error("--bin <dir> is required (conformance/build-k8s.sh prints it)");
    return { bin, stacks: stacks.length ? stacks : ["dev", "staging", "prod"] };
}

const summarize = (r: ApplyResult) => [...r.errors, ...r.warnings.map((w) => `Warning: ${w}`)].join("\n");

/** Helm chart and version of each release in a plan, from the values files' headers. */
function helmReleases(planDir: string): Map<string, string> {
    const out = new Map<string, string>();
    const dir = path.join(planDir, "helm-values");
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const text = fs.readFileSync(path.join(dir, f), "utf8");
        const chart = /^# chart: +(\S+)$/m.exec(text)?.[1];
        const version = /^# version: +(\S+)$/m.exec(text)?.[1];
        if (chart && version) out.set(chart, version);
    }
    return out;
}

function installCrds(stack: string, cluster: Cluster, crds: ResolvedCrd[]): boolean {
    const r = apply(
        cluster,
        crds.map((c) => c.local),
        { dryRun: false },
    );
    if (!record(`${stack}: install ${crds.length} CRDs`, r.ok && r.errors.length === 0 && r.warnings.length === 0, r.ok ? undefined : summarize(r)))
        return false;
    const w = cluster.kubectl(["wait", "--for=condition=Established", "--timeout=120s", ...r.accepted]);
    return record(`${stack}: CRDs established`, w.status === 0, w.status === 0 ? undefined : w.stderr);
}

interface StackSummary {
    stack: string;
    objects: number;
    errors: number;
    warnings: number;
    refused: string[];
}

async function checkStack(stack: string, crds: ResolvedCrd[], bin: string, withNegatives: boolean): Promise<StackSummary> {
    const summary: StackSummary = { stack, objects: 0, errors: 0, warnings: 0, refused: [] };
    console.log(`\n=== ${stack}`);
    const planDir = path.join(REPO_ROOT, "out", stack);
    const base = await writePlanFor(stack, undefined, planDir);
    if (!record(`${stack}: npm run plan -- ${stack} wrote out/${stack}/manifests/`, base.code === 0, base.error)) return { ...summary, errors: 1 };
    const manifests = path.join(planDir, "manifests");
    const objects = readObjects(manifests);

    // Each CRD pin is the chart version this plan deploys (when the stack deploys that chart).
    const releases = helmReleases(planDir);
    for (const c of new Map(crds.map((x) => [x.source.name, x.source])).values()) {
        const deployed = releases.get(c.chart);
        if (deployed === undefined) continue;
        record(
            c.exact === false
                ? `${stack}: crds.json's ${c.name} entry is for the deployed chart ${c.chart} ${deployed} (its CRDs are a fallback of another version: ${c.upstream})`
                : `${stack}: CRDs of ${c.name} pinned to the deployed chart ${c.chart} ${deployed}`,
            deployed === c.chartVersion,
            deployed === c.chartVersion ? undefined : `conformance/crds.json pins ${c.chartVersion}: update its module version, sums and files`,
        );
    }
    const kinds = new Set(crds.flatMap((c) => c.file.kinds));
    const uncovered = [...new Set(objects.filter(isCustomResource).map((o) => `${o.group}/${o.kind}`))].filter((k) => !kinds.has(k));
    record(
        `${stack}: a pinned CRD for every custom resource kind`,
        uncovered.length === 0,
        uncovered.length ? `no CRD in conformance/crds.json for ${uncovered.join(", ")}` : undefined,
    );

    const cluster = await startCluster({ kubeApiserver: path.join(bin, "kube-apiserver"), kubectl: path.join(bin, "kubectl"), etcd: "etcd" });
    try {
        const v = cluster.kubectl(["version", "-o", "json"]);
        const ver = JSON.parse(v.stdout || "{}") as { clientVersion?: { gitVersion?: string }; serverVersion?: { gitVersion?: string } };
        record(
            `${stack}: kubectl ${ver.clientVersion?.gitVersion} against kube-apiserver ${ver.serverVersion?.gitVersion} (no skew)`,
            v.status === 0 && ver.clientVersion?.gitVersion === ver.serverVersion?.gitVersion && ver.serverVersion?.gitVersion === "v1.36.3",
            v.status === 0 ? undefined : v.stderr,
        );
        if (!installCrds(stack, cluster, crds)) return { ...summary, errors: 1 };

        // The namespaces first, for real: namespaced objects (even dry-run) need theirs, and Pod Security reads its labels.
        const namespaces = objects.filter((o) => o.kind === "Namespace");
        const ns = apply(
            cluster,
            namespaces.map((o) => o.file),
            { dryRun: false },
        );
        record(
            `${stack}: create ${namespaces.length} namespaces`,
            ns.ok && ns.errors.length === 0 && ns.warnings.length === 0,
            ns.ok ? undefined : summarize(ns),
        );

        // The README's command on the whole directory.
        const dry = apply(cluster, [manifests], { dryRun: true });
        // kubectl prints one name per accepted object; each refused one is missing from that list
        // (its error may span several stderr lines, so lines are not counted).
        const missing = objects.length - dry.accepted.length;
        summary.objects = objects.length;
        summary.errors = missing + (missing === 0 && dry.errors.length > 0 ? 1 : 0);
        summary.warnings = dry.warnings.length;
        record(
            `${stack}: server-side dry-run of all ${objects.length} objects (strict fields, Pod Security): ${dry.accepted.length} accepted, ${summary.errors} errors, ${dry.warnings.length} warnings`,
            dry.ok && missing === 0 && dry.errors.length === 0 && dry.warnings.length === 0,
            dry.ok && missing === 0 ? undefined : summarize(dry) || dry.output,
        );
        if (dry.warnings.length > 0) attributeWarnings(cluster, objects);

        // Updates: the base plan for real, then each routine change against it.
        const real = apply(cluster, [manifests], { dryRun: false });
        if (
            !record(
                `${stack}: apply the base plan (${real.accepted.length} objects stored)`,
                real.ok && real.errors.length === 0 && real.warnings.length === 0,
                real.ok ? undefined : summarize(real),
            )
        ) {
            return summary;
        }
        // Patches (a volume grown in place) patch what controllers create: stand in for them, then apply.
        const base = readPlanDir(planDir);
        if (base.patches.length > 0) {
            const claims = createClaims(cluster, objects);
            record(
                `${stack}: claims the StatefulSet controller would create, bound as the provisioner would (${claims.claims.join(", ")})`,
                claims.ok,
                claims.ok ? undefined : claims.detail,
            );
            const dryPatch = applyPatches(cluster, base.patches, true);
            const realPatch = dryPatch.ok ? applyPatches(cluster, base.patches, false) : dryPatch;
            summary.objects += base.patches.length;
            if (!realPatch.ok) summary.errors += base.patches.length - realPatch.accepted.length;
            record(
                `${stack}: server-side apply of ${base.patches.length} patches (out/${stack}/patches/): ${realPatch.accepted.length} accepted`,
                dryPatch.ok && realPatch.ok && realPatch.warnings.length === 0,
                realPatch.ok ? undefined : summarize(realPatch),
            );
        }
        const variantRoot = fs.mkdtempSync(path.join(os.tmpdir(), `shop-conformance-${stack}-variants-`));
        try {
            for (const variant of variantsFor(stack)) {
                const refusal = await checkVariant(cluster, stack, variant, base, path.join(variantRoot, variant.id));
                if (refusal) summary.refused.push(`${variant.id}: ${refusal}`);
            }
        } finally {
            fs.rmSync(variantRoot, { recursive: true, force: true });
        }

        if (withNegatives) {
            for (const n of negatives(objects)) {
                const dir = writeObjects([{ file: n.file, text: n.text }], `neg-${n.id}`);
                try {
                    const r = apply(cluster, [dir], { dryRun: true });
                    const refused = !r.ok && n.expect.test(r.output);
                    record(
                        `negative (${stack}): ${n.what} is refused`,
                        refused,
                        refused
                            ? `kubectl: ${firstLine(summarize(r))}`
                            : `expected a refusal matching ${n.expect}; kubectl exited ${r.ok ? 0 : "non-zero"}:\n${r.output.trim()}`,
                    );
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            }
        }
    } finally {
        await cluster.stop();
    }
    return summary;
}

/** The gist of kubectl's message: its first lines, which name the object and the field. */
const firstLine = (s: string) =>
    s
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 3)
        .join(" ")
        .slice(0, 400);

/** A warning names no object: re-run the objects one by one to say which ones drew it. */
function attributeWarnings(cluster: Cluster, objects: K8sObject[]): void {
    for (const o of objects) {
        const r = apply(cluster, [o.file], { dryRun: true });
        if (r.warnings.length) console.log(`      ${path.basename(o.file)}: ${r.warnings.join(" | ")}`);
    }
}

/** Returns the server's refusal, or undefined when the change is accepted (or changes no object). */
/** Returns the server's refusal, or undefined when every request of the change is accepted. */
async function checkVariant(cluster: Cluster, stack: string, variant: Variant, base: PlanDir, dir: string): Promise<string | undefined> {
    const desc = `${variant.what}${
        Object.keys(variant.overrides).length
            ? ` (${Object.entries(variant.overrides)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(" ")})`
            : ""
    }`;
    const plan = await writePlanFor(stack, variant.from ? { ...variant, overrides: variant.from } : variant, dir);
    if (plan.error) {
        record(`${stack}: update "${desc}": the plan refused ${variant.from ? "its starting point" : "it"}`, false, plan.error);
        return `plan refused: ${plan.error}`;
    }
    const planned = readPlanDir(dir);
    if (!variant.from) return judge(cluster, stack, desc, base, planned);
    // A change that starts elsewhere: store its starting point first (for real), judge the way from
    // there to the base, then store the base again for the next change.
    try {
        const setup = changedObjects(base.objects, planned.objects);
        const start = [...setup.changed, ...setup.added];
        if (start.length > 0) {
            const tmp = writeObjects(start, `${stack}-${variant.id}-from`);
            try {
                const r = apply(cluster, [tmp], { dryRun: false });
                if (!r.ok) {
                    record(`${stack}: update "${desc}": store its starting point`, false, summarize(r));
                    return `starting point refused: ${summarize(r)}`;
                }
            } finally {
                fs.rmSync(tmp, { recursive: true, force: true });
            }
        }
        return judge(cluster, stack, desc, planned, base);
    } finally {
        const r = apply(cluster, [path.join(base.dir, "manifests")], { dryRun: false });
        if (!r.ok) record(`${stack}: store the base plan again after "${desc}"`, false, summarize(r));
    }
}

function judge(cluster: Cluster, stack: string, desc: string, before: PlanDir, after: PlanDir): string | undefined {
    const v = judgeChange(cluster, stack, before, after);
    if (v.requests.length === 0) {
        record(`${stack}: update "${desc}": changes no Kubernetes object`, true);
        return undefined;
    }
    const detail = [...v.refusals.map((r) => `refused: ${r}`), ...v.statefulLosses.map((l) => `stateful object lost: ${l}`)].join("\n");
    record(`${stack}: update "${desc}" accepted by the server, nothing stateful replaced (${v.requests.join(", ")})`, v.ok, v.ok ? undefined : detail);
    return v.ok ? undefined : detail;
}

async function main(): Promise<number> {
    const { bin, stacks } = parseArgs(process.argv.slice(2));
    let crds: ResolvedCrd[];
    try {
        crds = resolveCrds(loadCrdSources(), REPO_ROOT);
        record(
            `CRD sources resolved and verified (${crds.length} files)`,
            true,
            crds
                .map((c) => `${c.file.kinds.join(", ")} <- ${c.origin}${c.source.exact === false ? "  [NOT the deployed version: see crds.json]" : ""}`)
                .join("\n"),
        );
    } catch (e) {
        record("CRD sources resolved and verified", false, (e as Error).message);
        return report([]);
    }
    const summaries: StackSummary[] = [];
    for (const stack of stacks) {
        const t0 = Date.now();
        try {
            summaries.push(await checkStack(stack, crds, bin, stack === "staging" || (stacks.length === 1 && stack === stacks[0])));
        } catch (e) {
            record(`${stack}: unexpected error`, false, (e as Error).stack ?? String(e));
        }
        console.log(`--- ${stack}: ${Math.round((Date.now() - t0) / 1000)} s`);
    }
    return report(summaries);
}

function report(summaries: StackSummary[]): number {
    console.log("\n=== conformance summary");
    for (const s of summaries) {
        console.log(`${s.stack}: ${s.objects} objects checked, ${s.errors} errors, ${s.warnings} warnings; routine changes refused: ${s.refused.length}`);
        for (const r of s.refused) console.log(`  refused ${r.split("\n")[0].slice(0, 400)}`);
    }
    const failed = checks.filter((c) => !c.ok).length;
    console.log(`suite conformance: ${checks.length - failed} passed, ${failed} failed`);
    return failed === 0 && checks.length > 0 ? 0 : 1;
}

main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
        console.error(e);
        console.log(`suite conformance: ${checks.filter((c) => c.ok).length} passed, ${checks.filter((c) => !c.ok).length + 1} failed`);
        process.exitCode = 1;
    },
);
