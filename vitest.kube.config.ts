import { defineConfig } from "vitest/config";

// The integration suite against real Kubernetes API servers (test/kube-lab/).
// Run it with `npm run test:kube`, which starts or reuses the four lab servers
// first. Why one file at a time: the files share the lab's servers, and two
// files creating and deleting in the same namespaces would make counts flaky;
// the API servers also share two CPU cores with everything else.
export default defineConfig({
  test: {
    include: ["test/kube-integration/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    clearMocks: true,
    restoreMocks: true,
  },
});
