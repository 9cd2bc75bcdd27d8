/**
 * A chart drawn by Chart.js. The library is loaded on first use, in a chunk of its own, so the
 * dashboard's tables paint without waiting for it (and no other screen downloads it); only the
 * parts used here are registered.
 */
import { useEffect, useRef } from "react";
import type { Chart as ChartJs, ChartConfiguration, ChartData } from "chart.js";

export const COLORS = ["#2f6fde", "#e07b39", "#3a9d5d", "#b8475f", "#7d5fc4", "#8a8a8a", "#c9a227", "#2aa3b5"];

let library: Promise<typeof ChartJs> | null = null;

function chartJs(): Promise<typeof ChartJs> {
  library ??= import("chart.js").then((m) => {
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.CategoryScale,
      m.Legend,
      m.LinearScale,
      m.LineController,
      m.LineElement,
      m.PointElement,
      m.Tooltip,
    );
    return m.Chart;
  });
  return library;
}

interface ChartProps {
  /** What the chart shows, read by screen readers (the figures are in the tables below). */
  label: string;
  type: "bar" | "line";
  data: ChartData<"bar" | "line">;
  horizontal?: boolean;
  /** The value axis: 0..1 shown as percentages. */
  share?: boolean;
  stacked?: boolean;
  height?: number;
}

export function Chart({ label, type, data, horizontal = false, share = false, stacked = false, height = 240 }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const chart = useRef<ChartJs | null>(null);
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    let live = true;
    const value = {
      beginAtZero: true,
      stacked,
      ...(share ? { max: 1, ticks: { callback: (v: number | string) => `${Math.round(Number(v) * 100)}%` } } : {}),
    };
    chartJs().then((Library) => {
      if (!live || !canvas.current) return;
      const config = {
        type,
        data: latest.current,
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          scales: horizontal ? { x: value, y: { stacked } } : { y: value, x: { stacked } },
          plugins: { legend: { display: (latest.current.datasets?.length ?? 0) > 1, position: "bottom" } },
        },
      } as ChartConfiguration<"bar" | "line">;
      chart.current = new Library(canvas.current, config);
    });
    return () => {
      live = false;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [type, horizontal, share, stacked]);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.data = data;
    chart.current.update("none");
  }, [data]);
  return (
    <div className="chart-box" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
