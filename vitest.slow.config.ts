import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.slow.test.ts"],
    exclude: ["**/node_modules/**", "dist/**"],
    setupFiles: ["./src/polyfill.ts"],
    testTimeout: 600_000,
    pool: "forks",
  },
});
