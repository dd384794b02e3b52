// Typed linting for every workspace. Rules that catch real bugs in Effect code (floating
// promises, misused promises, unsafe any) are on; purely stylistic ones are left to the reader.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.js", "**/*.mjs", "**/*.cjs", "**/*.d.mts", "**/vitest.config.ts", "vitest.shared.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // Effect generators legitimately yield* without awaiting; require-yield fights Effect.gen.
      "require-yield": "off",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-namespace": "off"
    }
  },
  {
    files: ["**/test/**/*.ts", "**/bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-non-null-assertion": "off"
    }
  }
)
