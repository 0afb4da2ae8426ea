import { defineConfig } from "vitest/config";

// The integration suite against the real OpenStack lab (test/openstack-lab/).
// Run it with `npm run test:openstack`, which starts or reuses the lab first.
// Why single file at a time: every test file shares one lab (the src and dst
// projects), and the services run one worker each; parallel files would
// interleave their resources and make quota and listing checks flaky.
export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 600_000,
    // ensureLab() may install and start the whole lab: minutes on a fresh machine
    hookTimeout: 1_200_000,
    teardownTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    clearMocks: true,
    restoreMocks: true,
  },
});
