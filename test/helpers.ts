import * as pulumi from "@pulumi/pulumi";
import { ResourceRecord, runStack, RunResult } from "../harness";

export const STACKS = ["dev", "staging", "prod"] as const;

const cache = new Map<string, Promise<RunResult>>();

/** The program's registrations for a stack, computed once per test process. */
export function stackRun(stack: string): Promise<RunResult> {
    if (!cache.has(stack)) cache.set(stack, runStack(stack));
    return cache.get(stack)!;
}

/** Resolves an Output in a test without `done` callbacks (pulumi/examples style). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

export function ofType(resources: ResourceRecord[], type: string): ResourceRecord[] {
    return resources.filter((r) => r.type === type);
}

export function one(resources: ResourceRecord[], type: string, name?: string): ResourceRecord {
    const found = ofType(resources, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}

/** Every string anywhere inside a value. */
export function strings(v: unknown): string[] {
    if (typeof v === "string") return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === "object") return Object.values(v).flatMap(strings);
    return [];
}

export function get(obj: unknown, path: string): any {
    return path.split(".").reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}
