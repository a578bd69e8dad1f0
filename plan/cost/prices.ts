/**
 * The price table: `plan/pricing/<region>.json`, one file per region our stacks use. Prices are
 * data with their source, the quote that carries the figure and the date it was read; the
 * engine never holds a number of its own. Node built-ins only (the policy pack imports this).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface PriceEntry {
    usd: number;
    unit: string;
    source: string;
    quote: string;
    read: string;
    /** False when the figure is another region's (the note says which). */
    regionConfirmed: boolean;
    note?: string;
    freeGb?: number;
}

export interface PriceFile {
    format: "shop-platform/pricing@1";
    region: string;
    currency: "USD";
    read: string;
    summary: string;
    prices: Record<PriceKey, PriceEntry>;
    ec2: Omit<PriceEntry, "usd" | "freeGb"> & { onDemandHour: Record<string, number> };
}

export const PRICE_KEYS = [
    "eks.cluster.standard",
    "eks.cluster.extended",
    "natgw.hour",
    "natgw.gb",
    "ipv4.hour",
    "ebs.gp3.gbMonth",
    "ebs.gp2.gbMonth",
    "ebs.snapshot.gbMonth",
    "alb.hour",
    "alb.lcuHour",
    "logs.ingest.gb",
    "logs.storage.gbMonth",
    "kms.keyMonth",
    "kms.requests10k",
    "secretsmanager.secretMonth",
    "secretsmanager.calls10k",
    "s3.standard.gbMonth",
    "ecr.storage.gbMonth",
    "transfer.internetOut.gb",
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

export const PRICING_DIR = path.resolve(__dirname, "..", "pricing");

export class PriceFileError extends Error {
    override name = "PriceFileError";
}

export function pricingRegions(dir = PRICING_DIR): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^[a-z]{2}(-[a-z]+)+-\d\.json$/.test(f))
        .map((f) => f.replace(/\.json$/, ""))
        .sort();
}

/** Reads and checks `plan/pricing/<region>.json`: every key present, every price sourced and dated. */
export function loadPrices(region: string, dir = PRICING_DIR): PriceFile {
    const file = path.join(dir, `${region}.json`);
    if (!fs.existsSync(file))
        throw new PriceFileError(`no price file for region ${region} (have: ${pricingRegions(dir).join(", ") || "none"}): add plan/pricing/${region}.json`);
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as PriceFile;
    const problems: string[] = [];
    if (doc.format !== "shop-platform/pricing@1") problems.push("format must be shop-platform/pricing@1");
    if (doc.region !== region) problems.push(`region is ${doc.region}, file name says ${region}`);
    const dated = (what: string, e: Partial<PriceEntry> | undefined): void => {
        if (!e) {
            problems.push(`${what} missing`);
            return;
        }
        if (!e.source || !e.read || !/^\d{4}-\d{2}-\d{2}$/.test(e.read) || typeof e.regionConfirmed !== "boolean")
            problems.push(`${what} needs source, read (YYYY-MM-DD) and regionConfirmed`);
    };
    for (const k of PRICE_KEYS) {
        const e = doc.prices?.[k];
        dated(`prices.${k}`, e);
        if (e && !(typeof e.usd === "number" && e.usd >= 0)) problems.push(`prices.${k}.usd must be a number ≥ 0`);
    }
    dated("ec2", doc.ec2);
    for (const [t, v] of Object.entries(doc.ec2?.onDemandHour ?? {})) if (!(typeof v === "number" && v > 0)) problems.push(`ec2.onDemandHour.${t} must be > 0`);
    if (problems.length) throw new PriceFileError(`${file}: ${problems.join("; ")}`);
    return doc;
}
