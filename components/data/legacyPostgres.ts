/**
 * The hand-written PostgreSQL StatefulSet the platform ran before CloudNativePG: kept, unchanged,
 * behind config `postgresLegacyStatefulSet` for the two-step migration (docs/database.md): step 1
 * runs it next to the CloudNativePG Cluster, which imports its database once at creation
 * (`initdb.import`); step 2 turns it off. Delete this file once every stack has done step 2.
 *
 * Every resource keeps the name and parent it had under the `Postgres` component, so step 1
 * changes nothing of it but the NetworkPolicy that admits the import.
 */
import * as crypto from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { generatedPassword, SecretSink } from "../k8s/secrets";
import {
    PEERS,
    recommendedLabels,
    resources,
    restrictedContainerSecurity,
    restrictedPodSecurity,
    scratchVolume,
    secretEnv,
    selectorLabels,
    serviceMonitor,
    dataServiceNetworkPolicy,
    dataServiceService,
    headlessService,
    serviceHost,
    Placement,
    growableVolume,
} from "../k8s";
import { IMAGES } from "../versions";

/** A login role. `owner` owns the database (runs migrations); `readonly` may only SELECT. */
export interface DatabaseRole {
    name: string;
    access: "owner" | "readonly";
}

export interface LegacyPostgresArgs {
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    database: string;
    roles: readonly DatabaseRole[];
    storageGiB: number;
    storageClassName: string;
    clientNamespaces: string[];
    monitoringNamespace: string;
    monitoringCrds: pulumi.Resource;
    secretSink: SecretSink;
    placement: Placement;
    credentialsGeneration: number;
    /** The roles' passwords (the same ones the CloudNativePG roles get). */
    rolePasswords: Record<string, pulumi.Output<string>>;
    /** More pods that may connect on 5432 (the CloudNativePG import Job). */
    extraClients: k8s.types.input.networking.v1.NetworkPolicyPeer[];
}

const UID = 999; // the official image's postgres user
const PORT = 5432;
const METRICS_PORT = 9187;
/** Pods in the data namespace that may open connections to PostgreSQL (the bootstrap Job). */
export const POSTGRES_CLIENT_LABEL = { "shop.platform/postgres-client": "true" };

/**
 * The bootstrap script: idempotent (safe on every run), passwords passed as psql variables
 * from the environment so no secret is ever in the ConfigMap. Exported for a test that runs it
 * against a real PostgreSQL.
 */
export function bootstrapSql(database: string, roles: readonly DatabaseRole[]): string {
    const owners = roles.filter((r) => r.access === "owner");
    if (owners.length !== 1) throw new Error(`Postgres: exactly one owner role is required, got ${owners.length}`);
    const owner = owners[0].name;
    const lines = ["\\set ON_ERROR_STOP on"];
    for (const r of roles) {
        lines.push(`SELECT 'CREATE ROLE ${r.name} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${r.name}') \\gexec`);
        lines.push(`ALTER ROLE ${r.name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'${r.name}_password';`);
    }
    lines.push(`SELECT 'CREATE DATABASE ${database} OWNER ${owner}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}') \\gexec`);
    lines.push(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`);
    lines.push(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${roles.map((r) => r.name).join(", ")};`);
    lines.push(`\\connect ${database}`);
    lines.push("REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
    lines.push(`GRANT ALL ON SCHEMA public TO ${owner};`);
    for (const r of roles.filter((x) => x.access === "readonly")) {
        lines.push(`GRANT USAGE ON SCHEMA public TO ${r.name};`);
        lines.push(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r.name};`);
        lines.push(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT ON TABLES TO ${r.name};`);
    }
    return lines.join("\n") + "\n";
}

/**
 * The legacy StatefulSet, its Services, volume, policies, ServiceMonitor, superuser and bootstrap
 * Job, created under `self` (the `Postgres` component). Returns where it is and the Secret
 * holding its superuser password (the import reads it).
 */
export function legacyPostgres(
    self: pulumi.Resource,
    name: string,
    args: LegacyPostgresArgs,
): { host: pulumi.Output<string>; superuserSecret: pulumi.Output<string>; ready: pulumi.Resource } {
    const k8sOpts = { parent: self, provider: args.provider };
    const labels = recommendedLabels(name, "database");
    const selector = selectorLabels(name);
    // The superuser's password is set at initdb only: it is not rotated by `credentialsGeneration`.
    const superuser = generatedPassword(self, `${name}-superuser`);
    // Two Secrets: the server reads only the superuser's (never rotated), so rotating the role
    // passwords re-runs the bootstrap Job without restarting the database.
    const secret = args.secretSink.create(self, args.provider, {
        name: `${name}-superuser`,
        namespace: args.namespace,
        labels,
        data: { "superuser-password": superuser },
    });
    const roleSecret = args.secretSink.create(self, args.provider, {
        name: `${name}-credentials`,
        namespace: args.namespace,
        labels,
        data: Object.fromEntries(args.roles.map((r) => [`${r.name}-password`, args.rolePasswords[r.name]])),
    });

    // Its own identity with no API token: the default service account is shared by everything in the namespace.
    const serviceAccount = new k8s.core.v1.ServiceAccount(
        name,
        { metadata: { name, namespace: args.namespace, labels }, automountServiceAccountToken: false },
        k8sOpts,
    );
    const headless = headlessService(name, { namespace: args.namespace, labels, selector, portName: "postgres", port: PORT }, k8sOpts);
    const service = dataServiceService(
        name,
        { namespace: args.namespace, labels, selector, portName: "postgres", port: PORT, metricsPort: METRICS_PORT },
        k8sOpts,
    );
    const host = serviceHost(service, args.namespace);

    const pgIsReady = { exec: { command: ["pg_isready", "-h", "127.0.0.1", "-p", String(PORT), "-U", "postgres"] } };
    const volume = growableVolume({
        claim: "data",
        statefulSet: name,
        replicas: 1,
        namespace: args.namespace,
        storageClassName: args.storageClassName,
        sizeGiB: args.storageGiB,
        labels,
    });
    const statefulSet = new k8s.apps.v1.StatefulSet(
        name,
        {
            metadata: { name, namespace: args.namespace, labels },
            spec: {
                serviceName: headless.metadata.name,
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels, annotations: args.placement.annotations },
                    spec: {
                        nodeSelector: args.placement.nodeSelector,
                        serviceAccountName: serviceAccount.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurity(UID),
                        terminationGracePeriodSeconds: 60,
                        containers: [
                            {
                                name: "postgres",
                                image: IMAGES.postgres,
                                ports: [{ name: "postgres", containerPort: PORT }],
                                env: [
                                    secretEnv("POSTGRES_PASSWORD", secret.name, "superuser-password"),
                                    { name: "POSTGRES_USER", value: "postgres" },
                                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                                ],
                                securityContext: restrictedContainerSecurity(),
                                resources: resources({ cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" }),
                                startupProbe: { ...pgIsReady, periodSeconds: 5, failureThreshold: 60 },
                                livenessProbe: { ...pgIsReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                                readinessProbe: { ...pgIsReady, periodSeconds: 5, timeoutSeconds: 3 },
                                volumeMounts: [
                                    { name: "data", mountPath: "/var/lib/postgresql/data" },
                                    { name: "run", mountPath: "/var/run/postgresql" },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                            {
                                name: "exporter",
                                image: IMAGES.postgresExporter,
                                ports: [{ name: "metrics", containerPort: METRICS_PORT }],
                                env: [
                                    { name: "DATA_SOURCE_URI", value: `127.0.0.1:${PORT}/postgres?sslmode=disable` },
                                    { name: "DATA_SOURCE_USER", value: "postgres" },
                                    secretEnv("DATA_SOURCE_PASS", secret.name, "superuser-password"),
                                ],
                                securityContext: restrictedContainerSecurity(),
                                resources: resources({ cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" }),
                                livenessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 20 },
                                readinessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 10 },
                            },
                        ],
                        volumes: [scratchVolume("run", "16Mi"), scratchVolume("tmp", "256Mi")],
                    },
                },
                volumeClaimTemplates: [volume.template],
            },
        },
        { ...k8sOpts, dependsOn: [secret.ready], ignoreChanges: volume.ignoreChanges },
    );
    volume.patchClaims({ ...k8sOpts, dependsOn: [statefulSet] });

    // Who may talk to PostgreSQL: the app namespaces and our bootstrap Job; the exporter only from monitoring.
    const policy = dataServiceNetworkPolicy(
        name,
        {
            namespace: args.namespace,
            labels,
            selector,
            clients: [...args.clientNamespaces.map(PEERS.namespace), { podSelector: { matchLabels: POSTGRES_CLIENT_LABEL } }, ...args.extraClients],
            port: PORT,
            metricsPort: METRICS_PORT,
            monitoringNamespace: args.monitoringNamespace,
        },
        k8sOpts,
    );
    const clientsPolicy = new k8s.networking.v1.NetworkPolicy(
        `${name}-clients`,
        {
            metadata: { name: `${name}-clients`, namespace: args.namespace, labels },
            spec: {
                podSelector: { matchLabels: POSTGRES_CLIENT_LABEL },
                policyTypes: ["Egress"],
                egress: [PEERS.dns(), { to: [{ podSelector: { matchLabels: selector } }], ports: [{ protocol: "TCP", port: PORT }] }],
            },
        },
        k8sOpts,
    );

    serviceMonitor(name, { namespace: args.namespace, labels, port: "metrics", crds: args.monitoringCrds }, k8sOpts);

    // Bootstrap: database and roles, re-run whenever the script changes (the name carries its hash).
    const script = bootstrapSql(args.database, args.roles);
    const scriptHash = crypto.createHash("sha256").update(script).digest("hex").slice(0, 8);
    const bootstrapConfig = new k8s.core.v1.ConfigMap(
        `${name}-bootstrap`,
        { metadata: { name: `${name}-bootstrap-${scriptHash}`, namespace: args.namespace, labels }, data: { "bootstrap.sql": script } },
        k8sOpts,
    );
    const psqlVars = args.roles.map((r) => `-v ${r.name}_password="$${r.name.toUpperCase()}_PASSWORD"`).join(" ");
    const ready = new k8s.batch.v1.Job(
        `${name}-bootstrap`,
        {
            metadata: {
                name: `${name}-bootstrap-${scriptHash}-g${args.credentialsGeneration}`,
                namespace: args.namespace,
                labels: { ...labels, "app.kubernetes.io/component": "database-bootstrap" },
                // A failed Job is replaced on the next `up` instead of failing it again (pulumi-kubernetes#856).
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: {
                backoffLimit: 10,
                activeDeadlineSeconds: 900,
                template: {
                    metadata: { labels: { ...recommendedLabels(`${name}-bootstrap`, "database-bootstrap"), ...POSTGRES_CLIENT_LABEL } },
                    spec: {
                        restartPolicy: "OnFailure",
                        serviceAccountName: serviceAccount.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurity(UID),
                        containers: [
                            {
                                name: "bootstrap",
                                image: IMAGES.postgres,
                                command: ["sh", "-c", `exec psql -h ${name} -U postgres -d postgres ${psqlVars} -f /bootstrap/bootstrap.sql`],
                                env: [
                                    secretEnv("PGPASSWORD", secret.name, "superuser-password"),
                                    ...args.roles.map((r) => secretEnv(`${r.name.toUpperCase()}_PASSWORD`, roleSecret.name, `${r.name}-password`)),
                                ],
                                securityContext: restrictedContainerSecurity(),
                                resources: resources({ cpu: "50m", memory: "64Mi" }),
                                volumeMounts: [
                                    { name: "bootstrap", mountPath: "/bootstrap", readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [{ name: "bootstrap", configMap: { name: bootstrapConfig.metadata.name } }, scratchVolume("tmp", "16Mi")],
                    },
                },
            },
        },
        { ...k8sOpts, dependsOn: [statefulSet, service, policy, clientsPolicy, roleSecret.ready] },
    );
    return { host, superuserSecret: secret.name, ready };
}
