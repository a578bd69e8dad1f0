/** Cases of the rule in cost.ts: violating, compliant, not-applicable and unknown-value records. */
import type { RuleCases } from "../../test/cases";
import { awsxVpc, c, eks, goodCluster, otherRecords } from "../../test/fixtures";
import { U } from "../../test/helpers";

// Arithmetic (plan/pricing/eu-west-1.json, dev assumptions): the cluster is 730 h × $0.10 = $73.00,
// its control-plane logs 5 types × 1 GB × $0.50 = $2.50 ingested, stored without a declared group
// (never expires) 5 GB × 12 months × $0.03 = $1.80: $77.30. The default awsx VPC has 3 NAT
// gateways: 3 × 730 × $0.045 = $98.55 + 3 EIPs × 730 × $0.005 = $10.95 + 50 GB × $0.045 = $2.25
// → $111.75, plus 20 GB out to the internet × $0.09 = $1.80: $113.55.
const DEV = { region: "eu-west-1", environment: "dev" };

export const CASES: Record<string, RuleCases> = {
    "cost-budget": {
        violating: [
            c(
                "cluster over a $50 budget",
                [eks(goodCluster)],
                [
                    /^Estimated monthly cost \$77\.30 exceeds the budget \$50\.00 by \$27\.30 \(eu-west-1, dev assumptions, prices read \d{4}-\d\d-\d\d\)\. Top cost drivers: Cluster cluster \$77\.30\.$/,
                ],
                { monthlyBudgetUsd: 50, ...DEV },
            ),
            c(
                "three NAT gateways over $100, drivers named",
                [awsxVpc()],
                [/\$113\.55 exceeds the budget \$100\.00.*Top cost drivers: Vpc vpc \$111\.75; internet data transfer out \$1\.80\.$/],
                {
                    monthlyBudgetUsd: 100,
                    ...DEV,
                },
            ),
            c("no price file for the region", [eks(goodCluster)], [/^Cannot estimate .*no price file for region xx-east-9/], {
                monthlyBudgetUsd: 10,
                region: "xx-east-9",
            }),
        ],
        compliant: [
            c("cluster within $80", [eks(goodCluster)], 0, { monthlyBudgetUsd: 80, ...DEV }),
            c("no budget (0)", [eks(goodCluster)], 0, { region: "eu-west-1" }),
        ],
        notApplicable: [c("nothing priced", otherRecords, 0, { monthlyBudgetUsd: 1, region: "eu-west-1" })],
        unknown: [
            c("unknown role and version: the known inputs are priced", [eks({ ...goodCluster, roleArn: U.string, version: U.string })], 0, {
                monthlyBudgetUsd: 80,
                ...DEV,
            }),
        ],
    },
};
