/**
 * Data shared by the program and the policy pack (neither owns the other): which `aws:*`
 * resource types take tags. The program tags exactly these types (components/tagging) and the
 * pack's tag rule checks exactly these (policy/rules/aws/tags.ts). The list is generated from the
 * installed @pulumi/aws by policy/gen-taggable.ts (a pack test regenerates it and fails on drift).
 * Plain Node only: the pack loads it without the program's dependencies.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface TaggableFile {
    awsVersion: string;
    note: string;
    types: string[];
}

/** Types whose `tags` is not a string map; the map-based tag rule and the stack transformation skip them. */
export const NON_MAP_TAG_TYPES = new Set(["aws:autoscaling/group:Group", "aws:devopsguru/resourceCollection:ResourceCollection"]);

export const TAGGABLE_FILE = path.join(__dirname, "aws-taggable-types.json");

let cache: ReadonlySet<string> | undefined;
/** The committed taggable set (cached). */
export function taggableTypes(): ReadonlySet<string> {
    if (!cache) {
        const f = JSON.parse(fs.readFileSync(TAGGABLE_FILE, "utf8")) as TaggableFile;
        cache = new Set(f.types);
    }
    return cache;
}
