import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** Debian's `chromium` package; playwright-core drives it and downloads no browser of its own. */
export const chromiumPath = "/usr/bin/chromium";

/**
 * Headless Chromium as the report test and the screenshot both need it: no sandbox (it
 * runs as root in CI containers), no GPU, and none of the background traffic a first run
 * starts (there is no network here).
 */
export function launchHeadlessChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Renders the report page at `reportPath` and writes a full-page PNG to `imagePath`. */
export async function screenshotReport(reportPath: string, imagePath: string): Promise<void> {
  if (!existsSync(reportPath)) {
    throw new Error(`${reportPath} does not exist: run npm start first, it writes the report`);
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found: install the Debian package chromium`);
  }
  const browser = await launchHeadlessChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await tab.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });
    await tab.screenshot({ path: imagePath, fullPage: true });
  } finally {
    await browser.close();
  }
}
