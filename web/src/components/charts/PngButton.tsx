// "PNG" on a chart card: the card's chart as a picture file.
import { type RefObject, useState } from "react";

import { downloadBlob, fileStem, svgToPng } from "../../lib/pngExport";

export function PngButton({ card, title }: { card: RefObject<HTMLElement | null>; title: string }) {
  const [error, setError] = useState<string | null>(null);
  async function save() {
    const svg = card.current?.querySelector("svg");
    if (!svg) return;
    try {
      downloadBlob(await svgToPng(svg), `${fileStem(title)}.png`);
      setError(null);
    } catch (err) {
      setError(String(err));
    }
  }
  return (
    <>
      <button type="button" className="link png-button" onClick={save} aria-label={`Download ${title} as PNG`}>
        PNG
      </button>
      {error && <span className="form-error">{error}</span>}
    </>
  );
}
