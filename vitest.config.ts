import { defineConfig } from "vitest/config";

// The default suite: everything that needs no root and no extra services.
// Real-OpenStack tests live in test/integration/ and run with vitest.openstack.config.ts;
// real-Kubernetes tests live in test/kube-integration/ and run with vitest.kube.config.ts.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "test/kube-integration/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    clearMocks: true,
    restoreMocks: true,
    pool: "forks",
  },
});
