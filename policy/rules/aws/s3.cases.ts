/** Cases of the rules in s3.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { bucket, c, otherRecords } from "../../test/fixtures";
import { U, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "s3-no-public-acl": {
        violating: [
            c("public-read bucket", [rec("aws:s3/bucket:Bucket", "b", { acl: "public-read" })], 1),
            c(
                "AllUsers grant",
                [
                    rec("aws:s3/bucketAclV2:BucketAclV2", "a", {
                        bucket: "b",
                        accessControlPolicy: {
                            owner: { id: "o" },
                            grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }],
                        },
                    }),
                ],
                [/AllUsers/],
            ),
        ],
        compliant: [c("private", [rec("aws:s3/bucket:Bucket", "b", { acl: "private" })], 0), c("no acl", [bucket("b")], 0)],
        notApplicable: [c("versioning", otherRecords, 0)],
        naType: "aws:s3/bucketVersioning:BucketVersioning",
        unknown: [c("acl unknown", [rec("aws:s3/bucket:Bucket", "b", { acl: U.string })], 0)],
    },
    // ---- Kubernetes pod security ----,
};
