/**
 * The spectrogram of the waveform's visible window, drawn on a canvas from the columns the
 * store fetches by Range requests (spectrogram.ts). It redraws when the window moves (zoom,
 * scroll), never on playhead ticks. A window too long to fetch says "zoom in" instead.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import type { UiState } from "../../uiState";
import { useUiState } from "../../uiState";
import type { View } from "./link";
import type { SpectrogramInfo } from "./source";
import { columnsToImage, MAX_COLUMNS, SpectrogramStore } from "./spectrogram";

export function Spectrogram({ info, url, view, height }: { info: SpectrogramInfo; url: string; view: UiState<View>; height: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useMemo(() => new SpectrogramStore(info, url), [info, url]);
  const shown = useUiState(view);
  const [note, setNote] = useState<string | null>(null);
  const [drawnKey, setDrawnKey] = useState("");

  useEffect(() => {
    const c = canvas.current;
    if (!c || shown.end <= shown.start) return;
    const first = Math.floor(shown.start * info.column_rate);
    const last = Math.min(info.columns - 1, Math.ceil(shown.end * info.column_rate));
    if (last - first + 1 > MAX_COLUMNS) {
      setNote(`Zoom in (Z) to see the spectrogram: it is drawn for windows up to ${Math.round(MAX_COLUMNS / info.column_rate / 60)} minutes.`);
      c.getContext("2d")?.clearRect(0, 0, c.width, c.height);
      return;
    }
    let current = true;
    store
      .columns(first, last)
      .then((data) => {
        if (!current) return;
        const width = Math.max(1, Math.round(c.clientWidth * (window.devicePixelRatio || 1)));
        if (c.width !== width) c.width = width;
        c.height = info.bins;
        const ctx = c.getContext("2d");
        const image = columnsToImage(data, info.bins);
        if (!ctx || !image) return;
        const off = document.createElement("canvas");
        off.width = image.width;
        off.height = image.height;
        off.getContext("2d")?.putImageData(image, 0, 0);
        // Column k covers [k, k + 1) / column_rate seconds: place it where its time falls.
        const span = shown.end - shown.start;
        const x0 = ((first / info.column_rate - shown.start) / span) * width;
        const w = (image.width / info.column_rate / span) * width;
        ctx.clearRect(0, 0, width, info.bins);
        ctx.imageSmoothingEnabled = image.width < width;
        ctx.drawImage(off, x0, 0, w, info.bins);
        setNote(null);
        setDrawnKey(`${first}-${last}`);
      })
      .catch((e: unknown) => current && setNote(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [store, shown, info]);

  return (
    <div className="audio-spectrogram" style={{ height }} data-spectrogram-drawn={drawnKey}>
      <canvas ref={canvas} className="audio-spectrogram-canvas" style={{ height }} aria-label={`Spectrogram up to ${Math.round(info.max_hz)} Hz`} />
      {note ? <p className="audio-spectrogram-note muted small">{note}</p> : null}
    </div>
  );
}
