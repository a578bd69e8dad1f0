import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { hashBuildContext } from "./contextHash";

export { hashBuildContext } from "./contextHash";

export interface AppImageArgs {
    /** Repository name, e.g. `shop-dev/storefront`. */
    repositoryName: string;
    /** Directory holding the Dockerfile, relative to the project directory (`apps/<app>`): kept relative so state does not differ between machines. */
    context: string;
    /** How many images the lifecycle policy keeps. */
    keepImages: number;
    /** Allow deleting the repository while it holds images (never in prod). */
    forceDelete: boolean;
    /** Mark the repository `protect` (its images are the releases). Defaults to false. */
    protect?: boolean;
    /** Target platform of the nodes. Defaults to linux/amd64 (the node groups' AMI type and the Karpenter pool's arch). */
    platform?: string;
}

/**
 * One application image: an ECR repository (scan on push, immutable tags, KMS encryption,
 * lifecycle policy) and a Docker build pushed to it. The tag is a hash of everything that decides
 * the image (context, Dockerfile, .dockerignore, platform), never `latest`; workloads use {@link imageRef}, the digest-pinned reference.
 */
export class AppImage extends pulumi.ComponentResource {
    readonly repositoryUrl: pulumi.Output<string>;
    readonly repositoryArn: pulumi.Output<string>;
    /** The content-derived tag (first 16 hex digits of the context hash). */
    readonly tag: string;
    /** `repo@sha256:…`: what every Deployment must reference. */
    readonly imageRef: pulumi.Output<string>;

    constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:images:AppImage", name, {}, opts);
        if (args.keepImages < 1) throw new Error(`AppImage ${name}: keepImages must be >= 1`);
        const parent = { parent: this };

        const repository = new aws.ecr.Repository(
            name,
            {
                name: args.repositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                forceDelete: args.forceDelete,
            },
            { ...parent, protect: args.protect },
        );
        new aws.ecr.LifecyclePolicy(
            name,
            {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: `Keep the last ${args.keepImages} images`,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            parent,
        );

        const platform = args.platform ?? "linux/amd64";
        this.tag = hashBuildContext(path.resolve(args.context), { platform }).slice(0, 16);
        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
        const image = new docker.Image(
            name,
            {
                imageName: pulumi.interpolate`${repository.repositoryUrl}:${this.tag}`,
                build: { context: args.context, dockerfile: `${args.context}/Dockerfile`, platform },
                registry: { server: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
            },
            parent,
        );

        this.repositoryUrl = repository.repositoryUrl;
        this.repositoryArn = repository.arn;
        this.imageRef = image.repoDigest;
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, repositoryArn: this.repositoryArn, tag: this.tag, imageRef: this.imageRef });
    }
}
