import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { sampleReport } from "../../../local/report/sample";
import { chromiumPath, launchHeadlessChromium } from "../../../local/report/screenshot";
import { writeReport } from "../../../local/report/write";
import { projectRoot } from "../../../local/template/read";

const present = existsSync(chromiumPath);
if (!present) console.warn("report test skipped: install the Debian package `chromium`");

describe("report/index.html in headless Chromium", () => {
  it.skipIf(!present)("opens without console errors and every chart draws pixels", async () => {
    // Prepare: the sample figures, so the page is checked without running the scenario.
    const dir = join(projectRoot, "report");
    mkdirSync(dir, { recursive: true });
    const page = writeReport(sampleReport(), join(dir, "sample.html"));
    const browser = await launchHeadlessChromium();
    try {
      const tab = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
      const problems: string[] = [];
      tab.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      tab.on("pageerror", (error) => problems.push(error.message));

      // Act
      await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
      // Runs in the page; the project compiles without DOM types, so name the little it uses.
      interface PageCanvas {
        id: string;
        width: number;
        height: number;
        getContext(kind: "2d"): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        } | null;
      }
      const inked = await tab.evaluate(() =>
        [
          ...(
            globalThis as unknown as {
              document: { querySelectorAll(selector: string): Iterable<PageCanvas> };
            }
          ).document.querySelectorAll("canvas"),
        ].map((canvas) => {
          const context = canvas.getContext("2d");
          if (context === null) return { id: canvas.id, inked: 0, red: 0 };
          const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
          let count = 0;
          let red = 0;
          for (let i = 3; i < data.length; i += 4) {
            if ((data[i] ?? 0) > 0) count++;
            // #cf222e: no series of the right-sizing chart has it, only consolidation steps.
            if (data[i - 3] === 207 && data[i - 2] === 34 && data[i - 1] === 46) red++;
          }
          return { id: canvas.id, inked: count, red };
        }),
      );
      // Where the marker plugins put each label (charts.ts keeps them on the chart).
      interface LabelBox {
        text: string;
        left: number;
        right: number;
        top: number;
        bottom: number;
      }
      const labels = await tab.evaluate(() => {
        const page = globalThis as unknown as {
          document: { querySelectorAll(selector: string): Iterable<PageCanvas> };
          Chart: {
            getChart(
              canvas: PageCanvas,
            ):
              | { markerLabels?: Record<string, LabelBox[]>; chartArea: { right: number } }
              | undefined;
          };
        };
        return [...page.document.querySelectorAll("canvas")].flatMap((canvas) => {
          const chart = page.Chart.getChart(canvas);
          if (chart?.markerLabels === undefined) return [];
          return [{ id: canvas.id, right: chart.chartArea.right, byMarker: chart.markerLabels }];
        });
      });
      await tab.screenshot({ path: join(dir, "screenshot.png"), fullPage: true });

      // Assess
      expect(problems).toEqual([]);
      expect(inked.map((canvas) => canvas.id)).toEqual([
        "right-sizing",
        "demand",
        "hosts",
        "reservation",
        "benchmark",
        "rollout",
      ]);
      for (const canvas of inked) expect(canvas.inked, canvas.id).toBeGreaterThan(1000);
      // Each consolidation step is marked where it happened.
      expect(inked.find((canvas) => canvas.id === "right-sizing")?.red).toBeGreaterThan(100);
      // Every phase is labelled on every timeline chart, and no two labels overlap, even
      // for phases seconds apart; none runs off the plot's right edge.
      const report = sampleReport();
      expect(labels.map((chart) => chart.id)).toEqual([
        "right-sizing",
        "demand",
        "hosts",
        "reservation",
      ]);
      for (const chart of labels) {
        expect(
          chart.byMarker.phaseMarkers?.map((box) => box.text),
          chart.id,
        ).toEqual(report.phases?.map((phase) => phase.label));
        const boxes = Object.values(chart.byMarker).flat();
        const overlaps = boxes.flatMap((a, i) =>
          boxes
            .slice(i + 1)
            .filter(
              (b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom,
            )
            .map((b) => `${a.text} × ${b.text}`),
        );
        expect(overlaps, chart.id).toEqual([]);
        expect(
          boxes.filter((box) => box.right > chart.right).map((box) => box.text),
          chart.id,
        ).toEqual([]);
      }
    } finally {
      await browser.close();
    }
  });
});
