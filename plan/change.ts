/**
 * The offline change plan: what `pulumi up` would do to a stack whose state is the base plan,
 * given the current plan. Both sides are resource records (harness/types.ts); the decision of
 * update vs replace is taken from the providers' own rules, kept as data with their sources in
 * `plan/replacement-rules/*.json` (this file only applies them).
 *
 * What it models, per resource matched by URN (or by an alias):
 *  - input paths that differ (leaf by leaf, secrets compared only as "[secret]": never printed);
 *  - replace when a changed path is replace-on-change for the type, when `replaceOnChanges`
 *    names it, or when the provider reference changes; delete-before-replace for fixed-name
 *    Kubernetes objects (the provider asks for it) or `deleteBeforeReplace`;
 *  - `ignoreChanges` paths are dropped, as the engine does;
 *  - changes that reach a resource through another one's outputs (property dependencies):
 *    a replaced RandomPassword/KMS key/secret version or an autonamed AWS resource gets new
 *    outputs, an updated launch template a new version, a rebuilt image a new digest;
 *  - "rolled" = a Deployment/StatefulSet/DaemonSet whose pod template changes;
 *  - stateful or protected resources that would be replaced or deleted ("blocking").
 * What it cannot see is said in the output: provider-computed inputs (e.g. the docker build's
 * context digest), Helm-rendered objects, remote components' children, live state (drift).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceRecord } from "../harness/types";
import { isRedactedSecret } from "../harness/types";

const RULES_DIR = path.join(__dirname, "replacement-rules");

// ---------------------------------------------------------------------------------------------
// Rules (data)

interface KindRule {
    replaceOnChange: string[];
    replaceOnChangeUnlessMutable?: string[];
    mutableProviderFlag?: string;
    source: string;
    note?: string;
}

interface TypeRule {
    replaceOnChange: string[];
    replaceWhenRemoved?: string[];
    outputsChangeOnReplace?: boolean;
    outputsChangeOnUpdate?: string[];
    ignoredPaths?: string[];
    opaque?: boolean;
    updateMeans?: string;
    source: string;
    note?: string;
}

export interface Rules {
    kubernetes: {
        identity: { paths: string[]; source: string };
        deleteBeforeReplace: { source: string };
        kinds: Record<string, KindRule>;
        otherKinds: { source: string };
        helmRelease: { type: string; replaceOnChange: string[]; source: string; note?: string };
        providerResource: { type: string; replaceOnChange: string[]; source: string; note?: string };
    };
    /** Non-Kubernetes types by type token, from aws/random/docker/awsx.json. */
    types: Record<string, TypeRule & { file: string }>;
    /** Types named as deliberately unverified (reported as unknown). */
    notVerified: Record<string, string>;
    stateful: {
        types: Record<string, string>;
        /** Resources of a stateful type whose labels say they hold nothing that must survive (a cache). */
        exceptions?: { type: string; labels: Record<string, string>; why: string }[];
        helmCharts: Record<string, string | { when: string; why: string }>;
    };
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(path.join(RULES_DIR, f), "utf8")) as Record<string, any>;

let cachedRules: Rules | undefined;

export function loadRules(): Rules {
    if (cachedRules) return cachedRules;
    const types: Rules["types"] = {};
    let notVerified: Record<string, string> = {};
    for (const file of ["aws.json", "random.json", "docker.json", "awsx.json", "tls.json"]) {
        const doc = readJson(file);
        for (const [t, r] of Object.entries(doc.types as Record<string, TypeRule>)) types[t] = { ...r, replaceOnChange: r.replaceOnChange ?? [], file };
        notVerified = { ...notVerified, ...((doc.notVerified as Record<string, string> | undefined) ?? {}) };
    }
    cachedRules = {
        kubernetes: readJson("kubernetes.json") as Rules["kubernetes"],
        types,
        notVerified,
        stateful: readJson("stateful.json") as Rules["stateful"],
    };
    return cachedRules;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Leaf paths of a value: objects by key, arrays of objects by index, scalar arrays as one leaf. */
export function leafPaths(v: unknown, prefix = "", out: Map<string, unknown> = new Map()): Map<string, unknown> {
    if (isRedactedSecret(v)) out.set(prefix, "[secret]");
    else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === "object"))
        v.forEach((x, i) => leafPaths(x, prefix ? `${prefix}.${i}` : String(i), out));
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const entries = Object.entries(v);
        if (entries.length === 0 && prefix) out.set(prefix, {});
        for (const [k, x] of entries) leafPaths(x, prefix ? `${prefix}.${k}` : k, out);
    } else if (prefix && v !== undefined) out.set(prefix, v);
    return out;
}

// Keys may contain dots (annotations such as `pulumi.com/replaceUnready`): leafPaths joins with
// dots anyway; rules never reach inside such keys, so a split on dots is precise enough here.
const segs = (p: string) =>
    p
        .replace(/^\./, "")
        .replace(/\[\*\]/g, ".*")
        .replace(/\[(\d+)\]/g, ".$1")
        .split(".")
        .filter(Boolean);

/** True when the rule path and the changed path overlap: one is a prefix of the other (`*` = any segment). */
export function pathMatches(rule: string, changed: string): boolean {
    if (rule === "*") return true;
    const r = segs(rule);
    const c = segs(changed);
    const n = Math.min(r.length, c.length);
    for (let i = 0; i < n; i++) if (r[i] !== "*" && r[i] !== c[i]) return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Plan model

export type Action = "create" | "update" | "replace" | "delete" | "same";

export interface PathChange {
    path: string;
    before: unknown;
    after: unknown;
}

export interface Reason {
    /** The changed input path (or `provider`, `dependency:<key>`). */
    path: string;
    /** The rule that decided it, in words. */
    rule: string;
    /** Where the rule comes from (file@commit, or the engine's option). */
    source: string;
    /** The rule's own path, when a path rule decided it. */
    rulePath?: string;
}

export interface ResourceChange {
    urn: string;
    /** For a matched alias or a rename: the base URN. */
    baseUrn?: string;
    type: string;
    name: string;
    /** `namespace/name` for Kubernetes objects, the physical name for others where known. */
    display: string;
    action: Action;
    paths: PathChange[];
    replaceReasons: Reason[];
    deleteBeforeReplace: boolean;
    /** Workload whose pod template changes (update, not replace). */
    rolled: boolean;
    /** Why losing it matters (stateful.json), or "protect". */
    stateful?: string;
    /** Outputs of other resources that change and flow into this one. */
    via: { key: string; from: string; how: string }[];
    warnings: string[];
}

export interface Rename {
    from: string;
    to: string;
    type: string;
    aliased: boolean;
}

export interface ChangePlan {
    format: "shop-platform/change-plan@1";
    stack: string;
    base: string;
    changes: ResourceChange[];
    /** Stateful/protected resources that would be replaced or deleted (exit 1). */
    blocking: ResourceChange[];
    renames: Rename[];
    summary: Record<Action, number> & { rolled: number };
    warnings: string[];
    /** What this plan cannot see. */
    limits: string[];
}

export interface ChangePlanInput {
    stack: string;
    base: string;
    baseResources: ResourceRecord[];
    resources: ResourceRecord[];
}

const K8S_PREFIX = "kubernetes:";
const WORKLOADS = new Set(["apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/DaemonSet"]);

/** `kubernetes:apps/v1:StatefulSet` → `apps/v1/StatefulSet`. */
function kindKey(type: string): string | undefined {
    const m = /^kubernetes:([^:]+)\/([^/:]+):(.+)$/.exec(type);
    return m ? `${m[1]}/${m[2]}/${m[3]}` : undefined;
}

const providerUrn = (ref: string) => (ref ? ref.replace(/::[^:]*$/, "") : "");

function displayName(r: ResourceRecord): string {
    const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
    if (r.type.startsWith(K8S_PREFIX) && md?.name) return md.namespace ? `${md.namespace}/${md.name}` : md.name;
    const n = r.inputs.name;
    return typeof n === "string" && n !== r.name ? `${r.name} (${n})` : r.name;
}

/** Why this resource is stateful (stateful.json), "protect", or undefined. */
export function statefulReason(r: ResourceRecord, rules: Rules = loadRules()): string | undefined {
    if (r.protect) return "protect: the program marks it as not to be deleted";
    const labels = (r.inputs.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    const exception = rules.stateful.exceptions?.find((e) => e.type === r.type && Object.entries(e.labels).every(([k, v]) => labels[k] === v));
    if (exception) return undefined;
    const t = rules.stateful.types[r.type];
    if (t) return t;
    if (r.type === rules.kubernetes.helmRelease.type) {
        const chart =
            String(r.inputs.chart ?? "")
                .split("/")
                .pop() ?? "";
        const c = rules.stateful.helmCharts[chart];
        if (typeof c === "string") return c;
        if (c && typeof c === "object") {
            const v = c.when
                .split(".")
                .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), r.inputs as unknown);
            if (v === true) return c.why;
        }
    }
    return undefined;
}

/** Is the Kubernetes object named in its inputs (fixed name: the provider deletes before replacing)? */
const k8sFixedName = (r: ResourceRecord) => typeof (r.inputs.metadata as { name?: unknown } | undefined)?.name === "string";

/** An AWS resource whose physical name Pulumi generates: a replacement gets a new name/ARN. */
function awsAutonamed(r: ResourceRecord): boolean {
    return (
        r.type.startsWith("aws:") &&
        !["name", "namePrefix", "nodeGroupName", "addonName", "principalArn", "clusterName", "url", "role", "secretId"].some((k) => k in r.inputs)
    );
}

interface Decided {
    replaceReasons: Reason[];
    unknownRule?: string;
    opaque?: string;
    notes: string[];
}

/** The provider's decision for a set of changed paths of one resource. */
function decide(rules: Rules, base: ResourceRecord, head: ResourceRecord, changed: PathChange[], providers: Map<string, ResourceRecord>): Decided {
    const out: Decided = { replaceReasons: [], notes: [] };
    const add = (p: string, rule: string, source: string, rulePath?: string) => out.replaceReasons.push({ path: p, rule, source, rulePath });
    const k = rules.kubernetes;

    if (head.type.startsWith(K8S_PREFIX) && head.type !== k.helmRelease.type) {
        const kk = kindKey(head.type);
        const kind = kk ? k.kinds[kk] : undefined;
        let paths = [...(kind?.replaceOnChange ?? [])];
        if (kind?.replaceOnChangeUnlessMutable) {
            const prov = providers.get(providerUrn(head.provider));
            const flag = kind.mutableProviderFlag ?? "";
            const mutable = prov && String(prov.inputs[flag]) === "true" && head.inputs.immutable !== true;
            if (!mutable) paths = [...new Set([...paths, ...kind.replaceOnChangeUnlessMutable])];
        }
        for (const c of changed) {
            const id = k.identity.paths.find((p) => pathMatches(p, c.path) && segs(c.path).length >= segs(p).length);
            if (id) add(c.path, `${id} is the object's identity: changing it replaces every kind`, `pulumi-kubernetes ${k.identity.source}`, id);
            else {
                const hit = paths.find((p) => pathMatches(p, c.path));
                if (hit) add(c.path, `${hit} is replace-on-change for ${kk}`, `pulumi-kubernetes ${kind?.source ?? k.otherKinds.source}`, hit);
            }
        }
        if (!kind) out.notes.push(`${kk}: only name/namespace force a replacement (${k.otherKinds.source.split(":")[0]})`);
        return out;
    }
    if (head.type === k.helmRelease.type || head.type === k.providerResource.type) {
        const r = head.type === k.helmRelease.type ? k.helmRelease : k.providerResource;
        for (const c of changed) {
            const hit = r.replaceOnChange.find((p) => pathMatches(p, c.path));
            if (hit) add(c.path, `${hit} is replace-on-change for ${head.type}`, `pulumi-kubernetes ${r.source}`, hit);
        }
        return out;
    }
    const t = rules.types[head.type];
    if (!t) {
        out.unknownRule = rules.notVerified[head.type] ?? `no rule recorded for ${head.type}`;
        return out;
    }
    if (t.opaque) out.opaque = t.note ?? "remote component: its children are not visible offline";
    for (const c of changed) {
        if (t.ignoredPaths?.some((p) => pathMatches(p, c.path) && segs(c.path).length >= segs(p).length)) continue;
        const hit = t.replaceOnChange.find((p) => pathMatches(p, c.path));
        if (hit)
            add(
                c.path,
                hit === "*" ? `every input of ${head.type} is replace-on-change` : `${hit} is replace-on-change (ForceNew) for ${head.type}`,
                `${t.file}: ${t.source}`,
                hit,
            );
        const removed = t.replaceWhenRemoved?.find((p) => pathMatches(p, c.path) && c.after === undefined && c.before !== undefined);
        if (removed && !hit) add(c.path, `removing ${removed} forces a new ${head.type}`, `${t.file}: ${t.source}`, removed);
    }
    void base;
    return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function diffInputs(a: ResourceRecord, b: ResourceRecord): PathChange[] {
    const la = leafPaths(a.inputs);
    const lb = leafPaths(b.inputs);
    const out: PathChange[] = [];
    for (const p of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
        const before = la.get(p);
        const after = lb.get(p);
        if (!same(before, after)) out.push({ path: p, before, after });
    }
    return out;
}

function ignored(r: ResourceRecord, p: string): boolean {
    return (r.options?.ignoreChanges ?? []).some((ig) => pathMatches(ig, p) && segs(p).length >= segs(ig).length);
}

/** Matches a removed and an added resource that are most likely the same thing under a new URN. */
function renameKey(r: ResourceRecord): string | undefined {
    if (!r.custom) return undefined;
    const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
    if (r.type.startsWith(K8S_PREFIX) && md?.name) return `${r.type}|${md.namespace ?? ""}/${md.name}`;
    if (typeof r.inputs.name === "string") return `${r.type}|name=${r.inputs.name}`;
    return `${r.type}|logical=${r.name}`;
}

export function computeChangePlan(input: ChangePlanInput, rules: Rules = loadRules()): ChangePlan {
    const custom = (rs: ResourceRecord[]) => rs.filter((r) => r.custom);
    const baseList = custom(input.baseResources);
    const headList = custom(input.resources);
    const baseByUrn = new Map(baseList.map((r) => [r.urn, r]));
    const headByUrn = new Map(headList.map((r) => [r.urn, r]));
    const providers = new Map(headList.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
    const warnings: string[] = [];

    // Pair every head resource with its base: same URN, else an alias that names a base URN.
    const pairs: { base?: ResourceRecord; head?: ResourceRecord; aliased?: boolean }[] = [];
    const usedBase = new Set<string>();
    for (const h of headList) {
        let b = baseByUrn.get(h.urn);
        let aliased = false;
        if (!b) {
            const a = (h.options?.aliases ?? []).find((u) => baseByUrn.has(u) && !headByUrn.has(u));
            if (a) {
                b = baseByUrn.get(a);
                aliased = true;
            }
        }
        if (b) usedBase.add(b.urn);
        pairs.push({ base: b, head: h, aliased });
    }
    for (const b of baseList) if (!usedBase.has(b.urn)) pairs.push({ base: b });

    // Renames: a delete and a create that are the same object under a new URN.
    const renames: Rename[] = [];
    const created = new Map<string, ResourceRecord>();
    for (const p of pairs) if (p.head && !p.base) created.set(renameKey(p.head) ?? p.head.urn, p.head);
    for (const p of pairs) {
        if (p.base && p.aliased && p.head) renames.push({ from: p.base.urn, to: p.head.urn, type: p.head.type, aliased: true });
        if (p.base && !p.head) {
            const to = created.get(renameKey(p.base) ?? "");
            if (to) renames.push({ from: p.base.urn, to: to.urn, type: to.type, aliased: false });
        }
    }

    const changes: ResourceChange[] = [];
    const byHeadUrn = new Map<string, ResourceChange>();
    for (const { base, head } of pairs) {
        const r = (head ?? base)!;
        const c: ResourceChange = {
            urn: r.urn,
            baseUrn: base && head && base.urn !== head.urn ? base.urn : undefined,
            type: r.type,
            name: r.name,
            display: displayName(r),
            action: "same",
            paths: [],
            replaceReasons: [],
            deleteBeforeReplace: false,
            rolled: false,
            stateful: statefulReason(base ?? r, rules),
            via: [],
            warnings: [],
        };
        if (!base) c.action = "create";
        else if (!head) {
            c.action = "delete";
            if (base.options?.retainOnDelete) c.warnings.push("retainOnDelete: the engine only forgets it; the cloud object stays");
            const rn = renames.find((x) => x.from === base.urn);
            if (rn)
                c.warnings.push(
                    `the same object is created as ${rn.to}: a rename is a delete and a create unless the new resource lists \`aliases: ["${rn.from}"]\``,
                );
        } else {
            const all = diffInputs(base, head);
            c.paths = all.filter((p) => !ignored(head, p.path));
            const dropped = all.length - c.paths.length;
            if (dropped) c.warnings.push(`${dropped} changed path(s) under ignoreChanges (${(head.options?.ignoreChanges ?? []).join(", ")}) are not applied`);
            const d = decide(rules, base, head, c.paths, providers);
            c.replaceReasons = d.replaceReasons;
            if (d.unknownRule && c.paths.length) c.warnings.push(`unknown: ${d.unknownRule} — treated as an update; a real preview may replace it`);
            if (d.opaque && c.paths.length) c.warnings.push(`opaque: ${d.opaque}`);
            for (const p of c.paths)
                for (const roc of head.options?.replaceOnChanges ?? [])
                    if (pathMatches(roc, p.path))
                        c.replaceReasons.push({ path: p.path, rule: `replaceOnChanges: ["${roc}"]`, source: "the program's resource option" });
            if (providerUrn(base.provider) !== providerUrn(head.provider))
                c.replaceReasons.push({
                    path: "provider",
                    rule: `provider changed (${providerUrn(base.provider) || "default"} → ${providerUrn(head.provider) || "default"})`,
                    source: "Pulumi engine: a resource moved to another provider instance is replaced",
                });
            c.action = c.replaceReasons.length ? "replace" : c.paths.length ? "update" : "same";
        }
        changes.push(c);
        if (head) byHeadUrn.set(head.urn, c);
    }

    // Changes that flow through outputs: X's outputs change → D's inputs that depend on X change.
    // Iterate to a fixed point (a chain password → secret version → ... ).
    const outputsChange = (c: ResourceChange, rec: ResourceRecord): string | undefined => {
        const t = rules.types[rec.type];
        if (c.action === "replace") {
            if (t?.outputsChangeOnReplace) return `${rec.type} is replaced: its outputs are new`;
            if (awsAutonamed(rec)) return `${rec.type} is replaced under a generated name: new name/ARN`;
            if (rec.type.startsWith(K8S_PREFIX) && !k8sFixedName(rec) && rec.type !== rules.kubernetes.helmRelease.type)
                return "autonamed Kubernetes object is replaced: new metadata.name";
            if (rec.type === rules.kubernetes.providerResource.type) return "the Kubernetes provider is replaced";
        }
        if (c.action === "update" && t?.outputsChangeOnUpdate?.length) return `${rec.type} update changes ${t.outputsChangeOnUpdate.join(", ")}`;
        return undefined;
    };
    const cascadeRolls = new Set<string>();
    for (let round = 0; round < 10; round++) {
        let changed = false;
        for (const h of headList) {
            const d = byHeadUrn.get(h.urn)!;
            if (d.action === "create") continue;
            const deps = h.options?.propertyDependencies ?? {};
            const provUrn = providerUrn(h.provider);
            const entries: [string, string[]][] = [...Object.entries(deps), ...(provUrn ? ([["provider", [provUrn]]] as [string, string[]][]) : [])];
            for (const [key, urns] of entries) {
                for (const u of urns) {
                    const x = byHeadUrn.get(u);
                    const xr = headByUrn.get(u);
                    if (!x || !xr) continue;
                    const how = outputsChange(x, xr);
                    if (!how || d.via.some((v) => v.key === key && v.from === u)) continue;
                    d.via.push({ key, from: u, how });
                    changed = true;
                    if (key === "provider") {
                        if (x.action === "replace")
                            d.replaceReasons.push({
                                path: "provider",
                                rule: `its provider ${xr.name} is replaced`,
                                source: "Pulumi engine: replacing a provider replaces what it manages",
                            });
                    } else {
                        const kk = kindKey(h.type);
                        // A workload's spec takes other resources' outputs in its pod template
                        // (names, digests): that rolls it, the template is not replace-on-change.
                        if (kk && WORKLOADS.has(kk) && key === "spec") cascadeRolls.add(h.urn);
                        else {
                            // Only top-level keys are known: a replaced source (new id/name/value) is
                            // taken to reach any replace-on-change path under the key; an updated
                            // source (new version/digest) only when the whole key is replace-on-change.
                            const dd = decide(rules, h, h, [{ path: key, before: "(old output)", after: "(new output)" }], providers);
                            const reasons =
                                x.action === "replace"
                                    ? dd.replaceReasons
                                    : dd.replaceReasons.filter(
                                          (r) => r.rulePath !== undefined && (r.rulePath === "*" || segs(r.rulePath).length <= segs(key).length),
                                      );
                            for (const r of reasons)
                                if (!d.replaceReasons.some((e) => e.path === r.path && e.rulePath === r.rulePath))
                                    d.replaceReasons.push({ ...r, rule: `${r.rule} — its value comes from another resource's changed output (see "via")` });
                        }
                    }
                    if (d.action === "same") d.action = "update";
                    if (d.replaceReasons.length) d.action = "replace";
                }
            }
        }
        if (!changed) break;
    }

    // Deletes before replaces; rolls (only for updates: a replaced workload is not "rolled").
    for (const c of changes) {
        const head = headByUrn.get(c.urn);
        if (c.action === "replace" && head) {
            const dbrK8s =
                c.type.startsWith(K8S_PREFIX) &&
                c.type !== rules.kubernetes.helmRelease.type &&
                k8sFixedName(head) &&
                !c.replaceReasons.some((r) => r.path.startsWith("metadata.name") || r.path.startsWith("metadata.namespace"));
            c.deleteBeforeReplace = dbrK8s || !!head.options?.deleteBeforeReplace;
            if (dbrK8s)
                c.warnings.push(
                    `fixed name: the provider deletes it before creating it again (${rules.kubernetes.deleteBeforeReplace.source.split(":")[0]}) — it is missing in between`,
                );
        }
        const kk = kindKey(c.type);
        c.rolled = c.action === "update" && !!kk && WORKLOADS.has(kk) && (cascadeRolls.has(c.urn) || c.paths.some((p) => p.path.startsWith("spec.template.")));
    }

    // A created Kubernetes object that an ExternalSecret of the base left in the cluster (its
    // target is orphaned): the create collides with it (the provider's upsertExistingObjects,
    // provider.go Configure, defaults to false).
    for (const c of changes) {
        const head = headByUrn.get(c.urn);
        if (c.action !== "create" || !head || !c.type.startsWith(K8S_PREFIX)) continue;
        const md = head.inputs.metadata as { name?: string; namespace?: string } | undefined;
        for (const b of baseList) {
            if (!/^kubernetes:external-secrets\.io\/[^:]+:ExternalSecret$/.test(b.type) || headByUrn.has(b.urn)) continue;
            const spec = b.inputs.spec as { target?: { name?: string; creationPolicy?: string; deletionPolicy?: string } } | undefined;
            const bmd = b.inputs.metadata as { namespace?: string } | undefined;
            const t = spec?.target;
            if (
                t?.name &&
                t.name === md?.name &&
                (bmd?.namespace ?? "") === (md?.namespace ?? "") &&
                (t.creationPolicy === "Orphan" || t.deletionPolicy === "Retain")
            )
                c.warnings.push(
                    `exists in the cluster: ${md?.namespace}/${md?.name} is the target of the deleted ExternalSecret ${b.name} (creationPolicy ${t.creationPolicy}, deletionPolicy ${t.deletionPolicy}), which leaves it behind — the create fails with "already exists" unless the Kubernetes provider's upsertExistingObjects is on`,
                );
        }
    }

    const blocking = changes.filter(
        (c) => c.stateful && (c.action === "replace" || (c.action === "delete" && !c.warnings.some((w) => w.startsWith("retainOnDelete")))),
    );
    const summary = { create: 0, update: 0, replace: 0, delete: 0, same: 0, rolled: 0 };
    for (const c of changes) {
        summary[c.action]++;
        if (c.rolled) summary.rolled++;
    }
    const order: Record<Action, number> = { replace: 0, delete: 1, create: 2, update: 3, same: 4 };
    changes.sort((a, b) => order[a.action] - order[b.action] || a.urn.localeCompare(b.urn));
    for (const c of changes)
        if (c.warnings.some((w) => w.startsWith("unknown:"))) warnings.push(`${c.type} ${c.name}: ${c.warnings.find((w) => w.startsWith("unknown:"))}`);

    return {
        format: "shop-platform/change-plan@1",
        stack: input.stack,
        base: input.base,
        changes,
        blocking,
        renames,
        summary,
        warnings,
        limits: [
            "Inputs the providers compute are not in the records: a docker Image's build.contextDigest (a build-context edit that keeps the tag still rebuilds and pushes), Kubernetes server-side defaults, AWS computed attributes.",
            "Helm releases: only the release's inputs are compared; the objects the chart renders (and whether Helm replaces any of them) are not visible.",
            "Remote components (awsx:ec2:Vpc): their children's changes are decided inside awsx.",
            "No live state: drift, a failed Job (pulumi.com/replaceUnready) and out-of-band changes need `pulumi preview --refresh`.",
            "Secret values are compared only through what they are derived from (keepers, generation): a changed secret value with unchanged derivation is invisible, by design.",
        ],
    };
}

// ---------------------------------------------------------------------------------------------
// Rendering (values are printed from the records, where secrets are already "[secret]")

const MAX_VALUE = 48;
export function fmtValue(v: unknown): string {
    if (v === undefined) return "—";
    const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
    return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

const SYMBOL: Record<Action, string> = { create: "+ create ", update: "~ update ", replace: "+- replace", delete: "- delete ", same: "  same   " };

function renderOne(c: ResourceChange, verbose = true): string[] {
    const tail = c.type.replace(/^kubernetes:/, "k8s:");
    const flags = [c.rolled ? "rolled" : "", c.deleteBeforeReplace ? "delete-before-replace" : "", c.stateful ? "STATEFUL" : ""].filter(Boolean);
    const out = [`  ${SYMBOL[c.action]} ${tail}  ${c.display}${flags.length ? `  [${flags.join(", ")}]` : ""}`];
    if (!verbose) return out;
    if (c.baseUrn) out.push(`        (was ${c.baseUrn})`);
    for (const r of c.replaceReasons) out.push(`        because ${r.path}: ${r.rule}`, `          source: ${r.source}`);
    const shown = c.paths.slice(0, 12);
    for (const p of shown) out.push(`        ${p.path}: ${fmtValue(p.before)} → ${fmtValue(p.after)}`);
    if (c.paths.length > shown.length) out.push(`        … ${c.paths.length - shown.length} more changed path(s)`);
    for (const v of c.via) out.push(`        via ${v.key} ← ${v.from.replace(/^urn:pulumi:[^:]*::[^:]*::/, "")}: ${v.how}`);
    for (const w of c.warnings) out.push(`        ! ${w}`);
    return out;
}

export function renderChangePlan(p: ChangePlan): string {
    const out: string[] = [`Change plan for stack ${p.stack} (offline): base ${p.base} → this tree`, ""];
    if (p.blocking.length) {
        out.push(`BLOCKING — stateful or protected resources that would be replaced or deleted (${p.blocking.length}):`);
        for (const c of p.blocking) out.push(...renderOne(c).slice(0, 1), `        ${c.stateful}`);
        out.push("");
    }
    const changed = p.changes.filter((c) => c.action !== "same");
    out.push(changed.length ? "Changes:" : "No changes.");
    for (const c of changed) out.push(...renderOne(c));
    if (p.renames.length) {
        out.push("", "Renames (URN changed):");
        for (const r of p.renames)
            out.push(
                `  ${r.aliased ? "aliased " : "delete+create"} ${r.from.replace(/^urn:pulumi:[^:]*::[^:]*::/, "")} → ${r.to.replace(/^urn:pulumi:[^:]*::[^:]*::/, "")}`,
            );
    }
    if (p.warnings.length) out.push("", "Warnings:", ...p.warnings.map((w) => `  ! ${w}`));
    out.push("", "What this change plan cannot see:", ...p.limits.map((l) => `  - ${l}`));
    const s = p.summary;
    out.push(
        "",
        `Result: ${s.create} to create, ${s.update} to update (${s.rolled} rolled), ${s.replace} to replace, ${s.delete} to delete, ${s.same} unchanged` +
            (p.blocking.length ? ` — BLOCKED: ${p.blocking.length} stateful/protected resource(s) replaced or deleted` : ""),
    );
    return out.join("\n");
}

/** The change plan as JSON (no record inputs beyond the changed paths; secrets stay "[secret]"). */
export function changePlanJson(p: ChangePlan): Record<string, unknown> {
    const slim = (c: ResourceChange) => ({ ...c, paths: c.paths.map((x) => ({ ...x })) });
    return { ...p, changes: p.changes.filter((c) => c.action !== "same").map(slim), blocking: p.blocking.map((c) => c.urn) };
}
