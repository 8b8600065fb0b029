import tseslint from "typescript-eslint";

// The root config leaves dashboard/ out (its .vue files need Vue's parser, which the project
// does not install); here the TypeScript modules get the same type-checked rules as the other
// workspaces, and vue-tsc type-checks the components (npm run typecheck).
export default tseslint.config(
  { ignores: ["dist/**", "test-results/**", "**/*.vue"] },
  {
    files: ["src/**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
