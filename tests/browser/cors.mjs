// Opens a page in headless Chromium and prints what its script saw, as JSON on stdout.
// Usage: node cors.mjs PAGE_URL
// The page (served by tests/api/browser.rs from another origin) fetches the API and stores
// its findings in window.__result.
import { launchChromium } from './chromium.mjs';

const pageUrl = process.argv[2];
if (!pageUrl) {
  console.error('usage: node cors.mjs PAGE_URL');
  process.exit(2);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(msg.text()));
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 20000 });
  const result = await page.evaluate(() => window.__result);
  result.console = consoleLines;
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}
