/**
 * Required tags, applied in ONE place: a stack transformation that merges the five required
 * tags into every taggable AWS resource the program registers. Explicit `tags` (not only the
 * provider's `defaultTags`) because tag-based policies, cost reports and IAM conditions read
 * `tags`, and `defaultTags` are merged in by the provider only at apply time (a preview's inputs lack them).
 * Remote components (the awsx VPC) are tagged through their own `tags` argument.
 */
import * as pulumi from "@pulumi/pulumi";
import { NON_MAP_TAG_TYPES, taggableTypes } from "../../lib/taggable";

/**
 * Taggable AWS types with a string-map `tags`: the list the policy pack checks too (lib/), generated
 * from the installed @pulumi/aws (`npm run gen:taggable`), so the program tags exactly what the pack checks.
 */
export const TAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([...taggableTypes()].filter((t) => !NON_MAP_TAG_TYPES.has(t)));

export type RequiredTags = Record<"Project" | "Environment" | "Owner" | "CostCenter" | "ManagedBy", string>;

/** Merges `required` over a resource's own tags; the required keys always win. */
export function mergeTags(own: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined, required: RequiredTags): pulumi.Output<Record<string, string>> {
    return pulumi.output(own ?? {}).apply((t): Record<string, string> => ({ ...(t as Record<string, string>), ...required }));
}

/** Registers the stack transformation. Call once, first thing in the program. */
export function tagAllAwsResources(required: RequiredTags): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!TAGGABLE_AWS_TYPES.has(args.type)) return undefined;
        return { props: { ...args.props, tags: mergeTags(args.props["tags"], required) }, opts: args.opts };
    });
}
