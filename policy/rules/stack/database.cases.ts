/** Cases of the rules in database.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c } from "../../test/fixtures";
import { U, deploy, k8s, mut } from "../../test/helpers";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const SCHEDULED = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";

const cluster = (spec: Record<string, unknown>, name = "db", ns = "data") =>
    k8s(CLUSTER, name, { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name, namespace: ns }, spec: { instances: 3, ...spec } });
const scheduled = (cluster = "db", ns = "data") =>
    k8s(SCHEDULED, `${cluster}-daily`, {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: { name: `${cluster}-daily`, namespace: ns },
        spec: { schedule: "0 0 3 * * *", cluster: { name: cluster }, method: "barmanObjectStore" },
    });
const backup = { retentionPolicy: "30d", barmanObjectStore: { destinationPath: "s3://bucket/postgres/", s3Credentials: { inheritFromIAMRole: true } } };
const good = cluster({ backup });

export const CASES: Record<string, RuleCases> = {
    "database-backups": {
        violating: [
            c("no backup at all", [cluster({})], [/archives no WAL/, /no ScheduledBackup/]),
            c("archiving, no ScheduledBackup", [good], [/no ScheduledBackup/]),
            c("ScheduledBackup for another cluster", [good, scheduled("other")], [/no ScheduledBackup/]),
            c("ScheduledBackup in another namespace", [good, scheduled("db", "shop")], [/no ScheduledBackup/]),
            c("no retention policy", [cluster({ backup: { barmanObjectStore: backup.barmanObjectStore } }), scheduled()], [/no spec.backup.retentionPolicy/]),
            c("3 days < 7", [cluster({ backup: { ...backup, retentionPolicy: "3d" } }), scheduled()], [/keeps backups 3 days/]),
            c("plugin that is not the WAL archiver", [cluster({ plugins: [{ name: "barman-cloud.cloudnative-pg.io" }] }), scheduled()], [/archives no WAL/]),
        ],
        compliant: [
            c("barmanObjectStore, 30d, daily", [good, scheduled()], 0),
            c("2 weeks = 14 days", [cluster({ backup: { ...backup, retentionPolicy: "2w" } }), scheduled()], 0, { minRetentionDays: 14 }),
            c(
                "WAL-archiver plugin",
                [cluster({ backup: { retentionPolicy: "7d" }, plugins: [{ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true }] }), scheduled()],
                0,
            ),
        ],
        notApplicable: [c("no database cluster", [deploy()], 0)],
        unknown: [
            c("destination unknown", [mut(good, (x) => (x.inputs.spec.backup.barmanObjectStore.destinationPath = U.string)), scheduled()], 0),
            c("retention unknown", [mut(good, (x) => (x.inputs.spec.backup.retentionPolicy = U.string)), scheduled()], 0),
            c("ScheduledBackup target unknown", [good, mut(scheduled(), (x) => (x.inputs.spec.cluster.name = U.string))], 0),
        ],
    },
};
