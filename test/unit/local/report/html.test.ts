import { describe, expect, it } from "vitest";
import { renderReport } from "../../../../local/report/html";
import { sampleReport } from "../../../../local/report/sample";

describe("renderReport", () => {
  it("is one self-contained page: Chart.js and the data inlined, six charts", () => {
    const html = renderReport(sampleReport());
    expect(html).toMatch(/^<!doctype html>/);
    // Booleans, not matchers on the page: a failure would print 200 kB of Chart.js.
    expect(/<script[^>]+src=/.test(html)).toBe(false);
    expect(/(src|href)="https?:/.test(html)).toBe(false);
    expect(html.match(/<canvas id="/g)).toHaveLength(6);
    expect(html.includes("Chart.js")).toBe(true);
  });

  it("escapes text and keeps the inlined data from closing its script element", () => {
    const report = sampleReport();
    report.title = "<b>title</b>";
    report.controllers = [{ name: "x</script><script>alert(1)", converged: false, detail: "&" }];
    const html = renderReport(report);
    expect(html.includes("&lt;b&gt;title&lt;/b&gt;")).toBe(true);
    expect(html.includes("x</script>")).toBe(false);
    expect(html.includes("did not converge")).toBe(true);
  });

  it("plots against time on a linear axis, marks the phases and shows the clock and the seed", () => {
    const report = sampleReport();
    const html = renderReport(report);
    // The data carry the times, unevenly spaced; the axis is linear, never a category axis.
    expect(html.includes('x: { type: "linear"')).toBe(true);
    expect(html.includes("labels: seconds")).toBe(false);
    expect(html.includes("afterDatasetsDraw")).toBe(true);
    expect(html.includes("clock ×30")).toBe(true);
    expect(html.includes("DEMAND_SEED=42")).toBe(true);
    expect(html.includes('series("drainingHosts"')).toBe(true);
    // Latency alone on its chart: requests/s has another unit and stays in the table.
    expect(html.includes('labels: ["p50", "p90", "p99", "max"]')).toBe(true);
    expect(html.includes('"max", "requests/s"]')).toBe(false);
  });
});
