/**
 * Mocha root hooks. Mocha re-emits unhandled rejections without failing the test, and Pulumi
 * registration errors surface only that way, so a test could pass with half the resources
 * registered. Collect them and fail the test that caused them.
 */
const rejections: unknown[] = [];
process.on("unhandledRejection", (reason) => {
    // The harness already rethrew this program failure to its caller (it marks such errors);
    // the Stack resource rejecting the same error a tick later is not a second failure.
    if (reason && typeof reason === "object" && "registeredResources" in reason) return;
    rejections.push(reason);
});

export const mochaHooks = {
    afterEach(): void {
        if (rejections.length > 0) {
            const first = rejections.splice(0)[0];
            throw first instanceof Error ? first : new Error(`unhandled rejection: ${String(first)}`);
        }
    },
};
