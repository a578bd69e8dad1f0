import * as assert from "node:assert/strict";
import { SecureBucket } from "../../components/storage";
import { runComponents } from "../../harness";
import { evaluate } from "../../policy/evaluate";
import { get, ofType } from "../helpers";

describe("component: SecureBucket", () => {
    const build = (retain: boolean) =>
        runComponents(
            () => new SecureBucket("backups", { bucketName: "shop-test-backups", purpose: "backups", expireAfterDays: 21, kmsDeletionWindowDays: 7, retain }),
        );

    it("KMS-encrypted, versioned, all public access blocked, no ACLs, TLS-only, lifecycle = retention", async () => {
        const r = await build(false);
        const one = (t: string) => ofType(r, `aws:s3/${t}`)[0].inputs;
        assert.deepEqual(
            ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map(
                (k) => one("bucketPublicAccessBlock:BucketPublicAccessBlock")[k],
            ),
            [true, true, true, true],
        );
        assert.equal(
            get(
                one("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm",
            ),
            "aws:kms",
        );
        assert.equal(get(one("bucketVersioning:BucketVersioning"), "versioningConfiguration.status"), "Enabled");
        assert.equal(get(one("bucketOwnershipControls:BucketOwnershipControls"), "rule.objectOwnership"), "BucketOwnerEnforced");
        const rule = get(one("bucketLifecycleConfiguration:BucketLifecycleConfiguration"), "rules.0");
        assert.equal(rule.expiration.days, 21);
        assert.equal(rule.noncurrentVersionExpiration.noncurrentDays, 21);
        const policy = JSON.parse(one("bucketPolicy:BucketPolicy").policy as string);
        assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.equal(policy.Statement[0].Effect, "Deny");
        assert.equal(ofType(r, "aws:kms/key:Key")[0].inputs.enableKeyRotation, true);
    });

    it("passes the policy pack's S3 and KMS rules", async () => {
        const r = await build(false);
        const vs = evaluate(r, { "aws-required-tags": "disabled" }, { stack: "test" }).filter((v) => /^(s3|kms)-/.test(v.policyName));
        assert.deepEqual(vs, []);
    });

    it("retain: the bucket and its key are protected and kept on destroy; otherwise neither", async () => {
        for (const retain of [true, false]) {
            const r = await build(retain);
            for (const t of ["aws:s3/bucket:Bucket", "aws:kms/key:Key"]) {
                const rec = ofType(r, t)[0];
                assert.equal(rec.protect, retain, `${t} protect`);
                assert.equal(rec.options?.retainOnDelete ?? false, retain, `${t} retainOnDelete`);
            }
        }
    });
});
