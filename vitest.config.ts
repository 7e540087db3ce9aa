import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/**/*.test.ts",
      "consensus/**/*.test.ts",
      "network/**/*.test.ts",
      "testnet/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    exclude: ["**/*.slow.test.ts", "**/node_modules/**", "dist/**"],
    setupFiles: ["./src/polyfill.ts"],
    testTimeout: 60_000,
    pool: "forks",
    // The JSON report feeds the summary line printed by .ci/run.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" },
  },
});
