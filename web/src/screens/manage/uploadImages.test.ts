import { beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api";

const { upload } = vi.hoisted(() => ({ upload: vi.fn() }));
vi.mock("../../api", async (original) => ({ ...(await original<typeof import("../../api")>()), api: { media: { upload } } }));

const { UploadRefused, uploadImages } = await import("./uploadImages");

const picked = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `pics/${i}.jpg`, file: new File(["x".repeat(10)], `${i}.jpg`) }));
const answer = (batch: { name: string }[]) => ({
  files: batch.map((b) => ({ name: b.name, src: `s3://b/${b.name}`, width: 4, height: 3, format: "jpeg", stored: true })),
  thumbnails_job: 1,
});

describe("uploadImages", () => {
  beforeEach(() => {
    upload.mockReset();
  });

  it("uploads in batches and places every image", async () => {
    upload.mockImplementation(async (_id: number, batch: { name: string }[]) => answer(batch));
    const states: number[] = [];
    const done = await uploadImages(7, picked(250), (s) => states.push(s.files), new AbortController().signal);
    expect(upload).toHaveBeenCalledTimes(2);
    expect(upload.mock.calls[0]?.[1]).toHaveLength(200);
    expect(done.placed.size).toBe(250);
    expect(done.stored).toBe(250);
    expect(done.placed.get("pics/3.jpg")).toEqual({ src: "s3://b/pics/3.jpg", width: 4, height: 3 });
    expect(states.at(-1)).toBe(250);
  });

  it("stops at a refused batch with the server's words and its bad files", async () => {
    upload
      .mockImplementationOnce(async (_id: number, batch: { name: string }[]) => answer(batch))
      .mockRejectedValueOnce(
        new ApiError(422, "bad_image", "1 of the 50 files are refused, so none was stored: pics/240.jpg: not an image", {
          files: [{ file: "pics/240.jpg", message: "pics/240.jpg: not an image" }],
        }),
      );
    const failure = await uploadImages(7, picked(250), () => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UploadRefused);
    const refused = failure as InstanceType<typeof UploadRefused>;
    expect(refused.message).toMatch(/^Batch 2 of 2 of the images was refused, so nothing was imported: 1 of the 50 files are refused/);
    expect(refused.message).toContain("The 200 images of the earlier batches are stored");
    expect(refused.files).toEqual([{ file: "pics/240.jpg", message: "pics/240.jpg: not an image" }]);
  });
});
