/** The table of cases, one entry per policy, gathered from the `*.cases.ts` file beside each rule module. */
import type { ResourceRecord } from "../../harness/types";
import { CASES as C0 } from "../rules/aws/ecr.cases";
import { CASES as C1 } from "../rules/aws/eks.cases";
import { CASES as C2 } from "../rules/aws/elasticache.cases";
import { CASES as C3 } from "../rules/aws/iam.cases";
import { CASES as C4 } from "../rules/aws/kms.cases";
import { CASES as C5 } from "../rules/aws/network.cases";
import { CASES as C6 } from "../rules/aws/rds.cases";
import { CASES as C7 } from "../rules/aws/s3.cases";
import { CASES as C8 } from "../rules/aws/tags.cases";
import { CASES as C9 } from "../rules/k8s/helm.cases";
import { CASES as C10 } from "../rules/k8s/pod-security.cases";
import { CASES as C11 } from "../rules/k8s/workloads.cases";
import { CASES as C12 } from "../rules/stack/aws.cases";
import { CASES as C13 } from "../rules/stack/k8s.cases";
import { CASES as C14 } from "../rules/stack/cost.cases";
import { CASES as C15 } from "../rules/stack/database.cases";

export interface Case {
    name: string;
    records: ResourceRecord[];
    params?: Record<string, unknown>;
    /** Exact number of violations, or one regex per expected violation (in order). */
    expect: number | RegExp[];
}

export interface RuleCases {
    violating: Case[];
    compliant: Case[];
    /** Resources the policy does not apply to: no violations. `naType` is also called directly and must raise notApplicable (resource policies). */
    notApplicable: Case[];
    naType?: string;
    /** Values unknown at preview (or opaque secrets): no violation, no crash. */
    unknown: Case[];
}

export const CASES: Record<string, RuleCases> = {
    ...C0,
    ...C1,
    ...C2,
    ...C3,
    ...C4,
    ...C5,
    ...C6,
    ...C7,
    ...C8,
    ...C9,
    ...C10,
    ...C11,
    ...C12,
    ...C13,
    ...C14,
    ...C15,
};
