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
}

export type ChartKey = keyof typeof pins.charts;
export type ImageKey = keyof typeof pins.images;

export const CHARTS: Record<ChartKey, ChartPin> = pins.charts;

/** Image references (`name:tag` or `name:tag@sha256:…`) by key. */
export const IMAGES = Object.fromEntries(Object.entries(pins.images).map(([k, v]) => [k, v.image])) as Record<ImageKey, string>;

/** `helm install` chart reference: the name for an https repository, the full `oci://…/chart` for OCI. */
export function chartRef(pin: ChartPin): { chart: string; repo?: string } {
    return pin.repo.startsWith("oci://") ? { chart: `${pin.repo}/${pin.chart}` } : { chart: pin.chart, repo: pin.repo };
}
