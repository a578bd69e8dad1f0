/** Reading the plan's rendered manifests as the objects kubectl will send. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export interface K8sObject {
    file: string;
    text: string;
    object: Record<string, any>;
    /** `apiVersion/Kind/namespace/name`: the identity the API server keys on. */
    id: string;
    group: string;
    kind: string;
    namespace?: string;
    name: string;
    /** The Pulumi resource it renders (the manifest's `# urn:` header), when written by the plan. */
    urn?: string;
}

/** Groups of the built-in APIs: anything else is a custom resource that needs a CRD. */
const BUILTIN_GROUPS = new Set([
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "storage.k8s.io",
    "rbac.authorization.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "certificates.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
]);

export function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

export const isCustomResource = (o: K8sObject) => !BUILTIN_GROUPS.has(o.group);

/** Every object in `dir` (one or more documents per file), read as YAML 1.1 like kubectl's sigs.k8s.io/yaml. */
export function readObjects(dir: string): K8sObject[] {
    const out: K8sObject[] = [];
    if (!fs.existsSync(dir)) return out;
    for (const f of fs
        .readdirSync(dir)
        .filter((x) => /\.(ya?ml|json)$/.test(x))
        .sort()) {
        const text = fs.readFileSync(path.join(dir, f), "utf8");
        for (const doc of YAML.parseAllDocuments(text, { version: "1.1" }) as YAML.Document[]) {
            const object = doc.toJS() as Record<string, any> | null;
            if (!object) continue;
            const apiVersion = String(object.apiVersion);
            const kind = String(object.kind);
            const namespace = object.metadata?.namespace as string | undefined;
            const name = String(object.metadata?.name);
            out.push({
                file: path.join(dir, f),
                text,
                object,
                urn: /^# urn: (\S+)$/m.exec(text)?.[1],
                id: `${apiVersion}/${kind}/${namespace ?? ""}/${name}`,
                group: groupOf(apiVersion),
                kind,
                namespace,
                name,
            });
        }
    }
    return out;
}

const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

/** Objects of `after` that are new or differ from `before` (by identity): what an update sends. */
export function changedObjects(before: K8sObject[], after: K8sObject[]): { changed: K8sObject[]; added: K8sObject[]; removed: K8sObject[] } {
    const b = new Map(before.map((o) => [o.id, o]));
    const a = new Map(after.map((o) => [o.id, o]));
    return {
        changed: after.filter((o) => b.has(o.id) && canonical(b.get(o.id)!.object) !== canonical(o.object)),
        added: after.filter((o) => !b.has(o.id)),
        removed: before.filter((o) => !a.has(o.id)),
    };
}
