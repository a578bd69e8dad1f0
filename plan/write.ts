/**
 * Writes one plan's artefacts into its out dir: resources.json, manifests/ (one file per Kubernetes
 * object: `kubectl apply -f manifests/` reads every file there as objects), helm-values/ (each Helm
 * release's values, which are not objects), patches/ (server-side-apply patches of objects a controller
 * creates, e.g. a StatefulSet's claims: they apply only once those exist), architecture.{dot,svg}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { dotToSvg, toDot } from "./dot";
import { renderManifests } from "./manifests";
import { resourcesFile, type Plan } from "./plan";

export interface Written {
    dir: string;
    files: string[];
    /** Why no SVG was written (dot missing or failed), else undefined. */
    svgProblem?: string;
}

/** Renders `dotText` to SVG with the WebAssembly Graphviz (no system package); returns a problem description instead of throwing. */
export function renderSvg(dotText: string, svgPath: string): string | undefined {
    const r = dotToSvg(dotText);
    if ("problem" in r) return `${r.problem}: wrote the .dot only`;
    fs.writeFileSync(svgPath, r.svg);
    return undefined;
}

/** Writes the diagram pair `<base>.dot` and `<base>.svg`. */
export function writeDiagram(plan: Pick<Plan, "project" | "stack" | "resources">, base: string): { files: string[]; svgProblem?: string } {
    fs.mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const dotText = toDot(plan.resources, plan);
    fs.writeFileSync(`${base}.dot`, dotText);
    const svgProblem = renderSvg(dotText, `${base}.svg`);
    return { files: svgProblem ? [`${base}.dot`] : [`${base}.dot`, `${base}.svg`], svgProblem };
}

export function writePlan(plan: Plan, dir: string): Written {
    fs.mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    const resourcesPath = path.join(dir, "resources.json");
    fs.writeFileSync(resourcesPath, JSON.stringify(resourcesFile(plan), null, 2) + "\n");
    files.push(resourcesPath);

    const mdir = path.join(dir, "manifests");
    const vdir = path.join(dir, "helm-values");
    const pdir = path.join(dir, "patches");
    for (const d of [mdir, vdir, pdir]) {
        fs.rmSync(d, { recursive: true, force: true }); // stale files from an earlier plan would mislead
        fs.mkdirSync(d, { recursive: true });
    }
    for (const m of renderManifests(plan.resources)) {
        const p = path.join(m.kind === "HelmRelease" ? vdir : /^\d+-patch-/.test(m.file) ? pdir : mdir, m.file);
        fs.writeFileSync(p, m.content);
        files.push(p);
    }
    const d = writeDiagram(plan, path.join(dir, "architecture"));
    files.push(...d.files);
    return { dir, files, svgProblem: d.svgProblem };
}
