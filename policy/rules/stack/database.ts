import type { PolicyResource } from "@pulumi/policy";
import { stackRule } from "../../lib/policy";
import { isUnknown, peek, UNKNOWN } from "../../lib/values";

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const SCHEDULED = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";

/** `30d` / `4w` / `1m` (CNPG's retentionPolicy pattern ^[1-9][0-9]*[dwm]$) → days; undefined when it does not parse. */
export function retentionDays(policy: unknown): number | undefined {
    const m = typeof policy === "string" ? /^([1-9][0-9]*)([dwm])$/.exec(policy) : null;
    if (!m) return undefined;
    return Number(m[1]) * { d: 1, w: 7, m: 30 }[m[2] as "d" | "w" | "m"];
}

/** The value at `path` of the resource's inputs; UNKNOWN when it, or anything on the way, is unknown at preview. */
function get(r: PolicyResource, path: string[]): unknown {
    let v: unknown = peek(() => r.props);
    for (const k of path) {
        if (v === UNKNOWN || isUnknown(v)) return UNKNOWN;
        if (v === null || typeof v !== "object") return undefined;
        v = peek(() => (v as Record<string, unknown>)[k]);
    }
    return isUnknown(v) ? UNKNOWN : v;
}

/** A WAL archiver: the in-tree barmanObjectStore, or a CNPG-I plugin that declares itself the archiver. */
function walArchiving(c: PolicyResource): boolean | typeof UNKNOWN {
    const dest = get(c, ["spec", "backup", "barmanObjectStore", "destinationPath"]);
    if (dest === UNKNOWN) return UNKNOWN;
    if (typeof dest === "string" && dest !== "") return true;
    const plugins = get(c, ["spec", "plugins"]);
    if (plugins === UNKNOWN) return UNKNOWN;
    return Array.isArray(plugins) && plugins.some((p) => p && p.isWALArchiver === true);
}

export const databaseBackups = stackRule({
    name: "database-backups",
    description:
        "Every CloudNativePG Cluster must archive its WAL to an object store (spec.backup.barmanObjectStore or a WAL-archiver plugin), keep backups for at least the configured days (spec.backup.retentionPolicy), and have a ScheduledBackup naming it in its namespace.",
    why: "Without WAL archiving and base backups a deleted volume, a lost zone or a bad migration loses the orders: there is nothing to restore to a point in time from.",
    defaultLevel: "mandatory",
    types: [CLUSTER, SCHEDULED],
    params: { minRetentionDays: { type: "integer", minimum: 1, maximum: 3650, default: 7, description: "Minimum retentionPolicy, days." } },
    check: (resources, _args, report, cfg) => {
        const scheduled = resources.filter((r) => r.type === SCHEDULED);
        for (const c of resources.filter((r) => r.type === CLUSTER)) {
            const name = get(c, ["metadata", "name"]);
            const ns = get(c, ["metadata", "namespace"]);
            const archiving = walArchiving(c);
            if (archiving === false)
                report(`CloudNativePG Cluster '${c.name}' archives no WAL (no spec.backup.barmanObjectStore, no WAL-archiver plugin).`, c.urn);
            const policy = get(c, ["spec", "backup", "retentionPolicy"]);
            if (policy !== UNKNOWN && archiving !== false) {
                const days = retentionDays(policy);
                if (days === undefined)
                    report(`CloudNativePG Cluster '${c.name}' sets no spec.backup.retentionPolicy: backups are never pruned to a known window.`, c.urn);
                else if (days < (cfg.minRetentionDays as number))
                    report(
                        `CloudNativePG Cluster '${c.name}' keeps backups ${days} days (${String(policy)}); at least ${cfg.minRetentionDays} required.`,
                        c.urn,
                    );
            }
            if (name === UNKNOWN || ns === UNKNOWN) continue;
            const found = scheduled.some((s) => {
                const target = get(s, ["spec", "cluster", "name"]);
                const sns = get(s, ["metadata", "namespace"]);
                if (target === UNKNOWN || sns === UNKNOWN) return true;
                return target === name && (sns ?? "default") === (ns ?? "default");
            });
            if (!found) report(`CloudNativePG Cluster '${c.name}' has no ScheduledBackup: no base backup to restore from.`, c.urn);
        }
    },
});
