/**
 * Mocha root hooks. Mocha re-emits unhandled rejections without failing the test, and Pulumi
 * registration errors surface only that way, so a test could pass with half the resources
 * registered. Collect them and fail the test that caused them.
 */
const rejections: unknown[] = [];
process.on("unhandledRejection", (reason) => rejections.push(reason));

// The harness already rethrew a program failure to its caller and marks every copy of it (the
// failing Output, the resource serialising it, the Stack) once the run settles: not a second failure.
const rethrown = (reason: unknown) => reason !== null && typeof reason === "object" && "registeredResources" in reason;

export const mochaHooks = {
    afterEach(): void {
        const open = rejections.splice(0).filter((r) => !rethrown(r));
        if (open.length > 0) {
            const first = open[0];
            throw first instanceof Error ? first : new Error(`unhandled rejection: ${String(first)}`);
        }
    },
};
