import { describe, expect, it } from "vitest";
import { batchesOf, folderRows, listed, matchNames, pickImages, relativeName } from "./imageFiles";

const file = (path: string, size = 10) => ({ name: path.split("/").pop() ?? path, size, webkitRelativePath: path });

describe("imageFiles", () => {
  it("keeps the images of a folder, sorted, and names the rest", () => {
    const { images, others } = pickImages([file("pics/b.PNG"), file("pics/a.jpg"), file("pics/notes.txt"), file("pics/.DS_Store"), file("pics/.hidden/c.jpg"), file("pics/d.tiff")]);
    expect(images.map((i) => i.name)).toEqual(["pics/a.jpg", "pics/b.PNG", "pics/d.tiff"]);
    expect(others).toEqual(["pics/notes.txt"]);
    expect(relativeName({ name: "x.jpg", size: 1 })).toBe("x.jpg");
  });

  it("sends batches of at most so many files and bytes", () => {
    const items = [5, 5, 5, 20, 1].map((size, i) => ({ name: `${i}`, file: file(`${i}.jpg`, size) }));
    expect(batchesOf(items, 2, 12).map((b) => b.map((i) => i.name))).toEqual([["0", "1"], ["2"], ["3"], ["4"]]);
    expect(batchesOf([], 2, 12)).toEqual([]);
  });

  it("finds a dataset's names inside the picked folder, else as a whole", () => {
    const picked = pickImages([file("images/train/1.jpg"), file("images/2.jpg"), file("3.jpg")]).images;
    const { found, missing } = matchNames(["train/1.jpg", "images/2.jpg", "3.jpg", "4.jpg", "3.jpg"], picked);
    expect(found.map((f) => [f.name, f.file.webkitRelativePath])).toEqual([
      ["train/1.jpg", "images/train/1.jpg"],
      ["images/2.jpg", "images/2.jpg"],
      ["3.jpg", "3.jpg"],
    ]);
    expect(missing).toEqual(["4.jpg"]);
  });

  it("makes one row per image, its name as the task's id", () => {
    const rows = folderRows("photo", new Map([["pics/a.jpg", { src: "s3://b/a.jpg", width: 4, height: 3 }]]));
    expect(rows).toEqual([{ id: "pics/a.jpg", photo: { src: "s3://b/a.jpg", width: 4, height: 3 } }]);
    expect(listed(["a", "b", "c"], 2)).toBe("a, b (and 1 more)");
  });
});
