import { effectiveTags } from "../../lib/aws";
import { resourceRule } from "../../lib/policy";
import { NON_MAP_TAG_TYPES, taggableTypes } from "../../lib/taggable";
import { isOpaque, UNKNOWN } from "../../lib/values";

export const DEFAULT_REQUIRED_TAGS = ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"];

export const awsRequiredTags = resourceRule({
    name: "aws-required-tags",
    description:
        "Taggable AWS resources must carry the required tag keys with non-empty values in their effective tags (tagsAll, else the provider's defaultTags merged with tags).",
    why: "Cost reports, ownership and tag-based IAM conditions only work when every resource carries the tags.",
    defaultLevel: "mandatory",
    types: {
        label: "every taggable aws:* type (data/aws-taggable-types.json, generated from @pulumi/aws)",
        test: (type, props) => type.startsWith("aws:") && !NON_MAP_TAG_TYPES.has(type) && (taggableTypes().has(type) || "tagsAll" in props),
    },
    params: {
        requiredTags: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: DEFAULT_REQUIRED_TAGS,
            description: "Tag keys every taggable resource must carry.",
        },
    },
    check: (props, args, report, cfg) => {
        const tags = effectiveTags(props, args.provider);
        if (tags === UNKNOWN) return; // unknown at preview / opaque: decided at `up`
        const missing: string[] = [];
        const empty: string[] = [];
        for (const key of cfg.requiredTags as string[]) {
            if (!Object.prototype.hasOwnProperty.call(tags, key)) missing.push(key);
            else {
                const v = tags[key];
                if (isOpaque(v)) continue;
                if (v === null || v === undefined || String(v).trim() === "") empty.push(key);
            }
        }
        if (missing.length) report(`Missing required tags: ${missing.join(", ")} (set them in the provider's defaultTags or the resource's tags).`);
        if (empty.length) report(`Required tags have empty values: ${empty.join(", ")}.`);
    },
});
