/**
 * Usage assumptions of the cost estimate: everything the resource inputs cannot say (traffic,
 * log volume, image size, how many nodes Karpenter adds on average). One place, defaults per
 * environment, every key overridable (`estimateCost(..., { assumptions })`). The per-environment
 * ones are also rows of the config table (config/table.ts, `cost*` keys: the plan passes the
 * stack's values; a test keeps the rows' defaults equal to these) and the budget policy takes
 * overrides in its `assumptions` param. Each usage-based line of the estimate names its keys.
 *
 * This file must stay free of npm imports: the CrossGuard pack (policy/) imports the engine and
 * only has its own node_modules.
 */

export type CostEnvironment = "dev" | "staging" | "prod";

export interface CostAssumptions {
    /** Hours in a month: AWS's own convention for monthly estimates (730 = 8760 / 12). */
    hoursPerMonth: number;
    /** GB a month processed by the NAT gateways of the stack, in total (image pulls, AWS APIs without endpoints, external calls). */
    natProcessedGbPerMonth: number;
    /** GB a month sent to the internet (ALB responses, NAT egress); the account-wide free 100 GB are not subtracted. */
    internetEgressGbPerMonth: number;
    /** Average Load Balancer Capacity Units per ALB-hour (1 LCU ≈ 25 new conn/s, 3,000 active conn/min, 1 GB/h, 1,000 rule evaluations/s). */
    albLcuAverage: number;
    /** GB a month ingested per enabled EKS control-plane log type (audit dominates). */
    controlPlaneLogGbPerTypeMonth: number;
    /** GB a month of flow-log records per VPC flow log. */
    flowLogGbPerMonth: number;
    /** GB a month ingested by a log group whose source the plan cannot see. */
    otherLogGroupGbPerMonth: number;
    /** Months of accumulation priced for a log group without retention (it grows without bound). */
    neverExpireLogMonths: number;
    /** KMS requests a month per customer-managed key (EKS secret envelope decrypts, Secrets Manager reads). */
    kmsRequestsPerKeyMonth: number;
    /** Secrets Manager API calls a month per secret (External Secrets refreshes hourly: 730). */
    secretsManagerCallsPerSecretMonth: number;
    /** Compressed size of one image in ECR, GB. */
    ecrImageSizeGb: number;
    /** Images kept by a repository without a lifecycle policy (it grows without bound). */
    ecrImagesWithoutLifecycle: number;
    /** GB stored per S3 bucket, unless `s3GbByBucket` names it (by logical name or bucket name). */
    s3GbPerBucket: number;
    s3GbByBucket: Record<string, number>;
    /** GB stored per EBS / VolumeSnapshot snapshot (incremental size is not visible offline). */
    snapshotGbEach: number;
    /** Average number of nodes Karpenter's pools run beyond the managed node group, per NodePool. */
    karpenterBaselineNodes: number;
    /** The size of those nodes; the type is the cheapest priced `<family>.<size>` the pool allows. */
    karpenterBaselineInstanceSize: string;
    /** Average Spot discount off the on-demand price (AWS advertises "up to 90 %"; Spot prices move). */
    spotDiscount: number;
    /** Root volumes above this size are listed as a saving (images and logs of a node fit comfortably below it). */
    rootVolumeSuggestedGb: number;
}

const COMMON = {
    hoursPerMonth: 730,
    albLcuAverage: 1,
    otherLogGroupGbPerMonth: 1,
    neverExpireLogMonths: 12,
    kmsRequestsPerKeyMonth: 10_000,
    secretsManagerCallsPerSecretMonth: 730,
    ecrImageSizeGb: 0.25,
    ecrImagesWithoutLifecycle: 200,
    s3GbByBucket: {},
    snapshotGbEach: 10,
    karpenterBaselineInstanceSize: "large",
    spotDiscount: 0.6,
    rootVolumeSuggestedGb: 40,
} as const;

/**
 * Defaults per environment. dev: a few people, little traffic; staging: test traffic; prod: a
 * small shop's real traffic. Karpenter: dev's two managed nodes hold everything (consolidation
 * after 1 minute removes spare nodes), staging and prod scale their HPAs above minReplicas and
 * that surplus lands on Karpenter nodes: one node on average.
 */
export const DEFAULT_ASSUMPTIONS: Record<CostEnvironment, CostAssumptions> = {
    dev: {
        ...COMMON,
        s3GbByBucket: {},
        natProcessedGbPerMonth: 50,
        internetEgressGbPerMonth: 20,
        controlPlaneLogGbPerTypeMonth: 1,
        flowLogGbPerMonth: 5,
        s3GbPerBucket: 10,
        karpenterBaselineNodes: 0,
    },
    staging: {
        ...COMMON,
        s3GbByBucket: {},
        natProcessedGbPerMonth: 100,
        internetEgressGbPerMonth: 50,
        controlPlaneLogGbPerTypeMonth: 1,
        flowLogGbPerMonth: 10,
        s3GbPerBucket: 20,
        karpenterBaselineNodes: 1,
    },
    prod: {
        ...COMMON,
        s3GbByBucket: {},
        albLcuAverage: 2,
        natProcessedGbPerMonth: 300,
        internetEgressGbPerMonth: 500,
        controlPlaneLogGbPerTypeMonth: 2,
        flowLogGbPerMonth: 30,
        s3GbPerBucket: 50,
        karpenterBaselineNodes: 1,
    },
};

export const ASSUMPTION_KEYS = Object.keys(DEFAULT_ASSUMPTIONS.dev) as (keyof CostAssumptions)[];

export class CostAssumptionError extends Error {
    override name = "CostAssumptionError";
}

/** The environment's defaults with `overrides` applied; unknown keys and bad values are refused (all named at once). */
export function resolveAssumptions(env: CostEnvironment, overrides: Partial<CostAssumptions> = {}): CostAssumptions {
    const base = DEFAULT_ASSUMPTIONS[env];
    const problems: string[] = [];
    const out: CostAssumptions = { ...base, s3GbByBucket: { ...base.s3GbByBucket } };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) continue;
        if (!(ASSUMPTION_KEYS as string[]).includes(k)) {
            problems.push(`unknown cost assumption "${k}" (known: ${ASSUMPTION_KEYS.join(", ")})`);
            continue;
        }
        const key = k as keyof CostAssumptions;
        const expected = typeof base[key];
        if (key === "s3GbByBucket") {
            const ok = typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "number" && x >= 0);
            if (!ok) problems.push(`cost assumption s3GbByBucket must map bucket names to GB (numbers ≥ 0)`);
            else out.s3GbByBucket = { ...(v as Record<string, number>) };
            continue;
        }
        if (typeof v !== expected || (typeof v === "number" && (!Number.isFinite(v) || v < 0))) {
            problems.push(`cost assumption ${k} must be a ${expected === "number" ? "number ≥ 0" : expected}, got ${JSON.stringify(v)}`);
            continue;
        }
        if (key === "spotDiscount" && (v as number) >= 1) problems.push(`cost assumption spotDiscount must be below 1, got ${String(v)}`);
        else if (key === "hoursPerMonth" && (v as number) === 0) problems.push(`cost assumption hoursPerMonth must be above 0`);
        else (out as unknown as Record<string, unknown>)[key] = v;
    }
    if (problems.length) throw new CostAssumptionError(problems.join("; "));
    return out;
}

export function isCostEnvironment(s: unknown): s is CostEnvironment {
    return s === "dev" || s === "staging" || s === "prod";
}
