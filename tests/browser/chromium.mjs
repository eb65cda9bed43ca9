// Debian's Chromium as every browser test here starts it (playwright-core, no bundled
// browser; CHROMIUM overrides the path).
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // As root in a container Chromium needs --no-sandbox; the rest keep it off the closed
    // network (no background fetches, updates or sync).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
