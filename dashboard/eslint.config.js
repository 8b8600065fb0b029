import pluginVue from "eslint-plugin-vue";
import tseslint from "typescript-eslint";

// The root config leaves dashboard/ out; here the TypeScript modules and the single-file
// components get the same type-checked rules as the other workspaces, the components also
// eslint-plugin-vue's recommended rules (vue-tsc type-checks their templates: npm run typecheck).
const typeChecked = {
  "@typescript-eslint/no-floating-promises": "error",
  "@typescript-eslint/switch-exhaustiveness-check": "error",
  "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
};

export default tseslint.config(
  { ignores: ["dist/**", "test-results/**"] },
  {
    files: ["src/**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: typeChecked,
  },
  {
    // The end-to-end tests (real Chromium, real manager), typed by tsconfig.node.json.
    files: ["test/**/*.ts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: ["tsconfig.node.json"], tsconfigRootDir: import.meta.dirname } },
    rules: typeChecked,
  },
  {
    files: ["src/**/*.vue"],
    extends: [...tseslint.configs.recommendedTypeChecked, ...pluginVue.configs["flat/recommended"]],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: [".vue"] },
    },
    rules: {
      ...typeChecked,
      // Layout is the formatter's job (prettier), not the linter's.
      "vue/max-attributes-per-line": "off",
      "vue/singleline-html-element-content-newline": "off",
      "vue/multiline-html-element-content-newline": "off",
      "vue/html-self-closing": "off",
      "vue/html-indent": "off",
      "vue/html-closing-bracket-newline": "off",
      "vue/first-attribute-linebreak": "off",
      // The rule keeps component names from clashing with HTML elements; "Sparkline" is one
      // English word and no HTML element.
      "vue/multi-word-component-names": ["error", { ignores: ["Sparkline"] }],
    },
  },
);
