import { describe, expect, it } from "vitest";
import { renderReport } from "../../../../local/report/html";
import { sampleReport } from "../../../../local/report/sample";

describe("renderReport", () => {
  it("is one self-contained page: Chart.js and the data inlined, five charts", () => {
    const html = renderReport(sampleReport());
    expect(html).toMatch(/^<!doctype html>/);
    // Booleans, not matchers on the page: a failure would print 200 kB of Chart.js.
    expect(/<script[^>]+src=/.test(html)).toBe(false);
    expect(/(src|href)="https?:/.test(html)).toBe(false);
    expect(html.match(/<canvas id="/g)).toHaveLength(5);
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
});
