import { describe, expect, it } from "vitest";

import { fileStem, inlineStyles } from "./pngExport";

describe("chart PNG export", () => {
  it("writes the page's computed styles onto the copy it draws", () => {
    document.head.insertAdjacentHTML("beforeend", "<style>.bar { fill: rgb(1, 2, 3); stroke-width: 2px; }</style>");
    document.body.innerHTML = '<svg viewBox="0 0 10 10"><g><rect class="bar" width="5" height="5"/></g></svg>';
    const svg = document.querySelector("svg")!;
    const copy = svg.cloneNode(true) as SVGSVGElement;
    inlineStyles(svg, copy);
    const style = copy.querySelector("rect")!.getAttribute("style") ?? "";
    expect(style).toContain("fill:rgb(1, 2, 3)");
    expect(style).toContain("stroke-width:2px");
  });
  it("names files after the chart", () => {
    expect(fileStem("Optimization history")).toBe("optimization-history");
    expect(fileStem("Accuracy vs health")).toBe("accuracy-vs-health");
  });
});
