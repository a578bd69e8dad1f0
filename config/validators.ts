/** Shared zod validators and parsers of the configuration table (plain functions, no Pulumi). */
import * as ipaddr from "ipaddr.js";
import { z } from "zod";

/** The retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const positiveInt = z.number().int("must be a whole number").positive("must be greater than 0");

export const retention = z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `must be a CloudWatch retention value (${LOG_RETENTION_DAYS.slice(0, 12).join(", ")}, …)`,
    });

/** Parses an IPv4 CIDR; host bits set (10.0.0.1/16) are refused: AWS would silently round, users should see it. */
export function parseCidr(s: string): { bits: number; address: string } | undefined {
    try {
        if (!ipaddr.IPv4.isValidCIDR(s)) return undefined;
        const [addr, bits] = ipaddr.IPv4.parseCIDR(s);
        const network = ipaddr.IPv4.networkAddressFromCIDR(s).toString();
        if (network !== addr.toString()) return undefined;
        return { bits, address: network };
    } catch {
        return undefined;
    }
}

export const isOpenCidr = (s: string) => parseCidr(s)?.bits === 0;

export const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { message: "must be an IPv4 CIDR such as 10.0.0.0/16" });

export const iamPrincipalArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "must be an IAM role or user ARN (arn:aws:iam::<12-digit account>:role/<name>)");

export const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large");

export const tagValue = z
    .string()
    .min(1, "must not be empty")
    .max(256, "must be at most 256 characters")
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "may contain only letters, digits, spaces and _ . : / = + - @");

/** Levenshtein distance: unknown keys are matched to the real key a typo came from. */
export function editDistance(a: string, b: string): number {
    const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) dp[0][j] = j;
    for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return dp[a.length][b.length];
}
