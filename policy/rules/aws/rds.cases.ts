/** Cases of the rules in rds.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { RG, c, db, goodDb, goodRg, rg } from "../../test/fixtures";
import { U, mut, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "rds-storage-encrypted": {
        violating: [
            c("unencrypted", [db({ ...goodDb, storageEncrypted: false })], 1),
            c("aurora cluster unencrypted", [rec("aws:rds/cluster:Cluster", "aur", { engine: "aurora-postgresql" })], 1),
        ],
        compliant: [c("encrypted", [db(goodDb)], 0), c("read replica", [db({ replicateSourceDb: "primary" })], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, storageEncrypted: U.boolean })], 0)],
    },
    "rds-not-public": {
        violating: [c("public", [db({ ...goodDb, publiclyAccessible: true })], 1)],
        compliant: [c("private", [db(goodDb)], 0), c("default", [db(mut(goodDb, (x) => delete x.publiclyAccessible))], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, publiclyAccessible: U.boolean })], 0)],
    },
    "rds-backups": {
        violating: [
            c("default 1 day", [db(mut(goodDb, (x) => delete x.backupRetentionPeriod))], [/1 \(default\)/]),
            c("3 < 7", [db({ ...goodDb, backupRetentionPeriod: 3 })], 1),
        ],
        compliant: [c("7", [db(goodDb)], 0), c("dev minimum 1", [db({ ...goodDb, backupRetentionPeriod: 1 })], 0, { minRetentionDays: 1 })],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, backupRetentionPeriod: U.number })], 0)],
    },
    "rds-multi-az": {
        violating: [c("single AZ", [db({ ...goodDb, multiAz: false })], 1)],
        compliant: [c("multi AZ", [db(goodDb)], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, multiAz: U.boolean })], 0)],
    },
    "rds-deletion-protection": {
        violating: [c("no protection, skip snapshot", [db({ ...goodDb, deletionProtection: false, skipFinalSnapshot: true })], 2)],
        compliant: [c("protected", [db(goodDb)], 0)],
        notApplicable: [c("cache", [rg(goodRg)], 0)],
        naType: RG,
        unknown: [c("unknown", [db({ ...goodDb, deletionProtection: U.boolean })], 0)],
    },
};
