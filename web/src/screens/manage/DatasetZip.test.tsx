/** What the import report says of the images a dataset zip held (`DatasetCounts`). */
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DatasetCounts } from "./DatasetZip";

describe("DatasetCounts", () => {
  it("says how many images came from the zip and which it left out", () => {
    const html = renderToStaticMarkup(
      <DatasetCounts
        dataset={{ images: 3, skipped_labels: {}, from_zip: 3, new_from_zip: 2, unnamed_in_zip: 7, unnamed_examples: ["a.png", "b.png", "c.png", "d.png", "e.png", "f.png", "g.png"] }}
      />,
    );
    expect(html).toContain("3 images from the zip (2 new to the project&#x27;s media).");
    expect(html).toContain("Left out 7 images of the zip that the dataset does not name: a.png, b.png, c.png, d.png, e.png (and 2 more).");
  });

  it("says nothing for a dataset sent without images", () => {
    expect(renderToStaticMarkup(<DatasetCounts dataset={{ images: 2, skipped_labels: {} }} />)).toBe("");
    expect(renderToStaticMarkup(<DatasetCounts dataset={{ images: 2, skipped_labels: {}, from_zip: 0, unnamed_in_zip: 0 }} />)).toBe("");
  });
});
