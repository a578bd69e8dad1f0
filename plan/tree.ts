/**
 * The preview-like tree: components with their children (from parent URNs), and totals by type.
 * Pure functions over {@link ResourceRecord}s.
 */
import type { ResourceRecord } from "../harness/types";

export interface TreeNode {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    remote: boolean;
    children: TreeNode[];
}

export const STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → its parts. */
export function parseUrn(urn: string): { stack: string; project: string; typeChain: string[]; type: string; name: string } {
    const m = /^urn:pulumi:([^:]*)::([^:]*)::(.*?)::(.*)$/.exec(urn);
    if (!m) throw new Error(`not a Pulumi URN: ${urn}`);
    const typeChain = m[3].split("$");
    return { stack: m[1], project: m[2], typeChain, type: typeChain[typeChain.length - 1], name: m[4] };
}

/**
 * Builds the tree rooted at the stack. Resources whose parent is not among the records (the
 * stack itself, which the harness does not record) hang off the root. Registration order is kept.
 */
export function buildTree(resources: ResourceRecord[], root: { project: string; stack: string }): TreeNode {
    const rootNode: TreeNode = {
        urn: `urn:pulumi:${root.stack}::${root.project}::${STACK_TYPE}::${root.project}-${root.stack}`,
        type: STACK_TYPE,
        name: `${root.project}-${root.stack}`,
        custom: false,
        remote: false,
        children: [],
    };
    const nodes = new Map<string, TreeNode>();
    for (const r of resources) nodes.set(r.urn, { urn: r.urn, type: r.type, name: r.name, custom: r.custom, remote: r.remote, children: [] });
    for (const r of resources) {
        const parent = (r.parent && nodes.get(r.parent)) || rootNode;
        parent.children.push(nodes.get(r.urn)!);
    }
    return rootNode;
}

/** Every node below (not including) `node`, depth first. */
export function descendants(node: TreeNode): TreeNode[] {
    return node.children.flatMap((c) => [c, ...descendants(c)]);
}

/** Renders the tree the way `pulumi preview` does: `+` op, type column with tree glyphs, name column. */
export function renderTree(tree: TreeNode): string {
    const rows: Array<[string, string, string]> = [];
    const walk = (n: TreeNode, prefix: string, childPrefix: string) => {
        const note = n.remote ? "  (remote component: children not visible offline)" : "";
        rows.push([prefix + n.type, n.name, note]);
        n.children.forEach((c, i) => {
            const last = i === n.children.length - 1;
            walk(c, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "));
        });
    };
    walk(tree, "", "");
    const width = Math.max(...rows.map(([t]) => [...t].length)) + 2;
    const header = `    ${"Type".padEnd(width)}Name`;
    return [header, ...rows.map(([t, n, note]) => ` +  ${t.padEnd(width + (t.length - [...t].length))}${n}${note}`)].join("\n");
}

/** Number of resources per type, sorted by type. */
export function countByType(resources: ResourceRecord[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function renderCounts(counts: Record<string, number>): string {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const width = Math.max(0, ...Object.keys(counts).map((t) => t.length));
    const lines = Object.entries(counts).map(([t, n]) => `    + ${String(n).padStart(3)}  ${t.padEnd(width)}`.trimEnd());
    return [`Resources:`, `    + ${total} to create (plus the stack itself)`, ``, `  by type:`, ...lines].join("\n");
}
