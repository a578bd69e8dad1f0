/**
 * The cost engine: a stack's resources (their inputs only — what a plan or a CrossGuard stack
 * policy sees) → an estimated monthly cost by component and resource, with the formula of every
 * line, the types that cost nothing by themselves, the types it cannot price, and savings notes.
 *
 * Sources of the AWS behaviour the engine relies on (prices themselves live in plan/pricing/):
 *  - Managed node groups fill On-Demand capacity in the order of `instanceTypes` ("Managed node
 *    groups use the order of instance types passed in the API to determine which instance type to
 *    use first when fulfilling On-Demand capacity", docs.aws.amazon.com/eks/latest/userguide/
 *    managed-node-groups.html, as quoted in cloudposse/terraform-aws-eks-node-group#135), so the
 *    first listed type is priced; for SPOT the cheapest listed type (Spot uses
 *    price-capacity-optimized). Defaults `instanceTypes ["t3.medium"]`, `diskSize` 20 GiB:
 *    @pulumi/aws 7.48.0 eks/nodeGroup.d.ts.
 *  - Karpenter prioritises spot over on-demand when a NodePool allows both (website/content/en/
 *    docs/concepts/nodepools.md) and launches on-demand as lowest-price (docs/faq.md), both at
 *    aws/karpenter-provider-aws@1d927085dd81a9df9301e613f371dac5b4d16bfe: the baseline node is
 *    the cheapest allowed type of the assumed size.
 *  - awsx 3.9.0 Vpc (ec2/vpc.d.ts): `numberOfAvailabilityZones` defaults to 3; `natGateways`
 *    defaults to one per AZ when public and private subnets both exist, else none; strategies
 *    None | Single | OnePerAz (types/enums/ec2). Each NAT gateway holds one public IPv4 (EIP).
 *  - kube-prometheus-stack 88.5.3 values.yaml (prometheus-community/helm-charts tag
 *    kube-prometheus-stack-88.5.3, ea930baeebeba39f56d6b44e351f23b2a072a600): `alertmanagerSpec.replicas: 1`,
 *    `prometheusSpec.replicas: 1` — one volume per replica from its volumeClaimTemplate.
 *  - CloudWatch Logs storage at steady state holds `retentionInDays` worth of ingestion; a group
 *    without retention never expires (it grows: priced at `neverExpireLogMonths`).
 *
 * Node built-ins only (the policy pack imports this file and has only its own node_modules).
 */
import * as path from "node:path";
import { isCostEnvironment, resolveAssumptions, type CostAssumptions, type CostEnvironment } from "./assumptions";
import { loadPrices, type PriceFile, type PriceKey } from "./prices";
import { savingsNotes } from "./savings";
import type { CostEstimate, CostLine, CostResource, TypeCount } from "./types";

export interface EstimateOptions {
    /** Default: inferred from ARNs in the inputs (the mocks and AWS put the region there). */
    region?: string;
    /** Default: the stack name when it is dev/staging/prod, else the resources' Environment tag, else prod. */
    environment?: CostEnvironment;
    stack?: string;
    assumptions?: Partial<CostAssumptions>;
    /** Default: `loadPrices(region)`. */
    prices?: PriceFile;
}

// ---------------------------------------------------------------------------------------------
// small readers (inputs may come from JSON records or from a CrossGuard proxy copy)

type Obj = Record<string, any>;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    return undefined;
}
const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((x, k) => obj(x)?.[k], o);

/** A Kubernetes quantity (or GiB number) → GiB. EBS provisions and bills by the GiB ("GB-month"). */
export function quantityGib(q: unknown): number | undefined {
    if (typeof q === "number") return q;
    const m = typeof q === "string" ? /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(q.trim()) : null;
    if (!m) return undefined;
    const n = Number(m[1]);
    const f: Record<string, number> = {
        Ki: 2 ** -20,
        Mi: 2 ** -10,
        Gi: 1,
        Ti: 1024,
        Pi: 1024 ** 2,
        k: 1e3 / 2 ** 30,
        M: 1e6 / 2 ** 30,
        G: 1e9 / 2 ** 30,
        T: 1e12 / 2 ** 30,
        P: 1e15 / 2 ** 30,
    };
    return m[2] ? n * f[m[2]] : n / 2 ** 30; // a bare number is bytes
}

export const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** A unit price with as many decimals as it needs (0.0832, 0.045, 0.4). */
export const unitUsd = (x: number) => `$${Number(x.toPrecision(6)).toString()}`;
const n2 = (x: number) => Number(x.toPrecision(10)).toString();
/** `1 node`, `3 nodes`. */
const pl = (n: number, one: string, many = `${one}s`) => `${n2(n)} ${n === 1 ? one : many}`;
export const round2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;

const PROVIDER_PACKAGES = new Set(["aws", "awsx", "kubernetes", "docker", "random", "tls", "command", "pulumi", "eks", "docker-build"]);
const STACK = "pulumi:pulumi:Stack";

/** A ComponentResource of this program (not a provider resource, not a remote component). */
export function isComponent(r: CostResource): boolean {
    if (r.type === STACK) return false;
    if (r.custom !== undefined) return !r.custom && !r.remote;
    return !PROVIDER_PACKAGES.has(r.type.split(":")[0]);
}

export const stackOfUrn = (urn: string) => /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];

// ---------------------------------------------------------------------------------------------

/** Types that cost nothing by themselves, with why (first match wins). */
const ZERO_COST: [RegExp, string][] = [
    [/^aws:iam\//, "IAM: no charge"],
    [
        /^aws:eks\/(accessEntry|accessPolicyAssociation|podIdentityAssociation|addon|identityProviderConfig):/,
        "EKS configuration: covered by the cluster fee; add-on pods run on the priced nodes",
    ],
    [/^aws:ec2\/launchTemplate:/, "a template: the volumes it defines are priced on the node group that uses it"],
    [
        /^aws:ec2\/(tag|securityGroup|securityGroupRule|vpcSecurityGroupIngressRule|vpcSecurityGroupEgressRule|vpc|subnet|routeTable|route|routeTableAssociation|internetGateway|networkAcl|networkAclRule|mainRouteTableAssociation):/,
        "VPC configuration: no hourly charge",
    ],
    [/^aws:kms\/alias:/, "an alias: no charge (the key is priced)"],
    [/^aws:ecr\/(lifecyclePolicy|repositoryPolicy):/, "repository configuration: priced through the repository's storage"],
    [/^aws:secretsmanager\/(secretVersion|secretPolicy|secretRotation):/, "priced per secret (on the secret)"],
    [
        /^aws:s3\/(bucketPublicAccessBlock|bucketPolicy|bucketVersioning|bucketVersioningV2|bucketServerSideEncryptionConfiguration|bucketServerSideEncryptionConfigurationV2|bucketLifecycleConfiguration|bucketLifecycleConfigurationV2|bucketOwnershipControls|bucketAclV2|bucketLoggingV2|bucketNotification):/,
        "bucket configuration: priced through the bucket's storage",
    ],
    [/^aws:(sqs|sns)\//, "≈ $0: assumption — a few messages per node event (Karpenter interruption handling); request charges round to $0.00"],
    [/^aws:cloudwatch\/(eventRule|eventTarget|eventBus):/, "≈ $0: assumption — AWS service events for Karpenter, a few per node event; round to $0.00"],
    [/^aws:cloudwatch\/logResourcePolicy:/, "a policy: no charge"],
    [/^kubernetes:/, "a Kubernetes object: runs on the priced nodes"],
    [/^docker:/, "built on the deploying machine; the image's storage is priced on its ECR repository"],
    [/^(random|tls|command):/, "no cloud resource"],
    [/^pulumi:providers:/, "a provider: no cloud resource"],
];

/** Types with a pricer (a resource of one of these that yields no line is reported as zero-cost with this reason). */
const PRICED: Record<string, string> = {
    "aws:eks/cluster:Cluster": "",
    "aws:eks/nodeGroup:NodeGroup": "",
    "awsx:ec2:Vpc": "no NAT gateway",
    "aws:ec2/natGateway:NatGateway": "",
    "aws:ec2/eip:Eip": "",
    "aws:ec2/flowLog:FlowLog": "",
    "aws:cloudwatch/logGroup:LogGroup": "",
    "aws:kms/key:Key": "",
    "aws:secretsmanager/secret:Secret": "",
    "aws:s3/bucket:Bucket": "",
    "aws:s3/bucketV2:BucketV2": "",
    "aws:ecr/repository:Repository": "",
    "aws:ebs/volume:Volume": "",
    "aws:ebs/snapshot:Snapshot": "",
    "aws:ec2/instance:Instance": "",
    "aws:lb/loadBalancer:LoadBalancer": "",
    "aws:alb/loadBalancer:LoadBalancer": "",
};

interface Ctx {
    a: CostAssumptions;
    prices: PriceFile;
    env: CostEnvironment;
    resources: CostResource[];
    byUrn: Map<string, CostResource>;
    lines: CostLine[];
    notes: string[];
    notPriced: Map<string, TypeCount>;
    /** log group name → ingestion a source feeds it (GB/month), registered by clusters and flow logs. */
    logIngest: Map<string, { gb: number; from: string }[]>;
    azCount: number;
}

function componentOf(ctx: Ctx, r: CostResource): string {
    let p = r.parent ? ctx.byUrn.get(r.parent) : undefined;
    while (p) {
        if (isComponent(p)) return `${p.type.split(":").pop()} ${p.name}`;
        p = p.parent ? ctx.byUrn.get(p.parent) : undefined;
    }
    return "(stack)";
}

function price(ctx: Ctx, key: PriceKey): number {
    return ctx.prices.prices[key].usd;
}

/** Adds `quantity × unitPrice`; `explain` says how the quantity came about (its factors). */
function add(
    ctx: Ctx,
    r: CostResource | undefined,
    item: string,
    quantity: number,
    unit: string,
    priceKey: string,
    unitPrice: number,
    explain: string,
    assumptions: (keyof CostAssumptions)[] = [],
    note?: string,
    detail?: CostLine["detail"],
): void {
    const monthly = quantity * unitPrice;
    ctx.lines.push({
        urn: r?.urn ?? "",
        type: r?.type ?? "(stack)",
        name: r?.name ?? item,
        component: r ? componentOf(ctx, r) : "(stack)",
        item,
        quantity,
        unit,
        priceKey,
        unitPriceUsd: unitPrice,
        monthlyUsd: monthly,
        formula: `${explain} = ${n2(quantity)} ${unit} × ${unitUsd(unitPrice)} = ${usd(monthly)}`,
        assumptions,
        ...(note ? { note } : {}),
        ...(detail ? { detail } : {}),
    });
}

function notPriced(ctx: Ctx, type: string, reason: string, count = 1): void {
    const e = ctx.notPriced.get(`${type}\u0000${reason}`) ?? { type, count: 0, reason };
    e.count += count;
    ctx.notPriced.set(`${type}\u0000${reason}`, e);
}

function ec2Hour(ctx: Ctx, instanceType: string): number | undefined {
    return ctx.prices.ec2.onDemandHour[instanceType];
}

function ebsKey(ctx: Ctx, volumeType: string): PriceKey | undefined {
    const k = `ebs.${volumeType}.gbMonth`;
    return k in ctx.prices.prices ? (k as PriceKey) : undefined;
}

/** One EBS line (`count` volumes of `gib` GiB); volume types without a price go to notPriced. */
function addVolumes(
    ctx: Ctx,
    r: CostResource,
    what: string,
    count: number,
    gib: number,
    volumeType: string,
    explain: string,
    assumptions: (keyof CostAssumptions)[] = [],
    note?: string,
) {
    const key = ebsKey(ctx, volumeType);
    if (!key)
        return notPriced(
            ctx,
            `EBS ${volumeType} volume`,
            `no ebs.${volumeType}.gbMonth in plan/pricing/${ctx.prices.region}.json (${what} of ${r.name})`,
            count,
        );
    add(ctx, r, `EBS ${volumeType}: ${what}`, count * gib, "GB-months", key, price(ctx, key), explain, assumptions, note, { count, sizeGib: gib, volumeType });
}

// ---------------------------------------------------------------------------------------------
// storage classes (for PVCs)

function storageClassType(ctx: Ctx, className: string | undefined): { type: string; note?: string } {
    const classes = ctx.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass");
    const byName = (n: string) => classes.find((c) => get(c.inputs, "metadata", "name") === n);
    const sc = className
        ? byName(className)
        : classes.find((c) => get(c.inputs, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class") === "true");
    if (!sc) return { type: "gp3", note: `StorageClass ${className ?? "(default)"} not in the plan: priced as gp3` };
    const t = str(get(sc.inputs, "parameters", "type"));
    return t ? { type: t } : { type: "gp3", note: `StorageClass ${String(get(sc.inputs, "metadata", "name"))} sets no volume type: priced as gp3` };
}

// ---------------------------------------------------------------------------------------------
// pricers

function priceCluster(ctx: Ctx, r: CostResource) {
    const h = ctx.a.hoursPerMonth;
    const support = str(get(r.inputs, "upgradePolicy", "supportType"));
    const note =
        support === "STANDARD"
            ? undefined
            : `upgradePolicy.supportType is ${support ?? "unset (AWS defaults to EXTENDED)"}: once the Kubernetes version leaves standard support the cluster costs ${unitUsd(price(ctx, "eks.cluster.extended"))}/h; priced at standard support`;
    add(
        ctx,
        r,
        "EKS control plane (standard support)",
        h,
        "cluster-hours",
        "eks.cluster.standard",
        price(ctx, "eks.cluster.standard"),
        `1 cluster × ${h} h`,
        ["hoursPerMonth"],
        note,
    );
    const types = arr(r.inputs.enabledClusterLogTypes).filter((t) => typeof t === "string");
    if (types.length) {
        const gb = types.length * ctx.a.controlPlaneLogGbPerTypeMonth;
        const group = `/aws/eks/${str(r.inputs.name) ?? r.name}/cluster`;
        add(
            ctx,
            r,
            `CloudWatch Logs ingestion: control-plane logs (${types.join(", ")})`,
            gb,
            "GB",
            "logs.ingest.gb",
            price(ctx, "logs.ingest.gb"),
            `${pl(types.length, "log type")} × ${n2(ctx.a.controlPlaneLogGbPerTypeMonth)} GB`,
            ["controlPlaneLogGbPerTypeMonth"],
        );
        ctx.logIngest.set(group, [...(ctx.logIngest.get(group) ?? []), { gb, from: `control-plane logs of ${r.name}` }]);
    }
}

function priceNodeGroup(ctx: Ctx, r: CostResource) {
    const h = ctx.a.hoursPerMonth;
    const types = arr(r.inputs.instanceTypes).filter((t): t is string => typeof t === "string");
    const listed = types.length ? types : ["t3.medium"];
    const desired = num(get(r.inputs, "scalingConfig", "desiredSize")) ?? num(get(r.inputs, "scalingConfig", "minSize")) ?? 1;
    const spot = str(r.inputs.capacityType) === "SPOT";
    const priced = listed.filter((t) => ec2Hour(ctx, t) !== undefined);
    if (priced.length === 0) {
        notPriced(ctx, `EC2 instance type ${listed.join("/")}`, `no price in plan/pricing/${ctx.prices.region}.json (node group ${r.name})`, desired);
    } else {
        const chosen = spot ? priced.reduce((x, y) => (ec2Hour(ctx, y)! < ec2Hour(ctx, x)! ? y : x)) : priced[0];
        const od = ec2Hour(ctx, chosen)!;
        const unit = spot ? od * (1 - ctx.a.spotDiscount) : od;
        const why =
            listed.length > 1
                ? spot
                    ? `cheapest of ${listed.join(", ")} (Spot allocation is price-capacity-optimized)`
                    : `first of ${listed.join(", ")}: managed node groups fill On-Demand capacity in list order`
                : types.length
                  ? undefined
                  : "instanceTypes unset: t3.medium is the default";
        add(
            ctx,
            r,
            `EC2 instances (${chosen}, ${spot ? "spot" : "on-demand"})`,
            desired * h,
            "instance-hours",
            `ec2:${chosen}${spot ? "×spot" : ""}`,
            unit,
            `${pl(desired, "node")} (scalingConfig.desiredSize) × ${h} h${spot ? ` at ${unitUsd(od)}/h × (1 − spotDiscount ${ctx.a.spotDiscount})` : ""}`,
            spot ? ["hoursPerMonth", "spotDiscount"] : ["hoursPerMonth"],
            why,
        );
    }
    // Root volumes: the launch template the group depends on (by URN: ids are unknown at preview), else diskSize.
    const lt =
        r.dependencies.map((u) => ctx.byUrn.get(u)).find((d) => d?.type === "aws:ec2/launchTemplate:LaunchTemplate") ??
        ctx.resources.find(
            (x) =>
                x.type === "aws:ec2/launchTemplate:LaunchTemplate" &&
                str(x.inputs.name) !== undefined &&
                x.inputs.name === get(r.inputs, "launchTemplate", "name"),
        );
    const mappings = lt
        ? arr(lt.inputs.blockDeviceMappings)
              .map((m) => obj(obj(m)?.ebs))
              .filter((e): e is Obj => !!e)
        : [];
    if (lt && mappings.length) {
        for (const e of mappings) {
            const gib = num(e.volumeSize) ?? 8;
            const vt = str(e.volumeType) ?? "gp3";
            addVolumes(
                ctx,
                r,
                `node root volumes (launch template ${lt.name})`,
                desired,
                gib,
                vt,
                `${pl(desired, "node")} × ${n2(gib)} GiB`,
                [],
                e.volumeSize === undefined ? "volumeSize unset: 8 GiB assumed" : undefined,
            );
        }
    } else {
        const gib = num(r.inputs.diskSize) ?? 20;
        addVolumes(
            ctx,
            r,
            "node root volumes (diskSize)",
            desired,
            gib,
            "gp3",
            `${pl(desired, "node")} × ${n2(gib)} GiB`,
            [],
            r.inputs.diskSize === undefined ? "diskSize unset: 20 GiB is the default; volume type priced as gp3" : "volume type priced as gp3",
        );
    }
}

function priceNodePool(ctx: Ctx, r: CostResource) {
    const h = ctx.a.hoursPerMonth;
    const reqs = arr(get(r.inputs, "spec", "template", "spec", "requirements"))
        .map(obj)
        .filter((x): x is Obj => !!x);
    const values = (key: string) =>
        reqs.filter((q) => q.key === key && q.operator === "In").flatMap((q) => arr(q.values).filter((v): v is string => typeof v === "string"));
    const capacity = values("karpenter.sh/capacity-type");
    const useSpot = capacity.includes("spot");
    const explicitTypes = values("node.kubernetes.io/instance-type");
    const families = values("karpenter.k8s.aws/instance-family");
    const size = ctx.a.karpenterBaselineInstanceSize;
    const candidates = (explicitTypes.length ? explicitTypes : families.map((f) => `${f}.${size}`)).filter((t) => ec2Hour(ctx, t) !== undefined);
    const n = ctx.a.karpenterBaselineNodes;
    if (candidates.length === 0) {
        if (n > 0) notPriced(ctx, `Karpenter nodes (${r.name})`, `no priced ${size} type among the pool's families ${families.join(", ") || "(any)"}`, n);
        return;
    }
    const chosen = candidates.reduce((x, y) => (ec2Hour(ctx, y)! < ec2Hour(ctx, x)! ? y : x));
    const od = ec2Hour(ctx, chosen)!;
    const unit = useSpot ? od * (1 - ctx.a.spotDiscount) : od;
    add(
        ctx,
        r,
        `Karpenter baseline nodes (${chosen}, ${useSpot ? "spot" : "on-demand"})`,
        n * h,
        "instance-hours",
        `ec2:${chosen}${useSpot ? "×spot" : ""}`,
        unit,
        `${pl(n, "node")} (karpenterBaselineNodes) × ${h} h${useSpot ? ` at ${unitUsd(od)}/h × (1 − spotDiscount ${ctx.a.spotDiscount})` : ""}`,
        useSpot
            ? ["karpenterBaselineNodes", "karpenterBaselineInstanceSize", "hoursPerMonth", "spotDiscount"]
            : ["karpenterBaselineNodes", "karpenterBaselineInstanceSize", "hoursPerMonth"],
        `cheapest ${size} of the allowed ${explicitTypes.length ? "types" : "families"} (${useSpot ? "Karpenter prefers spot when the pool allows it" : "on-demand launches lowest-price"})`,
    );
    const ncName = str(get(r.inputs, "spec", "template", "spec", "nodeClassRef", "name"));
    const nc = ctx.resources.find((x) => x.type === "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass" && get(x.inputs, "metadata", "name") === ncName);
    for (const m of arr(get(nc?.inputs, "spec", "blockDeviceMappings"))) {
        const e = obj(obj(m)?.ebs);
        const gib = quantityGib(e?.volumeSize);
        if (!e || gib === undefined) continue;
        addVolumes(
            ctx,
            r,
            `Karpenter node root volumes (EC2NodeClass ${ncName})`,
            n,
            gib,
            str(e.volumeType) ?? "gp3",
            `${pl(n, "node")} (karpenterBaselineNodes) × ${n2(gib)} GiB`,
            ["karpenterBaselineNodes"],
        );
    }
}

function priceVpc(ctx: Ctx, r: CostResource) {
    const h = ctx.a.hoursPerMonth;
    const azNames = arr(r.inputs.availabilityZoneNames);
    const az = azNames.length || num(r.inputs.numberOfAvailabilityZones) || 3;
    const specs = arr(r.inputs.subnetSpecs).map((s) => str(obj(s)?.type));
    const both = specs.length === 0 || (specs.includes("Public") && specs.includes("Private"));
    const strategy = str(get(r.inputs, "natGateways", "strategy")) ?? (both ? "OnePerAz" : "None");
    const count = strategy === "Single" ? 1 : strategy === "OnePerAz" ? az : 0;
    if (count === 0) return;
    const how = strategy === "Single" ? "1 NAT gateway (natGateways.strategy Single)" : `${az} AZs × 1 NAT gateway (natGateways.strategy ${strategy})`;
    add(ctx, r, "NAT gateways", count * h, "gateway-hours", "natgw.hour", price(ctx, "natgw.hour"), `${how} × ${h} h`, ["hoursPerMonth"]);
    add(
        ctx,
        r,
        "NAT gateways' public IPv4 addresses (EIPs)",
        count * h,
        "address-hours",
        "ipv4.hour",
        price(ctx, "ipv4.hour"),
        `${pl(count, "EIP")} × ${h} h`,
        ["hoursPerMonth"],
    );
    add(
        ctx,
        r,
        "NAT gateway data processing",
        ctx.a.natProcessedGbPerMonth,
        "GB",
        "natgw.gb",
        price(ctx, "natgw.gb"),
        `natProcessedGbPerMonth ${n2(ctx.a.natProcessedGbPerMonth)} GB`,
        ["natProcessedGbPerMonth"],
    );
}

function priceFlowLog(ctx: Ctx, r: CostResource) {
    const dest = str(r.inputs.logDestinationType) ?? "cloud-watch-logs";
    const gb = ctx.a.flowLogGbPerMonth;
    add(
        ctx,
        r,
        `flow-log ingestion (${dest})`,
        gb,
        "GB",
        "logs.ingest.gb",
        price(ctx, "logs.ingest.gb"),
        `flowLogGbPerMonth ${n2(gb)} GB`,
        ["flowLogGbPerMonth"],
        dest === "cloud-watch-logs"
            ? undefined
            : "destination is not CloudWatch Logs: ingestion priced at the CloudWatch Logs rate (upper bound), storage not priced",
    );
    if (dest !== "cloud-watch-logs") return;
    const fromArn = /:log-group:([^:*]+)/.exec(str(r.inputs.logDestination) ?? "")?.[1];
    const dep = r.dependencies.map((u) => ctx.byUrn.get(u)).find((d) => d?.type === "aws:cloudwatch/logGroup:LogGroup");
    const group = str(r.inputs.logGroupName) ?? fromArn ?? (dep ? (str(dep.inputs.name) ?? dep.name) : undefined);
    if (group) ctx.logIngest.set(group, [...(ctx.logIngest.get(group) ?? []), { gb, from: `flow log ${r.name}` }]);
}

function logStorage(ctx: Ctx, r: CostResource, group: string, ingestGb: number, retentionDays: number | undefined, fromLabel: string) {
    const daysPerMonth = ctx.a.hoursPerMonth / 24;
    if (retentionDays && retentionDays > 0) {
        const stored = (ingestGb * retentionDays) / daysPerMonth;
        add(
            ctx,
            r,
            `CloudWatch Logs storage (${group}, ${retentionDays} d retention)`,
            stored,
            "GB-months",
            "logs.storage.gbMonth",
            price(ctx, "logs.storage.gbMonth"),
            `${n2(ingestGb)} GB/month (${fromLabel}) × ${retentionDays} d ÷ ${n2(daysPerMonth)} d/month`,
            ["hoursPerMonth"],
        );
    } else {
        const months = ctx.a.neverExpireLogMonths;
        add(
            ctx,
            r,
            `CloudWatch Logs storage (${group}, never expires)`,
            ingestGb * months,
            "GB-months",
            "logs.storage.gbMonth",
            price(ctx, "logs.storage.gbMonth"),
            `${n2(ingestGb)} GB/month (${fromLabel}) × ${months} months accumulated (neverExpireLogMonths)`,
            ["neverExpireLogMonths"],
            "no retention: the stored volume grows every month",
        );
    }
}

function priceLogGroup(ctx: Ctx, r: CostResource) {
    const group = str(r.inputs.name) ?? r.name;
    const retention = num(r.inputs.retentionInDays);
    const sources = ctx.logIngest.get(group);
    ctx.logIngest.delete(group);
    if (sources?.length) {
        logStorage(
            ctx,
            r,
            group,
            sources.reduce((s, x) => s + x.gb, 0),
            retention,
            sources.map((s) => s.from).join(" + "),
        );
        return;
    }
    const gb = ctx.a.otherLogGroupGbPerMonth;
    add(
        ctx,
        r,
        `CloudWatch Logs ingestion (${group}, source not visible)`,
        gb,
        "GB",
        "logs.ingest.gb",
        price(ctx, "logs.ingest.gb"),
        `otherLogGroupGbPerMonth ${n2(gb)} GB`,
        ["otherLogGroupGbPerMonth"],
    );
    logStorage(ctx, r, group, gb, retention, "otherLogGroupGbPerMonth");
}

function priceKmsKey(ctx: Ctx, r: CostResource) {
    add(
        ctx,
        r,
        "KMS customer-managed key",
        1,
        "key-months",
        "kms.keyMonth",
        price(ctx, "kms.keyMonth"),
        "1 key",
        [],
        r.inputs.enableKeyRotation === true ? "automatic rotation: each rotated backing key adds to this from the first rotation (after a year)" : undefined,
    );
    const req = ctx.a.kmsRequestsPerKeyMonth;
    add(
        ctx,
        r,
        "KMS requests",
        req / 10_000,
        "× 10k requests",
        "kms.requests10k",
        price(ctx, "kms.requests10k"),
        `kmsRequestsPerKeyMonth ${n2(req)} ÷ 10,000`,
        ["kmsRequestsPerKeyMonth"],
    );
}

function priceSecret(ctx: Ctx, r: CostResource) {
    add(ctx, r, "Secrets Manager secret", 1, "secret-months", "secretsmanager.secretMonth", price(ctx, "secretsmanager.secretMonth"), "1 secret");
    const calls = ctx.a.secretsManagerCallsPerSecretMonth;
    add(
        ctx,
        r,
        "Secrets Manager API calls",
        calls / 10_000,
        "× 10k calls",
        "secretsmanager.calls10k",
        price(ctx, "secretsmanager.calls10k"),
        `secretsManagerCallsPerSecretMonth ${n2(calls)} ÷ 10,000`,
        ["secretsManagerCallsPerSecretMonth"],
    );
}

function priceBucket(ctx: Ctx, r: CostResource) {
    const bucket = str(r.inputs.bucket);
    const byName = ctx.a.s3GbByBucket;
    const gb = byName[r.name] ?? (bucket !== undefined ? byName[bucket] : undefined) ?? ctx.a.s3GbPerBucket;
    const which = byName[r.name] !== undefined || (bucket !== undefined && byName[bucket] !== undefined) ? `s3GbByBucket[${r.name}]` : "s3GbPerBucket";
    add(ctx, r, "S3 Standard storage", gb, "GB-months", "s3.standard.gbMonth", price(ctx, "s3.standard.gbMonth"), `${which} ${n2(gb)} GB`, [
        which.startsWith("s3GbByBucket") ? "s3GbByBucket" : "s3GbPerBucket",
    ]);
}

/** Images a lifecycle policy keeps: its `imageCountMoreThan` rules (the one for tagStatus any, else their sum). */
export function imagesKept(policyDoc: unknown): number | undefined {
    let doc: unknown = policyDoc;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    const rules = arr(obj(doc)?.rules)
        .map(obj)
        .filter((x): x is Obj => !!x);
    const counting = rules.filter((x) => get(x, "selection", "countType") === "imageCountMoreThan" && num(get(x, "selection", "countNumber")) !== undefined);
    if (!counting.length) return undefined;
    const any = counting.find((x) => get(x, "selection", "tagStatus") === "any");
    return any ? num(get(any, "selection", "countNumber")) : counting.reduce((s, x) => s + num(get(x, "selection", "countNumber"))!, 0);
}

function priceRepository(ctx: Ctx, r: CostResource) {
    const name = str(r.inputs.name) ?? r.name;
    const lps = ctx.resources.filter(
        (x) => x.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy" && (x.inputs.repository === name || x.dependencies.includes(r.urn)),
    );
    const kept = lps.map((lp) => imagesKept(lp.inputs.policy)).find((k) => k !== undefined);
    const images = kept ?? ctx.a.ecrImagesWithoutLifecycle;
    const size = ctx.a.ecrImageSizeGb;
    add(
        ctx,
        r,
        "ECR image storage",
        images * size,
        "GB-months",
        "ecr.storage.gbMonth",
        price(ctx, "ecr.storage.gbMonth"),
        `${images} images (${kept !== undefined ? "kept by the lifecycle policy" : "ecrImagesWithoutLifecycle: no lifecycle policy"}) × ${n2(size)} GB (ecrImageSizeGb)`,
        kept !== undefined ? ["ecrImageSizeGb"] : ["ecrImageSizeGb", "ecrImagesWithoutLifecycle"],
    );
}

function priceStatefulSet(ctx: Ctx, r: CostResource) {
    const replicas = num(get(r.inputs, "spec", "replicas")) ?? 1;
    for (const t of arr(get(r.inputs, "spec", "volumeClaimTemplates"))) {
        const gib = quantityGib(get(t, "spec", "resources", "requests", "storage"));
        if (gib === undefined) continue;
        const sc = storageClassType(ctx, str(get(t, "spec", "storageClassName")));
        addVolumes(
            ctx,
            r,
            `PVC ${String(get(t, "metadata", "name") ?? "?")} (volumeClaimTemplates)`,
            replicas,
            gib,
            sc.type,
            `${pl(replicas, "replica")} × ${n2(gib)} GiB`,
            [],
            sc.note,
        );
    }
}

/** A CloudNativePG Cluster: one PVC of spec.storage.size per instance (api/v1/cluster_types.go StorageConfiguration, v1.30.0). */
function priceCnpgCluster(ctx: Ctx, r: CostResource) {
    const instances = num(get(r.inputs, "spec", "instances")) ?? 1;
    const gib = quantityGib(get(r.inputs, "spec", "storage", "size"));
    if (gib === undefined) return;
    const sc = storageClassType(ctx, str(get(r.inputs, "spec", "storage", "storageClass")));
    addVolumes(ctx, r, "PVC per instance (spec.storage)", instances, gib, sc.type, `${pl(instances, "instance")} × ${n2(gib)} GiB`, [], sc.note);
}

function pricePvc(ctx: Ctx, r: CostResource) {
    const gib = quantityGib(get(r.inputs, "spec", "resources", "requests", "storage"));
    if (gib === undefined) return;
    const sc = storageClassType(ctx, str(get(r.inputs, "spec", "storageClassName")));
    addVolumes(ctx, r, "PersistentVolumeClaim", 1, gib, sc.type, `1 claim × ${n2(gib)} GiB`, [], sc.note);
}

/**
 * Volumes a Helm release's values ask for: every `volumeClaimTemplate` with a storage request
 * (kube-prometheus-stack's prometheusSpec.storageSpec / alertmanagerSpec.storage), times the
 * owning spec's `replicas` (chart default 1), every `persistence: {enabled: true, size}`, and
 * every `persistentVolume: {enabled: true, size}` (the Pushgateway chart's).
 */
export function helmVolumes(values: unknown): { path: string; gib: number; replicas: number; storageClass?: string }[] {
    const out: { path: string; gib: number; replicas: number; storageClass?: string }[] = [];
    const walk = (node: unknown, p: string[], chain: Obj[]) => {
        const o = obj(node);
        if (!o) return;
        const vct = obj(o.volumeClaimTemplate);
        const gib = quantityGib(get(vct, "spec", "resources", "requests", "storage"));
        if (vct && gib !== undefined) {
            const owner = chain[chain.length - 1] ?? o; // the spec holding storageSpec/storage
            out.push({
                path: [...p, "volumeClaimTemplate"].join("."),
                gib,
                replicas: (num(owner.replicas) ?? 1) * (num(owner.shards) ?? 1),
                storageClass: str(get(vct, "spec", "storageClassName")),
            });
        }
        const pers = obj(o.persistence);
        const pg = quantityGib(pers?.size);
        if (pers && pers.enabled === true && pg !== undefined)
            out.push({
                path: [...p, "persistence"].join("."),
                gib: pg,
                replicas: num(o.replicas) ?? num(o.replicaCount) ?? 1,
                storageClass: str(pers.storageClassName),
            });
        // prometheus-pushgateway's claim (tag prometheus-pushgateway-3.8.0, values.yaml persistentVolume.{enabled,size,storageClass};
        // templates/statefulset.yaml: one claim per replica, replicaCount).
        const pv = obj(o.persistentVolume);
        const pvg = quantityGib(pv?.size);
        if (pv && pv.enabled === true && pvg !== undefined)
            out.push({
                path: [...p, "persistentVolume"].join("."),
                gib: pvg,
                replicas: num(o.replicaCount) ?? 1,
                storageClass: str(pv.storageClass),
            });
        for (const [k, v] of Object.entries(o))
            if (k !== "volumeClaimTemplate" && k !== "persistence" && k !== "persistentVolume") walk(v, [...p, k], [...chain, o]);
    };
    walk(values, [], []);
    return out;
}

function priceHelmRelease(ctx: Ctx, r: CostResource) {
    for (const v of helmVolumes(r.inputs.values)) {
        const sc = storageClassType(ctx, v.storageClass);
        addVolumes(ctx, r, `PVC values.${v.path}`, v.replicas, v.gib, sc.type, `${pl(v.replicas, "replica")} × ${n2(v.gib)} GiB`, [], sc.note);
    }
}

function albIngresses(ctx: Ctx): Map<string, CostResource[]> {
    const groups = new Map<string, CostResource[]>();
    for (const r of ctx.resources) {
        if (r.type !== "kubernetes:networking.k8s.io/v1:Ingress") continue;
        const ann = obj(get(r.inputs, "metadata", "annotations")) ?? {};
        const cls = str(get(r.inputs, "spec", "ingressClassName")) ?? str(ann["kubernetes.io/ingress.class"]);
        if (cls !== "alb") continue;
        const key =
            str(ann["alb.ingress.kubernetes.io/group.name"]) ??
            `${String(get(r.inputs, "metadata", "namespace") ?? "default")}/${String(get(r.inputs, "metadata", "name") ?? r.name)}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return groups;
}

function priceAlb(ctx: Ctx, r: CostResource, label: string, internetFacing: boolean, extraNote?: string) {
    const h = ctx.a.hoursPerMonth;
    add(ctx, r, `ALB ${label}`, h, "ALB-hours", "alb.hour", price(ctx, "alb.hour"), `1 ALB × ${h} h`, ["hoursPerMonth"], extraNote);
    add(
        ctx,
        r,
        `ALB ${label}: capacity units`,
        ctx.a.albLcuAverage * h,
        "LCU-hours",
        "alb.lcuHour",
        price(ctx, "alb.lcuHour"),
        `albLcuAverage ${n2(ctx.a.albLcuAverage)} LCU × ${h} h`,
        ["albLcuAverage", "hoursPerMonth"],
    );
    if (internetFacing)
        add(
            ctx,
            r,
            `ALB ${label}: public IPv4 addresses`,
            ctx.azCount * h,
            "address-hours",
            "ipv4.hour",
            price(ctx, "ipv4.hour"),
            `${ctx.azCount} AZs (one address per AZ at least) × ${h} h`,
            ["hoursPerMonth"],
        );
}

function priceLoadBalancer(ctx: Ctx, r: CostResource) {
    const t = str(r.inputs.loadBalancerType) ?? "application";
    if (t !== "application") return notPriced(ctx, r.type, `loadBalancerType ${t}: no price for it in plan/pricing/${ctx.prices.region}.json`);
    priceAlb(ctx, r, r.name, r.inputs.internal !== true);
}

function priceInstance(ctx: Ctx, r: CostResource) {
    const t = str(r.inputs.instanceType);
    const p = t ? ec2Hour(ctx, t) : undefined;
    if (!t || p === undefined) return notPriced(ctx, `EC2 instance type ${t ?? "?"}`, `no price in plan/pricing/${ctx.prices.region}.json (${r.name})`);
    add(ctx, r, `EC2 instance (${t}, on-demand)`, ctx.a.hoursPerMonth, "instance-hours", `ec2:${t}`, p, `1 instance × ${ctx.a.hoursPerMonth} h`, [
        "hoursPerMonth",
    ]);
    const root = obj(r.inputs.rootBlockDevice);
    addVolumes(ctx, r, "root volume", 1, num(root?.volumeSize) ?? 8, str(root?.volumeType) ?? "gp3", `1 volume × ${n2(num(root?.volumeSize) ?? 8)} GiB`);
}

// ---------------------------------------------------------------------------------------------

function inferRegion(resources: CostResource[]): string | undefined {
    const counts = new Map<string, number>();
    const walk = (v: unknown) => {
        if (typeof v === "string") {
            const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(v);
            if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
        } else if (Array.isArray(v)) v.forEach(walk);
        else if (obj(v)) Object.values(v as Obj).forEach(walk);
    };
    for (const r of resources) {
        if (r.type === "pulumi:providers:aws" && str(r.inputs.region)) return str(r.inputs.region);
        walk(r.inputs);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function inferEnvironment(resources: CostResource[], stack?: string): CostEnvironment {
    if (isCostEnvironment(stack)) return stack;
    const tags = new Map<string, number>();
    for (const r of resources) {
        const e = get(r.inputs, "tags", "Environment");
        if (typeof e === "string") tags.set(e, (tags.get(e) ?? 0) + 1);
    }
    const top = [...tags.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    return isCostEnvironment(top) ? top : "prod";
}

export class CostEstimateError extends Error {
    override name = "CostEstimateError";
}

const HANDLERS: Record<string, (ctx: Ctx, r: CostResource) => void> = {
    "aws:eks/cluster:Cluster": priceCluster,
    "aws:eks/nodeGroup:NodeGroup": priceNodeGroup,
    "kubernetes:karpenter.sh/v1:NodePool": priceNodePool,
    "awsx:ec2:Vpc": priceVpc,
    "aws:ec2/flowLog:FlowLog": priceFlowLog,
    "aws:kms/key:Key": priceKmsKey,
    "aws:secretsmanager/secret:Secret": priceSecret,
    "aws:s3/bucket:Bucket": priceBucket,
    "aws:s3/bucketV2:BucketV2": priceBucket,
    "aws:ecr/repository:Repository": priceRepository,
    "kubernetes:apps/v1:StatefulSet": priceStatefulSet,
    "kubernetes:core/v1:PersistentVolumeClaim": pricePvc,
    "kubernetes:postgresql.cnpg.io/v1:Cluster": priceCnpgCluster,
    "kubernetes:helm.sh/v3:Release": priceHelmRelease,
    "kubernetes:helm.sh/v4:Chart": priceHelmRelease,
    "aws:lb/loadBalancer:LoadBalancer": priceLoadBalancer,
    "aws:alb/loadBalancer:LoadBalancer": priceLoadBalancer,
    "aws:ec2/instance:Instance": priceInstance,
    "aws:ec2/natGateway:NatGateway": (ctx, r) =>
        add(ctx, r, "NAT gateway", ctx.a.hoursPerMonth, "gateway-hours", "natgw.hour", price(ctx, "natgw.hour"), `1 NAT gateway × ${ctx.a.hoursPerMonth} h`, [
            "hoursPerMonth",
        ]),
    "aws:ec2/eip:Eip": (ctx, r) =>
        add(
            ctx,
            r,
            "public IPv4 address (EIP)",
            ctx.a.hoursPerMonth,
            "address-hours",
            "ipv4.hour",
            price(ctx, "ipv4.hour"),
            `1 address × ${ctx.a.hoursPerMonth} h`,
            ["hoursPerMonth"],
        ),
    "aws:ebs/volume:Volume": (ctx, r) =>
        addVolumes(ctx, r, "volume", 1, num(r.inputs.size) ?? 8, str(r.inputs.type) ?? "gp3", `1 volume × ${n2(num(r.inputs.size) ?? 8)} GiB`),
    "aws:ebs/snapshot:Snapshot": (ctx, r) =>
        add(
            ctx,
            r,
            "EBS snapshot",
            ctx.a.snapshotGbEach,
            "GB-months",
            "ebs.snapshot.gbMonth",
            price(ctx, "ebs.snapshot.gbMonth"),
            `snapshotGbEach ${n2(ctx.a.snapshotGbEach)} GB`,
            ["snapshotGbEach"],
        ),
    "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot": (ctx, r) =>
        add(
            ctx,
            r,
            "EBS snapshot (VolumeSnapshot)",
            ctx.a.snapshotGbEach,
            "GB-months",
            "ebs.snapshot.gbMonth",
            price(ctx, "ebs.snapshot.gbMonth"),
            `snapshotGbEach ${n2(ctx.a.snapshotGbEach)} GB`,
            ["snapshotGbEach"],
        ),
};

/** Estimates the monthly cost of `resources` (a plan's records or a stack policy's resources). */
export function estimateCost(resources: CostResource[], opts: EstimateOptions = {}): CostEstimate {
    const stack = opts.stack ?? stackOfUrn(resources[0]?.urn ?? "") ?? "?";
    const region = opts.region ?? opts.prices?.region ?? inferRegion(resources);
    if (!region) throw new CostEstimateError("cannot tell the stack's region from its resources: pass the region");
    const prices = opts.prices ?? loadPrices(region);
    const env = opts.environment ?? inferEnvironment(resources, stack);
    const a = resolveAssumptions(env, opts.assumptions);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const vpc = resources.find((r) => r.type === "awsx:ec2:Vpc");
    const azCount = vpc ? arr(vpc.inputs.availabilityZoneNames).length || num(vpc.inputs.numberOfAvailabilityZones) || 3 : 2;
    const ctx: Ctx = { a, prices, env, resources, byUrn, lines: [], notes: [], notPriced: new Map(), logIngest: new Map(), azCount };

    for (const r of resources) if (r.type !== "aws:cloudwatch/logGroup:LogGroup") HANDLERS[r.type]?.(ctx, r);
    const sharedAlb = new Map<string, string>();
    for (const g of albIngresses(ctx).values()) {
        const first = g[0];
        for (const other of g.slice(1)) sharedAlb.set(other.urn, `shares the ALB priced on Ingress ${first.name} (same alb.ingress.kubernetes.io/group.name)`);
        const ann = obj(get(first.inputs, "metadata", "annotations")) ?? {};
        const label = str(ann["alb.ingress.kubernetes.io/group.name"]) ? `group ${String(ann["alb.ingress.kubernetes.io/group.name"])}` : first.name;
        // The AWS Load Balancer Controller's default scheme is internal; our ingresses set internet-facing.
        priceAlb(
            ctx,
            first,
            `${label} (${g.length} ingress${g.length > 1 ? "es" : ""}: ${g.map((x) => x.name).join(", ")})`,
            ann["alb.ingress.kubernetes.io/scheme"] === "internet-facing",
        );
    }
    for (const r of resources) if (r.type === "aws:cloudwatch/logGroup:LogGroup") priceLogGroup(ctx, r);
    // Sources whose log group the program does not declare: AWS creates it without retention.
    for (const [group, sources] of ctx.logIngest) {
        const src = resources.find(
            (r) => sources.some((s) => s.from.endsWith(r.name)) && (r.type === "aws:eks/cluster:Cluster" || r.type === "aws:ec2/flowLog:FlowLog"),
        );
        if (src)
            logStorage(
                ctx,
                src,
                group,
                sources.reduce((s, x) => s + x.gb, 0),
                undefined,
                `${sources.map((s) => s.from).join(" + ")}; the group is not declared, AWS creates it without retention`,
            );
    }
    // Stack-wide: data sent to the internet — it leaves through the NAT gateways, load balancers or instances priced above.
    const egressPath = ctx.lines.some((l) => ["natgw.hour", "alb.hour"].includes(l.priceKey) || l.type === "aws:ec2/instance:Instance");
    if (egressPath)
        add(
            ctx,
            undefined,
            "internet data transfer out",
            a.internetEgressGbPerMonth,
            "GB",
            "transfer.internetOut.gb",
            price(ctx, "transfer.internetOut.gb"),
            `internetEgressGbPerMonth ${n2(a.internetEgressGbPerMonth)} GB (the account-wide free 100 GB not subtracted)`,
            ["internetEgressGbPerMonth"],
        );
    for (const r of resources) {
        if (r.type !== "kubernetes:core/v1:Service" || get(r.inputs, "spec", "type") !== "LoadBalancer") continue;
        notPriced(ctx, "Service type LoadBalancer", `the load balancer it creates (NLB or CLB) has no price in plan/pricing/${prices.region}.json (${r.name})`);
    }

    // Classify every resource: priced (has a line), zero-cost (with why) or not priced.
    const pricedUrns = new Set(ctx.lines.map((l) => l.urn));
    const zero = new Map<string, TypeCount>();
    for (const r of resources) {
        if (r.type === STACK || isComponent(r) || pricedUrns.has(r.urn)) continue;
        let reason = sharedAlb.get(r.urn) ?? ZERO_COST.find(([re]) => re.test(r.type))?.[1];
        if (reason === undefined && r.type in PRICED) reason = PRICED[r.type] || "nothing chargeable in its inputs";
        if (reason === undefined) {
            notPriced(
                ctx,
                r.type,
                r.type.startsWith("aws:") || r.type.startsWith("awsx:")
                    ? `no pricer for this type (plan/cost/estimate.ts)`
                    : "not an AWS resource the engine knows",
            );
            continue;
        }
        const k = `${r.type}\u0000${reason}`;
        const e = zero.get(k) ?? { type: r.type, count: 0, reason };
        e.count++;
        zero.set(k, e);
    }

    const lines = ctx.lines;
    const sumBy = <K extends string>(key: (l: CostLine) => K) => {
        const m = new Map<K, number>();
        for (const l of lines) m.set(key(l), (m.get(key(l)) ?? 0) + l.monthlyUsd);
        return m;
    };
    const byComponent = [...sumBy((l) => l.component).entries()]
        .map(([component, monthlyUsd]) => ({ component, monthlyUsd }))
        .sort((x, y) => y.monthlyUsd - x.monthlyUsd || x.component.localeCompare(y.component));
    const resTotals = sumBy((l) => `${l.urn}\u0000${l.name}`);
    const byResource = [...resTotals.entries()]
        .map(([k, monthlyUsd]) => {
            const l = lines.find((x) => `${x.urn}\u0000${x.name}` === k)!;
            return { urn: l.urn, type: l.type, name: l.name, component: l.component, monthlyUsd };
        })
        .sort((x, y) => y.monthlyUsd - x.monthlyUsd || x.name.localeCompare(y.name));
    const totalUsd = lines.reduce((s, l) => s + l.monthlyUsd, 0);
    const relPath = path.join("plan", "pricing", `${prices.region}.json`);
    const unconfirmed = [...Object.values(prices.prices), prices.ec2].some((p) => !p.regionConfirmed);
    ctx.notes.push(
        `Prices: ${relPath} (read ${prices.read})${unconfirmed ? `; some are not confirmed for ${prices.region} (us-east-1 list prices used — see each entry's note)` : ""}. On-demand list prices, no free tiers, no Savings Plans or discounts, before tax.`,
        `Usage-based lines depend on the ${env} assumptions shown (override per stack).`,
    );
    const est: CostEstimate = {
        format: "shop-platform/cost@1",
        stack,
        environment: env,
        region: prices.region,
        currency: "USD",
        priceFile: { path: relPath, read: prices.read, regionConfirmed: !unconfirmed, summary: prices.summary },
        assumptions: a,
        lines,
        byComponent,
        byResource,
        totalUsd,
        zeroCost: [...zero.values()].sort((x, y) => x.type.localeCompare(y.type)),
        notPriced: [...ctx.notPriced.values()].sort((x, y) => x.type.localeCompare(y.type)),
        savings: [],
        notes: ctx.notes,
    };
    est.savings = savingsNotes(est, resources, prices);
    return est;
}

/** The `n` resources that cost the most, as `name $x` strings (the budget policy names three). */
export function topDrivers(est: CostEstimate, n = 3): string[] {
    return est.byResource.slice(0, n).map((r) => `${r.type === "(stack)" ? r.name : `${r.type.split(":").pop()} ${r.name}`} ${usd(r.monthlyUsd)}`);
}
