/** Regenerate lib/aws-taggable-types.json from the installed @pulumi/aws: `node --import tsx policy/gen-taggable.ts`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { scanTaggableTypes, TAGGABLE_FILE } from "./lib/taggable";

const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
const f = scanTaggableTypes(awsDir);
fs.writeFileSync(TAGGABLE_FILE, JSON.stringify(f, null, 1) + "\n");
console.log(`gen-taggable: ${f.types.length} taggable types from @pulumi/aws ${f.awsVersion} → ${path.relative(process.cwd(), TAGGABLE_FILE)}`);
