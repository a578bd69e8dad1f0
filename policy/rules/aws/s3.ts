import { strings } from "../../lib/aws";
import { resourceRule } from "../../lib/policy";
import { asArray, asObject } from "../../lib/values";

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

export const s3NoPublicAcl = resourceRule({
    name: "s3-no-public-acl",
    description: "S3 buckets and bucket ACLs must not be public-read, public-read-write or authenticated-read, nor grant AllUsers/AuthenticatedUsers.",
    why: "A public ACL publishes the bucket's objects to everyone.",
    defaultLevel: "mandatory",
    types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    check: (props, _args, report) => {
        if (typeof props.acl === "string" && PUBLIC_ACLS.includes(props.acl)) report(`The canned ACL ${props.acl} makes the bucket public.`);
        const grants = [...asArray(asObject(props.accessControlPolicy)?.grants), ...asArray(props.grants)];
        for (const g of grants) {
            const uri = asObject(g?.grantee)?.uri ?? g?.uri;
            if (typeof uri === "string" && PUBLIC_GROUPS.includes(uri))
                report(`A grant to ${uri.split("/").pop()} makes the bucket public (${strings(g?.permission ?? g?.permissions).join(", ")}).`);
        }
    },
});
