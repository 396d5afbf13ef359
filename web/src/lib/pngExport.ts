// A chart (an inline SVG styled by the page's CSS) as a PNG download: the computed styles are written onto a
// copy, so the picture looks as on screen, then the copy is drawn on a canvas at twice its size.
const STYLE_PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray",
  "opacity", "font-size", "font-family", "font-weight", "text-anchor", "dominant-baseline", "visibility"];

/** Copy the computed presentation of every element of `source` onto the matching element of `copy`. */
export function inlineStyles(source: Element, copy: Element): void {
  const style = window.getComputedStyle(source);
  const inline = STYLE_PROPS.map((p) => [p, style.getPropertyValue(p)] as const).filter(([, v]) => v);
  if (inline.length) copy.setAttribute("style", inline.map(([p, v]) => `${p}:${v}`).join(";"));
  const from = Array.from(source.children);
  const to = Array.from(copy.children);
  from.forEach((child, i) => to[i] && inlineStyles(child, to[i]));
}

export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const box = svg.viewBox.baseVal;
  const width = box && box.width ? box.width : svg.clientWidth;
  const height = box && box.height ? box.height : svg.clientHeight;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", String(width * scale));
  copy.setAttribute("height", String(height * scale));
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width * scale;
  canvas.height = height * scale;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser cannot draw on a canvas");
  context.fillStyle = "#ffffff"; // a transparent PNG is unreadable on dark backgrounds
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("no PNG"))),
    "image/png"));
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function fileStem(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "chart";
}
