/**
 * Generates `components/generated/aws-taggable-types.json`: every `@pulumi/aws` resource type
 * whose Args accept `tags`, read from the installed package. Run after bumping @pulumi/aws
 * (`npm run gen:taggable`); a test fails while the committed list differs from the package.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listTaggableAwsTypes } from "../components/tagging/taggable";

const out = path.join(__dirname, "..", "components", "generated", "aws-taggable-types.json");
const types = listTaggableAwsTypes();
fs.writeFileSync(out, JSON.stringify({ awsVersion: require("@pulumi/aws/package.json").version, types }, null, 1) + "\n");
console.log(`wrote ${types.length} taggable types to ${path.relative(process.cwd(), out)}`);
