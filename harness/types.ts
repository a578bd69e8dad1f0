/**
 * The resource record: one registered resource as the offline harness saw it.
 *
 * This is the single exchange format between the harness (`harness/`), the offline plan
 * (`plan/`, written to `out/<stack>/resources.json`) and the policy pack's offline checker
 * (`policy/check.ts`), which also reads `pulumi stack export` files and converts them to it.
 */

/** The Pulumi secret signature, as it appears in `pulumi stack export` and engine RPCs. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A secret value in a record. The plaintext is never kept: secrets are written in the same
 * shape as an encrypted `pulumi stack export` value, so every reader has one code path.
 */
export interface RedactedSecret {
    [SECRET_SIG_KEY]: typeof SECRET_SIG_VALUE;
    ciphertext: "[redacted]";
}

export interface ResourceRecord {
    /** Full URN, e.g. `urn:pulumi:dev::shop-platform::shop:network:Network$awsx:ec2:Vpc::shop-dev`. */
    urn: string;
    /** Type token, e.g. `aws:eks/cluster:Cluster`. */
    type: string;
    /** Logical (Pulumi) name. */
    name: string;
    /** True for custom (provider) resources, false for component resources. */
    custom: boolean;
    /** True for multi-language (remote) components such as `awsx:ec2:Vpc`: their children are invisible offline. */
    remote: boolean;
    /** Parent URN, or "" for the stack itself. */
    parent: string;
    /** Provider reference `<providerURN>::<id>`, or "" for the default provider. */
    provider: string;
    /** URNs this resource depends on (explicit `dependsOn` and input dependencies). */
    dependencies: string[];
    protect: boolean;
    /** Inputs as sent to the engine; secret values are {@link RedactedSecret}s. */
    inputs: Record<string, unknown>;
    /**
     * Resource options that decide how the engine treats a change (read by the change plan,
     * `plan/change.ts`). Optional: resources.json files written before it existed lack it.
     */
    options?: ResourceOptionsRecord;
}

export interface ResourceOptionsRecord {
    /** `retainOnDelete`: a delete (or the delete half of a replace) only forgets the resource. */
    retainOnDelete: boolean;
    /** `deleteBeforeReplace` as set by the program (the Kubernetes provider may also ask for it). */
    deleteBeforeReplace: boolean;
    /** `replaceOnChanges` property paths: the engine replaces when any of them changes. */
    replaceOnChanges: string[];
    /** `ignoreChanges` property paths: differences there are not applied. */
    ignoreChanges: string[];
    /** Earlier URNs of this resource (`aliases`), resolved to URNs. */
    aliases: string[];
    /** Top-level input key -> URNs its value came from (the engine's property dependencies). */
    propertyDependencies: Record<string, string[]>;
}

/** The file written to `out/<stack>/resources.json` and read by `policy:check`. */
export interface ResourcesFile {
    /** Format marker so readers can tell it from a `pulumi stack export`. */
    format: "shop-platform/resources@1";
    project: string;
    stack: string;
    resources: ResourceRecord[];
}

export function isRedactedSecret(v: unknown): v is RedactedSecret {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE;
}
