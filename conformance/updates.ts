/**
 * Updates as `pulumi up` makes them, judged by the API server. Which Kubernetes requests a change
 * makes comes from the change plan (plan/change.ts: the engine's and the Kubernetes provider's
 * update-or-replace rules, ignoreChanges dropped): an update is a server-side apply of the new object
 * with the ignored paths kept at their stored values; a replacement deletes the stored object and
 * creates the new one; a create applies it; a delete deletes it. Each request is sent with
 * --dry-run=server against the stored base (a replacement's delete for real, then undone), so every
 * change is judged on its own against the same state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isKubernetesObject } from "../plan/manifests";
import { computeChangePlan, type ResourceChange } from "../plan/change";
import type { ResourceRecord, ResourcesFile } from "../harness";
import type { Cluster } from "./cluster";
import { apply, writeData, type ApplyResult } from "./kubectl";
import { readObjects, type K8sObject } from "./objects";

export interface PlanDir {
    dir: string;
    resources: ResourceRecord[];
    objects: K8sObject[];
    patches: K8sObject[];
}

export function readPlanDir(dir: string): PlanDir {
    const rf = JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as ResourcesFile;
    return { dir, resources: rf.resources, objects: readObjects(path.join(dir, "manifests")), patches: readObjects(path.join(dir, "patches")) };
}

const isPatch = (o: K8sObject) => /^\d+-patch-/.test(path.basename(o.file));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** `a.b[0].c` -> ["a", "b", 0, "c"]. */
function segments(p: string): (string | number)[] {
    return p.split(".").flatMap((s) => {
        const m = /^([^[]*)((?:\[\d+\])*)$/.exec(s);
        if (!m) return [s];
        return [...(m[1] ? [m[1]] : []), ...[...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
    });
}

/** Sets `to[path]` to `from[path]` (removes it when `from` has none): what ignoreChanges does to an update. */
export function keepStored(to: Record<string, any>, from: Record<string, any>, p: string): void {
    const segs = segments(p);
    let a: any = to;
    let b: any = from;
    for (const s of segs.slice(0, -1)) {
        if (a?.[s] === undefined) return;
        a = a[s];
        b = b?.[s];
    }
    const last = segs[segs.length - 1];
    if (b !== undefined && b[last] !== undefined) a[last] = clone(b[last]);
    else if (a && typeof a === "object") delete a[last];
}

/**
 * Stands in for the controllers this cluster does not run: the StatefulSet controller creates each
 * claim from its template, the EBS CSI provisioner binds it at the requested size. Without them a
 * claim patch (a volume grown in place) has nothing to patch.
 */
export function createClaims(cluster: Cluster, objects: K8sObject[]): { ok: boolean; claims: string[]; detail: string } {
    const claims: { file: string; object: Record<string, unknown> }[] = [];
    for (const sts of objects.filter((o) => o.kind === "StatefulSet")) {
        for (const t of (sts.object.spec?.volumeClaimTemplates ?? []) as Record<string, any>[]) {
            for (let i = 0; i < Number(sts.object.spec?.replicas ?? 1); i++) {
                const name = `${t.metadata.name}-${sts.name}-${i}`;
                claims.push({
                    file: `claim-${sts.namespace}-${name}.json`,
                    object: {
                        apiVersion: "v1",
                        kind: "PersistentVolumeClaim",
                        metadata: { name, namespace: sts.namespace, labels: t.metadata.labels },
                        spec: t.spec,
                    },
                });
            }
        }
    }
    if (claims.length === 0) return { ok: true, claims: [], detail: "" };
    const dir = writeData(claims, "claims");
    try {
        const r = apply(cluster, [dir], { dryRun: false, fieldManager: "kube-controller-manager" });
        if (!r.ok) return { ok: false, claims: [], detail: summarize(r) };
        for (const c of claims) {
            const md = c.object.metadata as { name: string; namespace: string };
            const spec = c.object.spec as { accessModes: string[]; resources: { requests: { storage: string } } };
            const status = { phase: "Bound", accessModes: spec.accessModes, capacity: { storage: spec.resources.requests.storage } };
            const p = cluster.kubectl(["-n", md.namespace, "patch", "pvc", md.name, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
            if (p.status !== 0) return { ok: false, claims: [], detail: p.stderr };
        }
        return { ok: true, claims: claims.map((c) => `${(c.object.metadata as any).namespace}/${(c.object.metadata as any).name}`), detail: "" };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const summarize = (r: ApplyResult) => [...r.errors, ...r.warnings.map((w) => `Warning: ${w}`)].join("\n");

/** Server-side apply of patches as the Kubernetes provider sends them (pulumi.com/patchForce: force conflicts). */
export function applyPatches(cluster: Cluster, patches: K8sObject[], dryRun: boolean): ApplyResult {
    const dir = writeData(
        patches.map((o) => ({ file: path.basename(o.file), object: o.object })),
        "patches",
    );
    try {
        const force = patches.some((o) => o.object.metadata?.annotations?.["pulumi.com/patchForce"] === "true");
        return apply(cluster, [dir], { dryRun, forceConflicts: force, fieldManager: "shop-conformance-patch" });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export interface ChangeVerdict {
    ok: boolean;
    /** One line per Kubernetes request: `update StatefulSet data/redis`. */
    requests: string[];
    refusals: string[];
    /** Stateful Kubernetes objects the change plan would replace or delete. */
    statefulLosses: string[];
}

/** Every Kubernetes request `pulumi up` makes to go from `before` to `after`, each sent as a server dry-run. */
export function judgeChange(cluster: Cluster, stack: string, before: PlanDir, after: PlanDir): ChangeVerdict {
    const cp = computeChangePlan({ stack, base: "base plan", baseResources: before.resources, resources: after.resources });
    const byUrn = (p: PlanDir) => new Map([...p.objects, ...p.patches].filter((o) => o.urn).map((o) => [o.urn!, o]));
    const beforeObj = byUrn(before);
    const afterObj = byUrn(after);
    const records = new Map(after.resources.map((r) => [r.urn, r]));
    const verdict: ChangeVerdict = { ok: true, requests: [], refusals: [], statefulLosses: [] };
    const refuse = (what: string, msg: string) => {
        verdict.ok = false;
        verdict.refusals.push(`${what}: ${msg}`);
    };
    const kubeChanges = cp.changes.filter((c) => c.action !== "same" && isKubernetesObject({ type: c.type, custom: true } as ResourceRecord));
    // A patch of a claim the new StatefulSet's controller creates: the provider applies it after the
    // StatefulSet is ready, when the claims exist.
    if (kubeChanges.some((c) => /Patch$/.test(c.type))) createClaims(cluster, after.objects);
    for (const c of kubeChanges) {
        const old = beforeObj.get(c.baseUrn ?? c.urn);
        const neu = afterObj.get(c.urn);
        const label = `${c.action} ${(neu ?? old)?.kind ?? c.type} ${c.display}`;
        verdict.requests.push(label);
        if (c.stateful && (c.action === "replace" || c.action === "delete")) verdict.statefulLosses.push(`${label} (${c.stateful})`);
        const r = request(cluster, c, old, neu, records.get(c.urn));
        if (r) refuse(label, r);
    }
    if (verdict.statefulLosses.length > 0) verdict.ok = false;
    return verdict;
}

/** Sends one change's request(s); returns the server's refusal, if any. */
function request(
    cluster: Cluster,
    c: ResourceChange,
    old: K8sObject | undefined,
    neu: K8sObject | undefined,
    record: ResourceRecord | undefined,
): string | undefined {
    const send = (o: K8sObject, object: Record<string, unknown>) => {
        if (isPatch(o)) return applyPatches(cluster, [{ ...o, object }], true);
        const dir = writeData([{ file: path.basename(o.file), object }], "change");
        try {
            return apply(cluster, [dir], { dryRun: true });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };
    const verdict = (r: ApplyResult) => (r.ok && r.errors.length === 0 && r.warnings.length === 0 ? undefined : summarize(r) || r.output.trim());
    switch (c.action) {
        case "create":
            return neu ? verdict(send(neu, neu.object)) : "no manifest for the new object";
        case "update": {
            if (!neu || !old) return "no manifest for the object";
            const object = clone(neu.object);
            for (const p of record?.options?.ignoreChanges ?? []) keepStored(object, old.object, p);
            return verdict(send(neu, object));
        }
        case "delete": {
            if (!old) return "no manifest for the deleted object";
            const r = cluster.kubectl(["delete", "--dry-run=server", "-f", old.file]);
            return r.status === 0 ? undefined : r.stderr.trim();
        }
        case "replace": {
            if (!neu || !old) return "no manifest for the object";
            // The provider deletes the stored object, then creates the new one (fixed names): do the
            // delete for real, judge the create, and store the old object again.
            const del = cluster.kubectl(["delete", "--wait=true", "--timeout=30s", "-f", old.file]);
            if (del.status !== 0) return `delete refused: ${del.stderr.trim()}`;
            try {
                return verdict(send(neu, neu.object));
            } finally {
                const back = apply(cluster, [old.file], { dryRun: false });
                if (!back.ok) process.stdout.write(`      (could not store ${old.kind}/${old.name} again: ${summarize(back)})\n`);
            }
        }
        default:
            return undefined;
    }
}
