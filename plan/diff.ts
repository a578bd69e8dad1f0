/**
 * `plan --diff A B`: what differs between two stacks' plans. Resources are matched by URN with
 * the stack name normalised (`shop-dev` ↔ `shop-prod`); inputs are compared leaf by leaf,
 * skipping values the mocks invent or that differ by construction (ids, ARNs, digests,
 * content hashes, tags.Environment).
 */
import type { ResourceRecord } from "../harness/types";
import { isRedactedSecret } from "../harness/types";
import { countByType } from "./tree";

export interface CountDiff {
    type: string;
    a: number;
    b: number;
}

export interface InputDiff {
    /** Normalised key: `<type chain>::<name with {stack}>`. */
    key: string;
    type: string;
    name: string;
    path: string;
    a: unknown;
    b: unknown;
}

export interface PlanDiff {
    stackA: string;
    stackB: string;
    counts: CountDiff[];
    onlyInA: string[];
    onlyInB: string[];
    inputs: InputDiff[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces the stack name where it stands as its own token (`shop-dev-node` → `shop-{stack}-node`). */
export function normaliseName(s: string, stack: string): string {
    return s.replace(new RegExp(`(^|[^A-Za-z0-9])${escapeRe(stack)}(?=$|[^A-Za-z0-9])`, "g"), "$1{stack}");
}

export function normalisedKey(r: ResourceRecord, stack: string): string {
    const m = /^urn:pulumi:[^:]*::[^:]*::(.*)$/.exec(r.urn);
    return normaliseName(m ? m[1] : r.urn, stack);
}

/** Paths never compared: they differ between stacks by construction. */
const SKIP_PATHS = [/(^|\.)tags\.Environment$/, /(^|\.)tags_all\./, /^build\.(context|dockerfile)$/];

/** Values the mocks invent (ids, ARNs, digests) or that hash content: never a meaningful difference. */
export function isVolatile(v: unknown): boolean {
    if (typeof v !== "string") return false;
    return (
        /^arn:/.test(v) ||
        /sha256:/.test(v) ||
        /^(vpc|subnet|sg|lt|igw|nat|rtb|eni|eipalloc|i)-[0-9a-z]{6,}$/.test(v) ||
        /-[0-9a-f]{8}$/.test(v) || // mock ids: `<name>-<hash>`
        /[0-9a-fA-F]{16,}/.test(v) || // content hashes, image tags, OIDC issuer ids
        /(^|-)(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{10,}$/.test(v) || // hash suffixes of generated names
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(v) || // UUIDs (KMS key ids)
        /^https:\/\/[0-9A-F]{32}\./.test(v) // cluster endpoints
    );
}

/** Leaf paths of a value: objects by key, arrays of objects by index, scalar arrays as one leaf. */
export function leaves(v: unknown, prefix = "", out: Map<string, unknown> = new Map()): Map<string, unknown> {
    if (isRedactedSecret(v)) out.set(prefix, "[secret]");
    else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === "object")) v.forEach((x, i) => leaves(x, prefix ? `${prefix}.${i}` : String(i), out));
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const entries = Object.entries(v);
        if (entries.length === 0 && prefix) out.set(prefix, {});
        for (const [k, x] of entries) leaves(x, prefix ? `${prefix}.${k}` : k, out);
    } else if (prefix) out.set(prefix, v);
    return out;
}

function normaliseValue(v: unknown, stack: string): unknown {
    if (typeof v === "string") return normaliseName(v, stack);
    if (Array.isArray(v)) return v.map((x) => normaliseValue(x, stack));
    return v;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

export function diffPlans(a: { stack: string; resources: ResourceRecord[] }, b: { stack: string; resources: ResourceRecord[] }): PlanDiff {
    const ca = countByType(a.resources);
    const cb = countByType(b.resources);
    const types = [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort();
    const counts = types.map((type) => ({ type, a: ca[type] ?? 0, b: cb[type] ?? 0 })).filter((d) => d.a !== d.b);

    const mapA = new Map(a.resources.map((r) => [normalisedKey(r, a.stack), r]));
    const mapB = new Map(b.resources.map((r) => [normalisedKey(r, b.stack), r]));
    const onlyInA = [...mapA.keys()].filter((k) => !mapB.has(k));
    const onlyInB = [...mapB.keys()].filter((k) => !mapA.has(k));

    const inputs: InputDiff[] = [];
    for (const [key, ra] of mapA) {
        const rb = mapB.get(key);
        if (!rb) continue;
        const la = leaves(ra.inputs);
        const lb = leaves(rb.inputs);
        const paths = [...new Set([...la.keys(), ...lb.keys()])];
        for (const path of paths) {
            if (SKIP_PATHS.some((re) => re.test(path))) continue;
            const va = la.get(path);
            const vb = lb.get(path);
            const scalarsOf = (v: unknown) => (Array.isArray(v) ? v : [v]);
            if ([...scalarsOf(va), ...scalarsOf(vb)].some(isVolatile)) continue;
            const na = normaliseValue(va, a.stack);
            const nb = normaliseValue(vb, b.stack);
            if (!same(va, vb) && !same(na, nb)) inputs.push({ key, type: ra.type, name: normaliseName(ra.name, a.stack), path, a: va, b: vb });
        }
    }
    return { stackA: a.stack, stackB: b.stack, counts, onlyInA, onlyInB, inputs };
}

const MAX_CELL = 60;
const fmt = (v: unknown) => {
    const s = v === undefined ? "—" : typeof v === "string" && !v.includes("\n") ? v : JSON.stringify(v);
    return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
};

/** Rows of the inputs table; one identical change on three or more resources becomes one row. */
export function inputRows(d: PlanDiff): string[][] {
    const groups = new Map<string, InputDiff[]>();
    for (const i of d.inputs) {
        const k = JSON.stringify([i.path, i.a, i.b]);
        groups.set(k, [...(groups.get(k) ?? []), i]);
    }
    const groupLabel = (g: InputDiff[]) => {
        const types = [...new Set(g.map((i) => i.type.split(":").pop()!))];
        return `${g.length} resources (${types.slice(0, 3).join(", ")}${types.length > 3 ? ", …" : ""})`;
    };
    const label = (i: InputDiff) => `${i.type.split(":").pop()} ${i.name}`;
    return [...groups.values()].flatMap((g) =>
        g.length >= 3 ? [[groupLabel(g), g[0].path, fmt(g[0].a), fmt(g[0].b)]] : g.map((i) => [label(i), i.path, fmt(i.a), fmt(i.b)]),
    );
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function renderDiff(d: PlanDiff): string {
    const out: string[] = [`Differences ${d.stackA} → ${d.stackB} (offline plans)`, ""];
    out.push("Resource counts by type (only rows that differ):");
    out.push(
        d.counts.length === 0
            ? "  (none)"
            : table(
                  ["type", d.stackA, d.stackB],
                  d.counts.map((c) => [c.type, String(c.a), String(c.b)]),
              ),
    );
    out.push("");
    if (d.onlyInA.length || d.onlyInB.length) {
        out.push("Resources in one stack only:");
        for (const k of d.onlyInA) out.push(`  - only in ${d.stackA}: ${k}`);
        for (const k of d.onlyInB) out.push(`  + only in ${d.stackB}: ${k}`);
        out.push("");
    }
    out.push("Changed inputs of same-named resources (ids, ARNs, digests and tags.Environment skipped):");
    out.push(d.inputs.length === 0 ? "  (none)" : table(["resource", "input", d.stackA, d.stackB], inputRows(d)));
    return out.join("\n");
}
