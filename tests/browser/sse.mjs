// Reads anbaa's change stream until `count` events arrived (or `seconds` passed) and prints
// what it saw as JSON on stdout: the events (id, type, parsed data) and how many times the
// connection failed and was resumed.
//   node sse.mjs node STREAM_URL COUNT SECONDS     the npm EventSource client (eventsource)
//   node sse.mjs browser PAGE_URL COUNT SECONDS    an EventSource in headless Chromium, in a
//                                                  page served from another origin
import { EventSource } from 'eventsource';
import { launchChromium } from './chromium.mjs';

const [mode, url, countArg, secondsArg] = process.argv.slice(2);
const count = Number(countArg);
const deadline = Date.now() + Number(secondsArg) * 1000;
if (!['node', 'browser'].includes(mode) || !url || !(count > 0)) {
  console.error('usage: node sse.mjs node|browser URL COUNT SECONDS');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function viaNode() {
  const seen = { events: [], errors: 0 };
  const es = new EventSource(url);
  const keep = (e) => seen.events.push({ id: e.lastEventId, type: e.type, data: JSON.parse(e.data) });
  es.addEventListener('upsert', keep);
  es.addEventListener('delete', keep);
  es.onerror = () => { seen.errors += 1; };
  while (seen.events.length < count && Date.now() < deadline) await sleep(20);
  es.close();
  return seen;
}

async function viaBrowser() {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    let seen = { events: [], errors: 0 };
    while (Date.now() < deadline) {
      seen = await page.evaluate(() => window.__seen);
      if (seen.events.length >= count) break;
      await sleep(50);
    }
    return seen;
  } finally {
    await browser.close();
  }
}

const seen = mode === 'node' ? await viaNode() : await viaBrowser();
process.stdout.write(JSON.stringify(seen) + '\n');
process.exit(0);
