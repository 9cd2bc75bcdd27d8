/**
 * The decoded frames of a video, whichever the frames job made (docs/video.md): JPEG frames
 * (version 1 manifest: `FrameStore`) or the video's packets, decoded in the browser with
 * WebCodecs (version 2: `PacketStore`). A browser that cannot decode the packets gets an
 * error saying which codec and what to do, never a blank canvas.
 */
import { FrameStore, type FrameSource, type JpegManifest, type Manifest } from "./frames";
import { isPacketManifest, PacketStore, packetsUnsupported } from "./packets";

export async function openFrames(manifest: Manifest, dataUrl: string, packetsUrl: string | null): Promise<FrameSource> {
  if (!isPacketManifest(manifest)) return new FrameStore(manifest as JpegManifest, dataUrl);
  const why = await packetsUnsupported(manifest);
  if (why) throw new Error(why);
  if (!packetsUrl) throw new Error("the server gave no link to the video's packets (packets.bin); reload the page");
  return new PacketStore(manifest, packetsUrl);
}
