/**
 * The one pin file (components/versions.json), typed: every Helm chart and container image the
 * program deploys. A chart is an exact x.y.z version from an https or oci:// repository; bumping
 * one means editing that file (and re-extracting its values keys, see test/chart-values.test.ts).
 */
import pins from "./versions.json";

export interface ChartPin {
    chart: string;
    /** https Helm repository, or an oci:// registry path (the chart reference is then `<repo>/<chart>`). */
    repo: string;
    version: string;
    /** Fixed release name (object names derive from it); defaults to the chart name. */
    releaseName?: string;
    /** The images the chart renders with our values, each pinned by digest through its values. Defaults to none. */
    images?: ChartImage[];
}

/**
 * One image a chart renders, and how its values carry the digest. Charts spell it differently
 * (each form is checked against the chart's template at the pinned version, cited in versions.json):
 * - `tag`: the template prints `repository:tag`, so the digest rides in the tag (`v1@sha256:…`);
 * - `sha-hex`: `tag` plus `sha` without the `sha256:` prefix (the template appends `@sha256:`);
 * - `sha`: `tag` plus `sha` with the prefix (`…:tag@<sha>`);
 * - `digest`: `tag` plus `digest` with the prefix;
 * - `digest-only`: `digest` with the prefix, no tag (the chart prints `repository@digest`, e.g. Alloy,
 *   whose version label is derived from the tag and would break on `tag@sha256:…`);
 * - `chart-digest`: the chart's own values already pin a digest; we set nothing.
 */
export interface ChartImage {
    /** Dotted path of the image block in the chart's values (`grafana.sidecar.image`). */
    values: string;
    form: "tag" | "sha-hex" | "sha" | "digest" | "digest-only" | "chart-digest";
    /** `name:tag@sha256:…` (tag-only only where security/image-digests.json has no digest, with why). */
    image: string;
    /** Other keys of the same image block to set (e.g. `distroless: false` when the tag names the variant). */
    set?: Record<string, unknown>;
}

export type ChartKey = keyof typeof pins.charts;
export type ImageKey = keyof typeof pins.images;

export const CHARTS: Record<ChartKey, ChartPin> = pins.charts as Record<ChartKey, ChartPin>;

const IMAGE_REF = /^(?<name>[^@\s]+):(?<tag>[^:@/\s]+)(?:@sha256:(?<hex>[0-9a-f]{64}))?$/;

/** The values that make a chart render its images by digest (empty for tag-only and `chart-digest` entries). */
export function chartImageValues(pin: ChartPin): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const img of pin.images ?? []) {
        const m = IMAGE_REF.exec(img.image);
        if (!m?.groups) throw new Error(`${pin.chart}: image ${img.image} is not name:tag[@sha256:<64 hex>]`);
        const { tag, hex } = m.groups;
        if (img.form === "chart-digest" || !hex) continue;
        const block: Record<string, unknown> = {
            ...(img.set ?? {}),
            ...(img.form === "tag" ? { tag: `${tag}@sha256:${hex}` } : img.form === "digest-only" ? {} : { tag }),
            ...(img.form === "sha-hex" ? { sha: hex } : {}),
            ...(img.form === "sha" ? { sha: `sha256:${hex}` } : {}),
            ...(img.form === "digest" || img.form === "digest-only" ? { digest: `sha256:${hex}` } : {}),
        };
        const keys = img.values.split(".");
        let node = out;
        for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
        node[keys[keys.length - 1]] = block;
    }
    return out;
}

/** Image references (`name:tag` or `name:tag@sha256:…`) by key. */
export const IMAGES = Object.fromEntries(Object.entries(pins.images).map(([k, v]) => [k, v.image])) as Record<ImageKey, string>;

/** `helm install` chart reference: the name for an https repository, the full `oci://…/chart` for OCI. */
export function chartRef(pin: ChartPin): { chart: string; repo?: string } {
    return pin.repo.startsWith("oci://") ? { chart: `${pin.repo}/${pin.chart}` } : { chart: pin.chart, repo: pin.repo };
}
