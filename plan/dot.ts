/**
 * The architecture diagram (Graphviz DOT) drawn from the real component graph: one cluster per
 * component (nested as the components are), one node per resource type inside it (many
 * same-type children collapse into one node with a count), and dependency edges (including
 * provider references): bold where they cross from one component to another, light inside a
 * component, transitively reduced so only the build order remains; between two components one edge.
 */
import { spawnSync } from "node:child_process";
import type { ResourceRecord } from "../harness/types";
import { STACK_TYPE } from "./tree";

export interface DotOptions {
    title?: string;
}

/** Types drawn with a short label; others use the last segment of the type token. */
function shortType(type: string): string {
    if (type.startsWith("pulumi:providers:")) return `Provider (${type.slice("pulumi:providers:".length)})`;
    if (type === "kubernetes:helm.sh/v3:Release") return "Helm Release";
    return type.split(":").pop()!;
}

const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

const PALETTE: Record<string, string> = {
    aws: "#fff4e0",
    awsx: "#fff4e0",
    eks: "#fff4e0",
    docker: "#e3f2fd",
    kubernetes: "#e8eaf6",
    pulumi: "#eeeeee",
    random: "#eeeeee",
};

export function providerUrnOf(ref: string): string {
    const i = ref.lastIndexOf("::");
    return i < 0 ? ref : ref.slice(0, i);
}

interface Group {
    id: string;
    type: string;
    members: ResourceRecord[];
}

interface Cluster {
    id: string;
    component: ResourceRecord | undefined; // undefined = the stack itself
    groups: Group[];
    subclusters: Cluster[];
}

export function toDot(resources: ResourceRecord[], meta: { project: string; stack: string }, opts: DotOptions = {}): string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const isComponent = (r: ResourceRecord) => !r.custom && !r.remote;
    let n = 0;
    const clusters = new Map<string, Cluster>(); // component urn (or "" for stack) → cluster
    const root: Cluster = { id: "cluster_stack", component: undefined, groups: [], subclusters: [] };
    clusters.set("", root);
    const clusterOf = (urn: string): Cluster => {
        const r = urn ? byUrn.get(urn) : undefined;
        if (!r || r.type === STACK_TYPE) return root;
        if (!isComponent(r)) return clusterOf(r.parent); // children of a custom resource stay with its component
        let c = clusters.get(urn);
        if (!c) {
            c = { id: `cluster_${n++}`, component: r, groups: [], subclusters: [] };
            clusters.set(urn, c);
            clusterOf(r.parent).subclusters.push(c);
        }
        return c;
    };
    const nodeOf = new Map<string, string>(); // resource urn → node id
    for (const r of resources) {
        if (isComponent(r)) {
            clusterOf(r.urn);
            continue;
        }
        const c = clusterOf(r.parent);
        let g = c.groups.find((x) => x.type === r.type);
        if (!g) {
            g = { id: `n${n++}`, type: r.type, members: [] };
            c.groups.push(g);
        }
        g.members.push(r);
        nodeOf.set(r.urn, g.id);
    }
    // A dependency on a component points at the component's first node (drawn to the cluster edge).
    const anchor = (c: Cluster): string | undefined => c.groups[0]?.id ?? c.subclusters.map(anchor).find((x) => x !== undefined);
    const clusterIdOfUrn = (urn: string): Cluster | undefined => (byUrn.get(urn) && isComponent(byUrn.get(urn)!) ? clusters.get(urn) : undefined);
    const nodeClusterId = new Map<string, string>();
    for (const c of clusters.values()) for (const g of c.groups) nodeClusterId.set(g.id, c.id);

    // Group-level dependency graph (dependency → dependent), then its transitive reduction, so
    // the picture shows the build order without a hairball of implied edges.
    const edges = new Map<string, { from: string; to: string; cross: boolean }>();
    for (const r of resources) {
        const from = nodeOf.get(r.urn) ?? (isComponent(r) ? anchor(clusters.get(r.urn)!) : undefined);
        if (!from) continue;
        const targets = [...r.dependencies, ...(r.provider ? [providerUrnOf(r.provider)] : [])];
        for (const dep of targets) {
            const depCluster = clusterIdOfUrn(dep);
            const to = nodeOf.get(dep) ?? (depCluster ? anchor(depCluster) : undefined);
            if (!to || to === from) continue;
            const key = `${to}->${from}`;
            if (!edges.has(key)) edges.set(key, { from: to, to: from, cross: nodeClusterId.get(to) !== nodeClusterId.get(from) });
        }
    }
    const succ = new Map<string, string[]>();
    for (const e of edges.values()) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
    const reachableAvoiding = (start: string, goal: string): boolean => {
        // Is `goal` reachable from `start` by a path of length >= 2 (i.e. not using the direct edge)?
        const seen = new Set<string>();
        const stack = (succ.get(start) ?? []).filter((x) => x !== goal);
        while (stack.length) {
            const x = stack.pop()!;
            if (x === goal) return true;
            if (seen.has(x)) continue;
            seen.add(x);
            stack.push(...(succ.get(x) ?? []));
        }
        return false;
    };
    for (const [key, e] of edges) if (reachableAvoiding(e.from, e.to)) edges.delete(key);

    const lines: string[] = [];
    const title = opts.title ?? `${meta.project} — stack ${meta.stack} (offline plan)`;
    lines.push(`digraph "${esc(meta.project)}" {`);
    lines.push(`  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.9, label="${esc(title)}", labelloc=t];`);
    lines.push(`  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fillcolor="#ffffff"];`);
    lines.push(`  edge [color="#607d8b", arrowsize=0.7];`);
    const emit = (c: Cluster, indent: string) => {
        const isRoot = c === root;
        if (!isRoot) {
            const r = c.component!;
            lines.push(`${indent}subgraph ${c.id} {`);
            lines.push(`${indent}  label="${esc(`${r.type}\n${r.name}`)}"; style="rounded"; color="#90a4ae"; fontsize=11;`);
        }
        const inner = isRoot ? indent : indent + "  ";
        for (const g of c.groups) {
            const first = g.members[0];
            const pkg = g.type.split(":")[0];
            const label = g.members.length > 1 ? `${shortType(g.type)} ×${g.members.length}` : `${shortType(g.type)}\n${first.name}`;
            const extra = first.remote ? `, style="rounded,filled,dashed", tooltip="remote component: children not visible offline"` : "";
            lines.push(`${inner}${g.id} [label="${esc(label)}", fillcolor="${PALETTE[pkg] ?? "#ffffff"}"${extra}];`);
        }
        for (const s of c.subclusters) emit(s, inner);
        if (!isRoot) lines.push(`${indent}}`);
    };
    emit(root, "  ");
    // Inside a component: the reduced dependency edges (light). Between components: one bold edge
    // per pair of components, drawn from cluster border to cluster border.
    const crossSeen = new Set<string>();
    for (const e of edges.values()) {
        if (!e.cross) {
            lines.push(`  ${e.from} -> ${e.to} [color="#b0bec5"];`);
            continue;
        }
        const cf = nodeClusterId.get(e.from)!;
        const ct = nodeClusterId.get(e.to)!;
        if (crossSeen.has(`${cf}->${ct}`)) continue;
        crossSeen.add(`${cf}->${ct}`);
        const attrs = ["penwidth=1.6", ...(cf !== root.id ? [`ltail="${cf}"`] : []), ...(ct !== root.id ? [`lhead="${ct}"`] : [])];
        lines.push(`  ${e.from} -> ${e.to} [${attrs.join(", ")}];`);
    }
    lines.push(`}`);
    return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// DOT → SVG without a system Graphviz: the WebAssembly build of Graphviz (@viz-js/viz, pinned in
// package.json), so `make plan` draws its picture on a machine with only Node.

type VizInstance = {
    render(input: string, options?: { format?: string; engine?: string }): { status: string; output?: string; errors: { message: string; level?: string }[] };
};
let viz: VizInstance | undefined;

/** Loads the WebAssembly renderer once (async: the module compiles its WASM); later renders are synchronous in-process. */
export async function loadDotRenderer(): Promise<void> {
    if (viz) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("@viz-js/viz") as { instance(): Promise<VizInstance> };
    viz = await mod.instance();
}

/** Renders DOT to SVG: in-process when {@link loadDotRenderer} has run, else in a child Node process (same renderer, synchronous for the caller). */
export function dotToSvg(dotText: string): { svg: string } | { problem: string } {
    if (viz) {
        const r = viz.render(dotText, { format: "svg", engine: "dot" });
        return r.status === "success" && r.output
            ? { svg: r.output }
            : { problem: `Graphviz (WebAssembly) failed: ${r.errors.map((e) => e.message).join("; ")}` };
    }
    const script =
        "const v=require(process.argv[1]);let s='';process.stdin.on('data',d=>s+=d).on('end',()=>v.instance().then(i=>{const r=i.render(s,{format:'svg',engine:'dot'});" +
        "if(r.status==='success'){process.stdout.write(r.output)}else{process.stderr.write(r.errors.map(e=>e.message).join('; '));process.exitCode=1}}))";
    const r = spawnSync(process.execPath, ["-e", script, require.resolve("@viz-js/viz")], { input: dotText, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) return { problem: `could not start Node for the SVG renderer: ${r.error.message}` };
    if (r.status !== 0) return { problem: `Graphviz (WebAssembly) failed: ${r.stderr.trim()}` };
    return { svg: r.stdout };
}
