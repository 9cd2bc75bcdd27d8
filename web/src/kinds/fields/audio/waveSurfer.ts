/**
 * wavesurfer.js under the app's Content-Security-Policy (`style-src 'self'`, api/headers.py).
 * Its renderer writes a `<style>` element into the shadow root it draws in, which that policy
 * refuses (a console error, and the waveform's progress and cursor unstyled). This module
 * replaces that one step of the renderer (`initHtml`) with one building the same elements and
 * giving the shadow root the same rules as a constructed style sheet (CSSOM, which the policy
 * allows). The unbundled modules are imported so that the renderer patched is the one used.
 * The browser test (tests/browser/test_audio.py) fails on any console error, so an upgrade of
 * wavesurfer.js that changes this step is caught there.
 */
import Renderer from "wavesurfer.js/dist/renderer.js";
import WaveSurfer from "wavesurfer.js/dist/wavesurfer.js";

/** wavesurfer.js 8's own rules for its shadow root (BSD-3-Clause, katspaugh), `MIN` the height. */
const RULES = `
:host { user-select: none; min-width: 1px; }
:host audio { display: block; width: 100%; }
:host .scroll { overflow-x: auto; overflow-y: hidden; width: 100%; position: relative; }
:host .noScrollbar { scrollbar-color: transparent; scrollbar-width: none; }
:host .noScrollbar::-webkit-scrollbar { display: none; -webkit-appearance: none; }
:host .wrapper { position: relative; overflow: visible; z-index: 2; }
:host .canvases { min-height: MINpx; pointer-events: none; }
:host .canvases > div { position: relative; }
:host canvas { display: block; position: absolute; top: 0; image-rendering: pixelated; }
:host .progress { pointer-events: none; position: absolute; z-index: 2; top: 0; left: 0; width: 0; height: 100%; overflow: hidden; }
:host .progress > div { position: relative; }
:host .cursor { pointer-events: none; position: absolute; z-index: 5; top: 0; left: 0; height: 100%; border-radius: 2px; }
`;

interface RendererInternals {
  options: { height?: number | "auto"; splitChannels?: unknown };
  getHeight(height: unknown, splitChannels: unknown): number;
  initHtml(): [HTMLElement, ShadowRoot];
}

function initHtml(this: RendererInternals): [HTMLElement, ShadowRoot] {
  const div = document.createElement("div");
  const shadow = div.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(RULES.replace("MIN", String(this.getHeight(this.options.height, this.options.splitChannels))));
  shadow.adoptedStyleSheets = [sheet];
  const part = (parent: Node, name: string): HTMLElement => {
    const el = document.createElement("div");
    el.className = name;
    el.setAttribute("part", name);
    parent.appendChild(el);
    return el;
  };
  const wrapper = part(part(shadow, "scroll"), "wrapper");
  part(wrapper, "canvases");
  part(wrapper, "progress");
  part(wrapper, "cursor");
  return [div, shadow];
}

const proto = Renderer.prototype as unknown as RendererInternals;
if (typeof proto.initHtml === "function") proto.initHtml = initHtml;

export { WaveSurfer };
