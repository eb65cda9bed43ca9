// Opens the Swagger UI page in headless Chromium and prints, as JSON, the API title it
// rendered, how many operations it lists, and any Content-Security-Policy violations.
// Usage: node docs.mjs DOCS_URL
import { launchChromium } from './chromium.mjs';

const url = process.argv[2];
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const violations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await page.goto(url);
  await page.waitForSelector('.opblock', { timeout: 20000 });
  const result = await page.evaluate(() => ({
    title: document.querySelector('.information-container .title')?.textContent ?? null,
    operations: document.querySelectorAll('.opblock').length,
  }));
  result.violations = violations;
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}
