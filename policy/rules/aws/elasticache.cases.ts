/** Cases of the rules in elasticache.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { RDS, c, db, goodDb, goodRg, rg } from "../../test/fixtures";
import { U, mut } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "elasticache-encryption": {
        violating: [c("nothing", [rg({ description: "c" })], 3), c("no auth", [rg(mut(goodRg, (x) => delete x.authToken))], [/authToken or userGroupIds/])],
        compliant: [
            c("secret authToken counts as set", [rg(goodRg)], 0),
            c("RBAC user group", [rg({ ...mut(goodRg, (x) => delete x.authToken), userGroupIds: ["ug"] })], 0),
            c("auth not required", [rg(mut(goodRg, (x) => delete x.authToken))], 0, { requireAuth: false }),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [rg({ ...goodRg, transitEncryptionEnabled: U.boolean })], 0)],
    },
    "elasticache-ha": {
        violating: [c("single node", [rg({ ...goodRg, automaticFailoverEnabled: false, multiAzEnabled: false, numCacheClusters: 1 })], 3)],
        compliant: [
            c("two nodes", [rg(goodRg)], 0),
            c("cluster mode replicas", [rg({ ...mut(goodRg, (x) => delete x.numCacheClusters), numNodeGroups: 2, replicasPerNodeGroup: 1 })], 0),
        ],
        notApplicable: [c("db", [db(goodDb)], 0)],
        naType: RDS,
        unknown: [c("unknown", [rg({ ...goodRg, multiAzEnabled: U.boolean })], 0)],
    },
};
