import * as assert from "node:assert/strict";
import { dotToSvg, loadDotRenderer, toDot } from "../dot";
import { planFor } from "./helpers";

describe("plan: architecture diagram", () => {
    it("one cluster per component, collapsed same-type nodes, cross-component edges; dot renders it", async () => {
        const plan = await planFor("dev");
        const dot = toDot(plan.resources, plan);
        assert.match(dot, /rankdir=LR/);
        const components = plan.resources.filter((r) => !r.custom && !r.remote);
        assert.equal((dot.match(/subgraph cluster_/g) ?? []).length, components.length);
        for (const c of components) assert.ok(dot.includes(`label="${c.type}\\n${c.name}"`), `no cluster for ${c.type} ${c.name}`);
        assert.match(dot, /label="RolePolicyAttachment ×6"/);
        // Vpc (Network) → Cluster/NodeGroup (Cluster) is drawn as a bold cross-component edge
        const id = (label: RegExp) => new RegExp(`(n\\d+) \\[label="${label.source}`).exec(dot)?.[1];
        const vpc = id(/Vpc\\nshop-dev/);
        assert.ok(vpc);
        assert.match(dot, new RegExp(`${vpc} -> n\\d+ \\[penwidth`));
        // not a hairball: fewer edges than resources
        assert.ok((dot.match(/->/g) ?? []).length < plan.resources.length);
        // Rendered by the WebAssembly Graphviz (no system package): first in a child process, then in-process.
        const child = dotToSvg(dot);
        assert.ok("svg" in child, "problem" in child ? child.problem : "");
        assert.match(child.svg, /<svg/);
        await loadDotRenderer();
        const inProcess = dotToSvg(dot);
        assert.ok("svg" in inProcess);
        assert.equal(inProcess.svg, child.svg);
        const text = inProcess.svg.replace(/&#45;/g, "-"); // Graphviz escapes "-" in SVG text
        for (const c of components) assert.ok(text.includes(c.name), `${c.name} not drawn`);
    });

    it("reports a DOT syntax error instead of throwing", async () => {
        await loadDotRenderer();
        const r = dotToSvg("digraph { a -> ");
        assert.ok("problem" in r);
        assert.match(r.problem, /syntax error/);
    });
});
