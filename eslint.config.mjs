// ESLint flat config: typescript-eslint's recommended rules (syntax-only, fast), Prettier owns formatting.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "**/node_modules/", "out/", "bin/", "apps/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    prettier,
    {
        rules: {
            // The harness and policy code handle untyped engine payloads (protobuf, JSON exports).
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": ["error", { allow: ["^@pulumi/pulumi/", "package\\.json$"] }],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
);
