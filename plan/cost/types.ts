/** Shapes of the cost engine's input and output (no imports: the policy pack uses them too). */
import type { CostAssumptions, CostEnvironment } from "./assumptions";

/**
 * The engine's input: what both a harness `ResourceRecord` and a CrossGuard `PolicyResource`
 * (converted in policy/rules/stack/cost.ts) can supply. `custom`/`remote` are optional because
 * the policy engine does not say whether a resource is a component.
 */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN, "" for none. */
    parent: string;
    dependencies: string[];
    inputs: Record<string, unknown>;
    custom?: boolean;
    remote?: boolean;
}

/** One priced item: `monthlyUsd = quantity × unitPriceUsd`, and `formula` says how quantity came about. */
export interface CostLine {
    /** URN of the resource the item belongs to ("" for stack-wide items such as data transfer). */
    urn: string;
    type: string;
    name: string;
    /** The ComponentResource it belongs to, e.g. `Cluster shop-prod` (or `(stack)`). */
    component: string;
    /** What is charged, e.g. `EC2 instances (m6i.large, on-demand)`. */
    item: string;
    quantity: number;
    /** Unit of `quantity`, e.g. `instance-hours`. */
    unit: string;
    priceKey: string;
    unitPriceUsd: number;
    monthlyUsd: number;
    formula: string;
    /** Assumption keys this line depends on (usage-based items). */
    assumptions: (keyof CostAssumptions)[];
    note?: string;
    /** Volume lines: how many volumes of which size (the savings notes use it). */
    detail?: { count: number; sizeGib: number; volumeType: string };
}

export interface TypeCount {
    type: string;
    count: number;
    reason: string;
}

export interface SavingsNote {
    urn: string;
    name: string;
    monthlyUsd: number;
    message: string;
}

export interface CostEstimate {
    format: "shop-platform/cost@1";
    stack: string;
    environment: CostEnvironment;
    region: string;
    currency: "USD";
    priceFile: { path: string; read: string; regionConfirmed: boolean; summary: string };
    assumptions: CostAssumptions;
    lines: CostLine[];
    byComponent: { component: string; monthlyUsd: number }[];
    byResource: { urn: string; type: string; name: string; component: string; monthlyUsd: number }[];
    totalUsd: number;
    /** Types that cost nothing by themselves (IAM, Kubernetes objects on the priced nodes…), with why. */
    zeroCost: TypeCount[];
    /** Types the engine has no price for: listed, never dropped. */
    notPriced: TypeCount[];
    savings: SavingsNote[];
    notes: string[];
}
