/**
 * Savings the plan can see: concrete changes with their monthly amount, computed from the
 * estimate's own lines (so they use the same prices and assumptions). Notes, not verdicts: each
 * says what the change gives up.
 */
import type { PriceFile } from "./prices";
import type { CostEstimate, CostResource, SavingsNote } from "./types";

const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Does any Karpenter NodePool of the stack allow spot? Then the environment accepts spot capacity. */
function spotAllowed(resources: CostResource[]): boolean {
    return resources.some(
        (r) =>
            r.type === "kubernetes:karpenter.sh/v1:NodePool" &&
            (((r.inputs.spec as any)?.template?.spec?.requirements ?? []) as any[]).some(
                (q) => q?.key === "karpenter.sh/capacity-type" && Array.isArray(q.values) && q.values.includes("spot"),
            ),
    );
}

export function savingsNotes(est: CostEstimate, resources: CostResource[], prices: PriceFile): SavingsNote[] {
    const out: SavingsNote[] = [];
    const a = est.assumptions;
    const h = a.hoursPerMonth;
    const lineOf = (urn: string, itemStart: string) => est.lines.find((l) => l.urn === urn && l.item.startsWith(itemStart));

    for (const l of est.lines) {
        // 1. A NAT gateway per AZ outside prod.
        if (l.item === "NAT gateways" && est.environment !== "prod" && l.quantity > h) {
            const count = Math.round(l.quantity / h);
            const ip = lineOf(l.urn, "NAT gateways' public IPv4");
            const perGw = l.unitPriceUsd * h + (ip ? ip.unitPriceUsd * h : 0);
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: (count - 1) * perGw,
                message: `${est.stack} runs ${count} NAT gateways (one per AZ): natGateways Single saves ${count - 1} × ${usd(perGw)} = ${usd((count - 1) * perGw)}/month, at the cost of every AZ's egress depending on one AZ (vpc-nat-per-az is not mandatory outside prod).`,
            });
        }
        // 2. gp2 volumes.
        if (l.priceKey === "ebs.gp2.gbMonth") {
            const gp3Price = prices.prices["ebs.gp3.gbMonth"].usd;
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: l.quantity * (l.unitPriceUsd - gp3Price),
                message: `${l.item} on ${l.name} is gp2: gp3 gives the same baseline (3,000 IOPS, 125 MB/s) for less, saving ${usd(l.quantity * (l.unitPriceUsd - gp3Price))}/month.`,
            });
        }
        // 3. On-demand node groups where the environment accepts spot (its Karpenter pool does).
        if (l.type === "aws:eks/nodeGroup:NodeGroup" && l.priceKey.startsWith("ec2:") && !l.priceKey.endsWith("×spot") && spotAllowed(resources)) {
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: l.monthlyUsd * a.spotDiscount,
                message: `node group ${l.name} runs on-demand while ${est.stack}'s Karpenter pool already accepts spot: nodeCapacityType SPOT (with two or more instance types) saves about ${usd(l.monthlyUsd * a.spotDiscount)}/month at spotDiscount ${a.spotDiscount}, at the cost of interruptions of the system add-ons' nodes.`,
            });
        }
        // 4. Log groups without retention.
        if (l.priceKey === "logs.storage.gbMonth" && l.item.includes("never expires")) {
            const ingest = l.quantity / a.neverExpireLogMonths;
            const with30 = ((ingest * 30) / (h / 24)) * l.unitPriceUsd;
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: l.monthlyUsd - with30,
                message: `${l.item.replace(/^CloudWatch Logs storage /, "log group ")} keeps everything: a 30-day retention saves ${usd(l.monthlyUsd - with30)}/month after ${a.neverExpireLogMonths} months, and the gap grows every month.`,
            });
        }
        // 5. Oversized root volumes.
        if (l.detail && /root volume/.test(l.item) && l.detail.sizeGib > a.rootVolumeSuggestedGb && l.detail.count > 0) {
            const extra = l.detail.count * (l.detail.sizeGib - a.rootVolumeSuggestedGb) * l.unitPriceUsd;
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: extra,
                message: `${l.item.replace(/^EBS \w+: /, "")}: ${l.detail.sizeGib} GiB each; ${a.rootVolumeSuggestedGb} GiB (rootVolumeSuggestedGb) saves ${usd(extra)}/month for ${l.detail.count} volumes — keep the headroom if nodes pull many large images.`,
            });
        }
        // 6. Clusters that would drift into extended support.
        if (l.priceKey === "eks.cluster.standard" && l.note?.startsWith("upgradePolicy.supportType")) {
            const extra = (prices.prices["eks.cluster.extended"].usd - l.unitPriceUsd) * l.quantity;
            out.push({
                urn: l.urn,
                name: l.name,
                monthlyUsd: extra,
                message: `cluster ${l.name} would move to extended support when its version ages out (${usd(extra)}/month more): set upgradePolicy.supportType STANDARD to be upgraded instead.`,
            });
        }
    }
    return out.filter((s) => s.monthlyUsd > 0.005).sort((x, y) => y.monthlyUsd - x.monthlyUsd);
}
