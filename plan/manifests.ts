/**
 * Kubernetes manifests reconstructed from the inputs the program sends for each Kubernetes
 * object (apiVersion, kind, metadata, spec/data/…), plus one values file per Helm release.
 * Secret values stay redacted exactly as the harness recorded them.
 */
import * as YAML from "yaml";
import type { ResourceRecord } from "../harness/types";
import { isRedactedSecret } from "../harness/types";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/**
 * go-yaml v2 (go.yaml.in/yaml/v2 v2.4.3, resolve.go `resolve`), which kubectl and Helm read YAML with
 * through sigs.k8s.io/yaml v1.6.0, reads a plain scalar that starts with a digit or a sign as a number
 * when, with every `_` removed, Go's strconv.ParseInt(s, 0, 64) accepts it (so also `0O17`, `0X1F`,
 * `0B101`, `-0o7`, `1_`) or it matches its YAML-style float; one that starts with `.` when ParseFloat
 * accepts it. The YAML 1.1 schema's patterns miss some of those spellings; the writer quotes them too
 * (liberally: quoting a string that needed none changes nothing for any reader).
 */
class GoYamlV2Number extends RegExp {
    constructor() {
        super("go-yaml v2 number");
    }
    override test(s: string): boolean {
        if (s.startsWith(".")) return /^\.[0-9_]/.test(s);
        if (!/^[-+0-9]/.test(s)) return false;
        const plain = s.replaceAll("_", "");
        return /^[-+]?(?:0[bBoOxX][0-9a-fA-F]+|[0-9]+)$/.test(plain) || /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain);
    }
}

/**
 * Scalars a string must not be written as plainly. The writer's own schema is YAML 1.2 core; `compat`
 * makes it quote every string that another schema would resolve to a non-string as well
 * (eemeli/yaml 2.9.1, docs "Options" → SchemaOptions.compat and stringify/stringifyString.js
 * `plainString`). The others: the whole YAML 1.1 type repository (booleans y/n/yes/no/on/off,
 * base-2/8/60 ints, `1_000`, timestamps, merge `<<`) that kubectl, Helm and PyYAML implement; the 1.1
 * value key `=` (PyYAML 6.0.3's resolver.py tags a plain `=` as !!value and safe_load then refuses the
 * document); and go-yaml v2's number spellings above.
 */
const YAML_COMPAT: YAML.Tags = [
    ...new YAML.Schema({ schema: "yaml-1.1" }).tags,
    { tag: "tag:yaml.org,2002:value", default: true, test: /^=$/, resolve: () => "=" },
    { tag: "tag:yaml.org,2002:int", default: true, test: new GoYamlV2Number(), resolve: (s: string) => s },
];

/** YAML that YAML 1.1 and YAML 1.2 readers (and go-yaml v2) read as the same data. */
export function toYaml(value: unknown): string {
    return YAML.stringify(value, { lineWidth: 0, compat: YAML_COMPAT });
}

export interface ManifestFile {
    /** File name relative to `manifests/` (`helm-values/` for a Helm release), e.g. `03-deployment-storefront.yaml`. */
    file: string;
    urn: string;
    kind: string;
    /** The object (or, for a Helm release, its values). */
    object: Record<string, unknown>;
    content: string;
}

/** Custom Kubernetes objects the program declares: `kubernetes:*` custom resources that are not Helm releases. */
export function isKubernetesObject(r: ResourceRecord): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");
}

/** Replaces the harness's redaction marker by a plain string a YAML reader and a schema accept. */
function scrub(v: unknown): unknown {
    if (isRedactedSecret(v)) return "[redacted]";
    if (Array.isArray(v)) return v.map(scrub);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
}

/** `kubernetes:apps/v1:Deployment` → {apiVersion: "apps/v1", kind: "Deployment"}; `core/v1` → `v1`. */
export function apiOf(type: string): { apiVersion: string; kind: string } {
    const [, gv, kind] = type.split(":");
    return { apiVersion: gv.startsWith("core/") ? gv.slice("core/".length) : gv, kind };
}

/** Keys the Pulumi SDK or provider adds to inputs that are not part of the object. */
const NON_OBJECT_KEYS = new Set(["compat", "__inputs"]);

/** The keys a Secret of a built-in type must have (kubernetes.io/basic-auth: username and password, as our sinks write them). */
const SECRET_TYPE_KEYS: Record<string, string[]> = { "kubernetes.io/basic-auth": ["username", "password"] };

/** Map-valued fields a secret may wrap as a whole. */
const MAP_FIELDS = new Set(["data", "stringData", "binaryData"]);

export function reconstructObject(r: ResourceRecord): { object: Record<string, unknown>; autoNamed: boolean; redactedFields: string[] } {
    const api = apiOf(r.type);
    const redactedFields = Object.entries(r.inputs)
        .filter(([k, v]) => MAP_FIELDS.has(k) && isRedactedSecret(v))
        .map(([k]) => k);
    const inputs = scrub(r.inputs) as Record<string, unknown>;
    // A secret that wraps a whole map (Secret data/stringData) hides its keys too: an empty map keeps
    // the object schema-valid, and the header says what was withheld.
    // A typed Secret must carry its type's keys (the API server refuses a basic-auth Secret without
    // them, core/v1 ValidateSecret): those keys stand in, each "[redacted]", as they would be there.
    const typeKeys = SECRET_TYPE_KEYS[String(r.inputs.type)] ?? [];
    for (const k of redactedFields) inputs[k] = k === "binaryData" ? {} : Object.fromEntries(typeKeys.map((x) => [x, "[redacted]"]));
    const object: Record<string, unknown> = { apiVersion: inputs.apiVersion ?? api.apiVersion, kind: inputs.kind ?? api.kind };
    const metadata = { ...((inputs.metadata as Record<string, unknown> | undefined) ?? {}) };
    // Pulumi auto-names objects without metadata.name at deploy time (`<name>-<random>`); offline the
    // logical name stands in, so the manifest is complete and says so.
    const autoNamed = metadata.name === undefined;
    if (autoNamed) metadata.name = r.name;
    object.metadata = metadata;
    for (const [k, v] of Object.entries(inputs)) {
        if (k === "apiVersion" || k === "kind" || k === "metadata" || NON_OBJECT_KEYS.has(k)) continue;
        object[k] = v;
    }
    return { object, autoNamed, redactedFields };
}

const slug = (s: string) =>
    s
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, "-")
        .replace(/^-+|-+$/g, "");

/** Renders every Kubernetes object and every Helm release's values, in registration order. */
export function renderManifests(resources: ResourceRecord[]): ManifestFile[] {
    const selected = resources.filter((r) => isKubernetesObject(r) || r.type === HELM_RELEASE_TYPE);
    const width = Math.max(2, String(selected.length).length);
    return selected.map((r, i) => {
        const nn = String(i + 1).padStart(width, "0");
        if (r.type === HELM_RELEASE_TYPE) {
            const inputs = scrub(r.inputs) as Record<string, unknown>;
            const repo = (inputs.repositoryOpts as Record<string, unknown> | undefined)?.repo;
            const values = (inputs.values as Record<string, unknown> | undefined) ?? {};
            const header = [
                `# Helm release ${String(inputs.name ?? r.name)} (Pulumi resource ${r.name}) — values only: the chart is not rendered offline.`,
                `# chart:     ${String(inputs.chart ?? "(unset)")}`,
                `# repo:      ${String(repo ?? "(unset)")}`,
                `# version:   ${String(inputs.version ?? "(unset)")}`,
                `# namespace: ${String(inputs.namespace ?? "(unset)")}`,
                `# urn:       ${r.urn}`,
            ].join("\n");
            const body = Object.keys(values).length === 0 ? "{}\n" : toYaml(values);
            return { file: `${nn}-helmrelease-${slug(r.name)}.values.yaml`, urn: r.urn, kind: "HelmRelease", object: values, content: `${header}\n${body}` };
        }
        const { object, autoNamed, redactedFields } = reconstructObject(r);
        // pulumi-kubernetes `<Kind>Patch` resources server-side-apply a few fields of an object a
        // controller created (e.g. a StatefulSet's volume claim): the manifest is that kind, partial.
        // The resource type says so even when the inputs already carry the plain kind (the SDK sets it).
        const patch = /Patch$/.test(apiOf(r.type).kind) || /Patch$/.test(String(object.kind));
        if (patch) object.kind = String(object.kind).replace(/Patch$/, "");
        const kind = String(object.kind);
        const name = String((object.metadata as Record<string, unknown>).name);
        const header = [`# Pulumi resource ${r.type} ${r.name}`, `# urn: ${r.urn}`];
        if (patch) header.push(`# A partial ${kind}: a server-side-apply patch of an object created by a controller; apply it only once that object exists.`);
        const typeKeys = SECRET_TYPE_KEYS[String(r.inputs.type)];
        for (const f of redactedFields)
            header.push(
                typeKeys && f !== "binaryData"
                    ? `# ${f}: secret — values redacted; the keys its type requires stand in (${typeKeys.join(", ")}).`
                    : `# ${f}: secret — keys and values redacted (shown as {}).`,
            );
        if (autoNamed) header.push(`# metadata.name is auto-named by Pulumi at deploy time (${r.name}-<random>); the logical name stands in here.`);
        return {
            file: `${nn}-${patch ? "patch-" : ""}${slug(kind)}-${slug(name)}.yaml`,
            urn: r.urn,
            kind,
            object,
            content: `${header.join("\n")}\n${toYaml(object)}`,
        };
    });
}
