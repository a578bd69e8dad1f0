/** Container image references: `[registry/]path[:tag][@digest]`. */
export interface ImageRef {
    registry: string;
    path: string;
    tag?: string;
    digest?: string;
    /** `registry/path[:tag][@digest]` with Docker Hub defaults filled in. */
    normalized: string;
}

export function parseImage(image: string): ImageRef {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    const first = rest.split("/")[0];
    let registry: string;
    let path: string;
    if (rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
        registry = first;
        path = rest.slice(first.length + 1);
    } else {
        registry = "docker.io";
        path = rest.includes("/") ? rest : `library/${rest}`;
    }
    const normalized = `${registry}/${path}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
    return { registry, path, tag, digest, normalized };
}
