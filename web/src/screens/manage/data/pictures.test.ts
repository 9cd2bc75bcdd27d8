import { describe, expect, it } from "vitest";
import { firstPicture, linkedName, namedPictures, pictureOf } from "./pictures";

function token(key: string): string {
  const payload = btoa(JSON.stringify({ k: key, e: 1, f: null })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `/api/v1/files/${payload}.c2lnbmF0dXJl`;
}

describe("pictures in the data manager", () => {
  const local = token("media/projects/3/train/0001.jpg");
  const bucket = "http://minio:9000/media/cats/7.png?X-Amz-Signature=abc";

  it("reads the file a signed link points at", () => {
    expect(linkedName(local)).toBe("media/projects/3/train/0001.jpg");
    expect(linkedName(bucket)).toBe("/media/cats/7.png");
    expect(linkedName("/api/v1/files/%%%.x")).toBe("");
  });

  it("shows an image object's thumbnail, else the image itself", () => {
    const thumb = token("media/thumbs/projects/3/ab.webp");
    expect(pictureOf({ src: local, width: 4, height: 3, thumb })).toBe(thumb);
    expect(pictureOf({ src: local, width: 4, height: 3 })).toBe(local);
    expect(pictureOf({ src: "s3://bucket/unsigned.jpg" })).toBeNull();
  });

  it("shows a signed string only when it names an image file", () => {
    expect(pictureOf(bucket)).toBe(bucket);
    expect(pictureOf(local)).toBe(local);
    expect(pictureOf(token("media/audio/1.mp3"))).toBeNull();
    expect(pictureOf("a cat on a mat")).toBeNull();
    expect(pictureOf("https://example.com/cat.jpg")).toBeNull(); // the page may not load it
    expect(pictureOf({ src: "https://example.com/cat.jpg", width: 4, height: 3 })).toBeNull();
    expect(pictureOf(["x"])).toBeNull();
  });

  it("gives one picture per row and file names for the text", () => {
    const data = { text: "hello", image: { src: local, width: 4, height: 3 }, other: bucket };
    expect(firstPicture(data)).toBe(local);
    expect(namedPictures(data)).toEqual({ text: "hello", image: "0001.jpg", other: "7.png" });
    const plain = { text: "hello" };
    expect(namedPictures(plain)).toBe(plain);
    expect(firstPicture(plain)).toBeNull();
  });
});
