import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { iamPolicy } from "../iam";

export interface SecureBucketArgs {
    /** Bucket name (globally unique), e.g. `shop-prod-<account>-postgres-backups`. */
    bucketName: pulumi.Input<string>;
    /** What the bucket holds (the KMS key's description). */
    purpose: string;
    /** Objects (and noncurrent versions) expire after this many days. */
    expireAfterDays: number;
    /** Keep object versions (a deleted or overwritten backup can be recovered). Defaults to true. */
    versioning?: boolean;
    /** Waiting period before the bucket's KMS key is destroyed after a delete, days. */
    kmsDeletionWindowDays: number;
    /** Protect the bucket and keep it on `pulumi destroy` (its loss loses data). Defaults to false. */
    retain?: boolean;
}

/**
 * A private S3 bucket for data the platform must not lose or leak: its own rotating KMS key
 * (SSE-KMS with bucket keys), versioning, all four public-access blocks, owner-enforced
 * ownership (no ACLs), a bucket policy that refuses every non-TLS request, and a lifecycle
 * rule matching the retention (also for noncurrent versions and incomplete uploads).
 */
export class SecureBucket extends pulumi.ComponentResource {
    readonly bucket: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:storage:SecureBucket", name, {}, opts);
        const parent = { parent: this };
        const keep = args.retain ? { protect: true, retainOnDelete: true } : {};
        const key = new aws.kms.Key(
            name,
            { description: `S3 ${args.purpose}`, enableKeyRotation: true, deletionWindowInDays: args.kmsDeletionWindowDays },
            { ...parent, ...keep },
        );
        const bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, forceDestroy: false }, { ...parent, ...keep });
        new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
            },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(
            name,
            { bucket: bucket.id, versioningConfiguration: { status: args.versioning === false ? "Suspended" : "Enabled" } },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "retention",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.expireAfterDays },
                        noncurrentVersionExpiration: { noncurrentDays: args.expireAfterDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { ...parent, dependsOn: [versioning] },
        );
        new aws.s3.BucketPolicy(
            name,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) =>
                    iamPolicy([
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: { AWS: "*" },
                            Action: "s3:*",
                            Resource: [arn, `${arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ]),
                ),
            },
            parent,
        );
        this.bucket = bucket.bucket;
        this.arn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ bucket: this.bucket, arn: this.arn, kmsKeyArn: this.kmsKeyArn });
    }

    /**
     * A least-privilege policy: read and write objects under `prefix` only, and use the bucket's key
     * through S3 only. `headBucket` (default false) also allows s3:ListBucket without a prefix
     * condition, because HeadBucket is authorised by s3:ListBucket and carries no prefix: barman-cloud
     * calls it before every archive and backup and fails on a 403 (barman/cloud_providers/aws_s3.py
     * `_check_bucket_existence` re-raises anything but 404). Object access stays under the prefix.
     */
    accessPolicy(prefix: string, region: string, opts: { headBucket?: boolean } = {}): pulumi.Output<string> {
        return pulumi.all([this.arn, this.kmsKeyArn]).apply(([arn, keyArn]) =>
            iamPolicy([
                opts.headBucket
                    ? { Sid: "FindTheBucketAndListIt", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: arn }
                    : {
                          Sid: "ListThePrefix",
                          Effect: "Allow",
                          Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                          Resource: arn,
                          Condition: { StringLike: { "s3:prefix": `${prefix}*` } },
                      },
                {
                    Sid: "ObjectsUnderThePrefix",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                    Resource: `${arn}/${prefix}*`,
                },
                {
                    Sid: "TheBucketKeyThroughS3",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: keyArn,
                    Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
                },
            ]),
        );
    }
}
