/**
 * Every image a pinned chart renders is pinned by digest through its values (components/versions.json
 * `charts.<key>.images`), and the Helm releases of every stack really carry those values, whatever the
 * component sets. scripts/ci/check-digests.py keeps the digests equal to security/image-digests.json.
 */
import * as assert from "node:assert/strict";
import digests from "../security/image-digests.json";
import { ResourceRecord } from "../harness";
import { mergeValues } from "../components/helm";
import { ChartImage, ChartKey, chartImageValues, CHARTS } from "../components/versions";
import { get, ofType, STACKS, stackRun } from "./helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const HEX = "a".repeat(64);

/** Charts that render no image (CRDs only), so they list none. */
const NO_IMAGES: Partial<Record<ChartKey, string>> = {
    prometheusOperatorCrds: "CustomResourceDefinitions only",
    karpenterCrd: "CustomResourceDefinitions only",
};

interface DigestEntry {
    image: string;
    tag: string;
    digest: string | null;
    chart?: string;
    why: string;
}
const ENTRIES = (digests as { images: DigestEntry[] }).images;

/** The reference a chart's template prints for one of our image blocks (formulas from the templates cited in versions.json). */
function rendered(img: ChartImage, block: Record<string, unknown>): string {
    const name = img.image.replace(/:[^:@/]+(@sha256:[0-9a-f]{64})?$/, "");
    switch (img.form) {
        case "tag":
            return `${name}:${String(block.tag)}`;
        case "sha-hex":
            return `${name}:${String(block.tag)}@sha256:${String(block.sha)}`;
        case "sha":
            return `${name}:${String(block.tag)}@${String(block.sha)}`;
        case "digest":
            // prometheus-node-exporter appends -distroless when image.distroless is true; our tag names the variant.
            return `${name}:${String(block.tag)}${block.distroless ? "-distroless" : ""}@${String(block.digest)}`;
        case "digest-only":
            // The chart prints repository@digest; the tag stays in our pin for people, not for the node.
            return `${name}:${/:([^:@/]+)@/.exec(img.image)?.[1] ?? ""}@${String(block.digest)}`;
        case "chart-digest":
            return img.image;
    }
}

describe("chart images: unit", () => {
    const pin = (images: ChartImage[]) => ({ chart: "c", repo: "https://x", version: "1.0.0", images });
    it("spells the digest the way each chart's template reads it", () => {
        const v = chartImageValues(
            pin([
                { values: "image", form: "tag", image: `r/a:v1@sha256:${HEX}` },
                { values: "op.image", form: "sha-hex", image: `r/b:v2@sha256:${HEX}` },
                { values: "ksm.image", form: "sha", image: `r/c:v3@sha256:${HEX}` },
                { values: "ne.image", form: "digest", image: `r/d:v4-distroless@sha256:${HEX}`, set: { distroless: false } },
                { values: "al.image", form: "digest-only", image: `r/e:v5@sha256:${HEX}` },
            ]),
        );
        assert.deepEqual(v, {
            image: { tag: `v1@sha256:${HEX}` },
            op: { image: { tag: "v2", sha: HEX } },
            ksm: { image: { tag: "v3", sha: `sha256:${HEX}` } },
            ne: { image: { tag: "v4-distroless", digest: `sha256:${HEX}`, distroless: false } },
            al: { image: { digest: `sha256:${HEX}` } },
        });
    });
    it("sets nothing for a tag-only image or one the chart pins itself", () => {
        const v = chartImageValues(
            pin([
                { values: "a", form: "tag", image: "r/a:v1" },
                { values: "b", form: "chart-digest", image: `r/b:v1@sha256:${HEX}` },
            ]),
        );
        assert.deepEqual(v, {});
    });
    it("refuses a reference that is not name:tag[@sha256:<64 hex>]", () => {
        assert.throws(() => chartImageValues(pin([{ values: "a", form: "tag", image: "r/a@sha256:123" }])), /not name:tag/);
    });
    it("the pinned digest wins over a component value for the same block", () => {
        const images = chartImageValues(pin([{ values: "image", form: "tag", image: `r/a:v1@sha256:${HEX}` }]));
        assert.deepEqual(mergeValues({ image: { repository: "r/a", tag: "latest" } }, images), { image: { repository: "r/a", tag: `v1@sha256:${HEX}` } });
    });
});

describe("chart images: the pin file", () => {
    it("every chart lists its images, or says why it renders none", () => {
        const silent = (Object.keys(CHARTS) as ChartKey[]).filter((k) => !CHARTS[k].images?.length && !NO_IMAGES[k]);
        assert.deepEqual(silent, [], "charts with no images listed");
    });
    it("the only tag-only chart images are those security/image-digests.json has no digest for, each with why", () => {
        const tagOnly = (Object.keys(CHARTS) as ChartKey[]).flatMap((k) =>
            (CHARTS[k].images ?? []).filter((i) => !i.image.includes("@sha256:")).map((i) => ({ chart: k, image: i.image })),
        );
        for (const t of tagOnly) {
            const e = ENTRIES.find((x) => `${x.image}:${x.tag}` === t.image);
            assert.ok(e, `${t.chart}: ${t.image} is not in security/image-digests.json`);
            assert.equal(e.digest, null, `${t.chart}: ${t.image} is tag-only but the file has ${e.digest}`);
            assert.match(e.why, /\S{10,}/, `${t.image}: no reason`);
        }
        // Today: Karpenter only (its chart pins the digest). The kube-prometheus-stack certgen Jobs, the last image
        // without a public digest, are not rendered: Pulumi makes the operator's certificate (operator-tls.test.ts).
        assert.deepEqual(tagOnly.map((t) => t.image).sort(), ["public.ecr.aws/karpenter/controller:1.15.0"]);
        assert.equal(CHARTS.karpenter.images?.[0].form, "chart-digest");
    });
});

for (const stack of STACKS) {
    describe(`chart images (${stack})`, () => {
        let releases: ResourceRecord[] = [];
        before(async () => {
            releases = ofType((await stackRun(stack)).resources, RELEASE);
        });
        it("every release renders each of its chart's images by the pinned reference", () => {
            const report: string[] = [];
            for (const r of releases) {
                const key = (Object.keys(CHARTS) as ChartKey[]).find(
                    (k) => CHARTS[k].version === r.inputs.version && String(r.inputs.chart).endsWith(CHARTS[k].chart),
                );
                assert.ok(key, `${r.name}: chart ${String(r.inputs.chart)} ${String(r.inputs.version)} is not in components/versions.json`);
                for (const img of CHARTS[key].images ?? []) {
                    if (img.form === "chart-digest" || !img.image.includes("@sha256:")) continue;
                    const block = get(r.inputs.values, img.values) as Record<string, unknown> | undefined;
                    const got = block ? rendered(img, block) : "(not set)";
                    if (got !== img.image) report.push(`${r.name} ${img.values}: renders ${got}, pinned ${img.image}`);
                }
            }
            assert.deepEqual(report, []);
        });
    });
}
