/** Colours for labels, by position: readable on white, distinct, with a darker edge. */
const COLOURS: Array<[string, string]> = [
  ["#cfe3ff", "#2f6bd1"],
  ["#ffe1b8", "#c76a00"],
  ["#d4f2d0", "#2b8a3e"],
  ["#f7d0e6", "#b0357a"],
  ["#e4dcff", "#6741d9"],
  ["#fff3a8", "#9a7b00"],
  ["#cdf3f0", "#0b7a75"],
  ["#ffd6d1", "#c92a2a"],
];

export function labelColour(index: number): { fill: string; edge: string } {
  const [fill, edge] = COLOURS[((index % COLOURS.length) + COLOURS.length) % COLOURS.length] as [string, string];
  return { fill, edge };
}
