import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "dashboard/**", "scripts/**", "bench/**", "*.config.*", "agent/dist-bundle/**", "agent/scripts/**", "docker/**", "**/*.mjs"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The tests of shared, broker, agent and manager: each workspace's tsconfig.json leaves them
    // out of the build, its tsconfig.test.json type-checks them, and the linter takes its types
    // from there. The rules above apply, less the ones below.
    files: ["*/src/**/*.test.ts", "*/test/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: false, project: ["*/tsconfig.test.json"], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Fakes implement async interfaces (exec, connect, readFile) with values at hand; an `async`
      // body without `await` is the plainest way to return the promise the interface asks for.
      "@typescript-eslint/require-await": "off",
      // vitest types its asymmetric matchers (expect.any(String), expect.stringContaining(...)) as
      // `any`, and expected objects are built from them.
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    // Cross-process tests read raw wire JSON (JSON-RPC lines, MQTT payloads, REST bodies, the
    // OpenAPI and OpenRPC documents) and walk it in the very expect() calls that check its shape;
    // a declared type there would be a cast, checked by nothing. Unit tests beside the code keep these rules.
    files: ["*/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
);
