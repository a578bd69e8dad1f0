/**
 * The Redis arguments the cluster runs (components/data/redis.ts), executed for real with the
 * Debian redis-server: AUTH from the config file (never the command line), LRU eviction, maxmemory.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { redisAuthConf, redisServerArgs } from "../components/data/redis";

async function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const srv = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

describe("Redis arguments against a real redis-server", function () {
    this.timeout(30_000);
    const password = "redis-test-password-42";
    let dir = "";
    let port = 0;
    let server: ChildProcess | undefined;
    const cli = (...args: string[]) => spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8" });

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-args-"));
        fs.writeFileSync(path.join(dir, "redis.conf"), redisAuthConf(password), { mode: 0o600 });
        port = await freePort();
        const args = [
            ...redisServerArgs({ persistence: true, maxMemoryMb: 64 }, dir, path.join(dir, "redis.conf")),
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
        ];
        server = spawn("redis-server", args, { stdio: "ignore" });
        for (let i = 0; i < 100; i++) {
            if (cli("--no-auth-warning", "-a", password, "ping").stdout.trim() === "PONG") return;
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error("redis-server did not start");
    });

    after(() => {
        server?.kill("SIGTERM");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("requires the password from the config file, and it is not on the command line", () => {
        assert.match(cli("ping").stdout, /NOAUTH/);
        assert.equal(cli("--no-auth-warning", "-a", "wrong", "ping").stdout.includes("PONG"), false);
        assert.equal(cli("--no-auth-warning", "-a", password, "ping").stdout.trim(), "PONG");
        const cmdline = fs.readFileSync(`/proc/${server!.pid}/cmdline`, "utf8");
        assert.ok(!cmdline.includes(password), "password visible in the process list");
    });

    it("evicts with allkeys-lru under maxmemory, with AOF on", () => {
        const get = (key: string) => cli("--no-auth-warning", "-a", password, "config", "get", key).stdout.trim().split("\n")[1];
        assert.equal(get("maxmemory-policy"), "allkeys-lru");
        assert.equal(get("maxmemory"), String(64 * 1024 * 1024));
        assert.equal(get("appendonly"), "yes");
        assert.equal(get("dir"), fs.realpathSync(dir));
    });
});
