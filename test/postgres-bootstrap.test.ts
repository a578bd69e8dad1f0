/**
 * The PostgreSQL bootstrap script the cluster runs (components/data/postgres.ts), executed for
 * real against a throwaway PostgreSQL server (apps/testing/servers.sh): it must be idempotent and
 * give the storefront an owner role and the catalog a read-only one.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bootstrapSql, DatabaseRole } from "../components/data/postgres";

const SERVERS = path.resolve(__dirname, "..", "apps", "testing", "servers.sh");
const PGBIN = process.env.PGBIN ?? "/usr/lib/postgresql/15/bin";
const ROLES: DatabaseRole[] = [
    { name: "storefront", access: "owner" },
    { name: "catalog", access: "readonly" },
];

function run(cmd: string, args: string[], env: Record<string, string> = {}): { status: number; out: string } {
    const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8" });
    return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

describe("PostgreSQL bootstrap against a real server", function () {
    this.timeout(120_000);
    let dir = "";
    let port = "";
    const superPw = "bootstrap-test-superuser";
    const pw = { storefront: "sf-test-password-1", catalog: "cat-test-password-1" };
    const sqlFile = path.join(os.tmpdir(), `bootstrap-${process.pid}.sql`);

    const psql = (user: string, password: string, db: string, sql: string) =>
        run(`${PGBIN}/psql`, ["-h", "127.0.0.1", "-p", port, "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-Atc", sql], { PGPASSWORD: password });
    const bootstrap = () =>
        run(
            `${PGBIN}/psql`,
            [
                "-h",
                "127.0.0.1",
                "-p",
                port,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                `storefront_password=${pw.storefront}`,
                "-v",
                `catalog_password=${pw.catalog}`,
                "-f",
                sqlFile,
            ],
            { PGPASSWORD: superPw },
        );

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgboot-"));
        port = run("bash", [SERVERS, "free-port"]).out.trim();
        const started = run("bash", [SERVERS, "pg-start", dir, port, superPw]);
        assert.equal(started.status, 0, started.out);
        // The helper creates `shop` for the app suites; the cluster starts without it.
        assert.equal(psql("postgres", superPw, "postgres", "DROP DATABASE shop").status, 0);
        fs.writeFileSync(sqlFile, bootstrapSql("shop", ROLES));
    });

    after(() => {
        run("bash", [SERVERS, "pg-stop", dir]);
        fs.rmSync(sqlFile, { force: true });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs twice without error (idempotent) and creates the database owned by the storefront", () => {
        const first = bootstrap();
        assert.equal(first.status, 0, first.out);
        const second = bootstrap();
        assert.equal(second.status, 0, second.out);
        assert.equal(psql("postgres", superPw, "postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'").out.trim(), "storefront");
    });

    it("the storefront owns the schema: it creates tables (its migrations) and writes", () => {
        const r = psql(
            "storefront",
            pw.storefront,
            "shop",
            "CREATE TABLE products (sku text PRIMARY KEY); INSERT INTO products VALUES ('SKU-1'); SELECT count(*) FROM products",
        );
        assert.equal(r.status, 0, r.out);
        assert.equal(r.out.trim().split("\n").pop(), "1");
    });

    it("the catalog reads tables created later, and can neither write nor create", () => {
        assert.equal(psql("catalog", pw.catalog, "shop", "SELECT sku FROM products").out.trim(), "SKU-1");
        const write = psql("catalog", pw.catalog, "shop", "INSERT INTO products VALUES ('SKU-2')");
        assert.notEqual(write.status, 0);
        assert.match(write.out, /permission denied/);
        const create = psql("catalog", pw.catalog, "shop", "CREATE TABLE t (x int)");
        assert.notEqual(create.status, 0);
        assert.match(create.out, /permission denied/);
    });

    it("neither app role is a superuser or may create roles or databases; wrong passwords are refused", () => {
        const attrs = psql(
            "postgres",
            superPw,
            "postgres",
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname IN ('storefront','catalog') ORDER BY 1",
        );
        assert.equal(attrs.out.trim(), "catalog|f|f|f\nstorefront|f|f|f");
        assert.notEqual(psql("catalog", "wrong", "shop", "SELECT 1").status, 0);
    });

    it("re-running with a new password rotates it", () => {
        pw.catalog = "cat-test-password-2";
        assert.equal(bootstrap().status, 0);
        assert.equal(psql("catalog", pw.catalog, "shop", "SELECT 1").out.trim(), "1");
        assert.notEqual(psql("catalog", "cat-test-password-1", "shop", "SELECT 1").status, 0);
    });
});
