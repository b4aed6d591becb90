import { defineConfig } from '@playwright/test';

// Playwright drives Debian's Chromium (apt-get install chromium); it never
// downloads a browser of its own. The web server is the real podpath binary,
// built from this checkout and started with a fixed seed and scenario.

const HOST = '127.0.0.1';
const PORT = Number(process.env.PODPATH_E2E_PORT || 18080);
export const BASE_URL = `http://${HOST}:${PORT}`;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // The specs share one server and change its cluster: run them one at a
  // time, each file resetting the state it relies on.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.PODPATH_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    // A fresh state directory per run: no room of an earlier run comes back.
    command: `go build -o ../bin/podpath-e2e-${PORT} .. && rm -rf ../bin/e2e-state-${PORT} && exec ../bin/podpath-e2e-${PORT} -addr ${HOST}:${PORT} -seed 1 -scenario shop -log-level warn -state-dir ../bin/e2e-state-${PORT}`,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
