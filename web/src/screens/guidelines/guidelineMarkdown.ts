/**
 * Guidelines rendered as Markdown: the app's safe rules (kinds/markdown.ts: raw HTML off, only
 * safe links live, links in a new tab), plus what guidelines need and task data must not have:
 * headings carry their section's anchor as id (`guideline-<anchor>`), and images show when
 * they are the project's own uploaded guideline images (same origin, members only); any other
 * image stays its alt text, so guidelines never make the browser fetch from elsewhere.
 */
import MarkdownIt from "markdown-it";
import { isSafeLink } from "../../kinds/markdown";
import { sections } from "./anchors";

/** The address the server gives uploaded guideline images (api/guidelines.py). */
export const GUIDELINE_IMAGE = /^\/api\/v1\/projects\/\d+\/guidelines\/images\/[0-9a-f]{32}\.(?:png|jpg|webp|gif)$/;

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
md.validateLink = (url) => isSafeLink(url);

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx];
  if (token && !(token.attrGet("href") ?? "").startsWith("#")) {
    token.attrSet("target", "_blank");
    token.attrSet("rel", "noopener noreferrer nofollow");
  }
  return self.renderToken(tokens, idx, options);
};

md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (!token) return "";
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const src = token.attrGet("src") ?? "";
  if (GUIDELINE_IMAGE.test(src)) {
    return `<img class="guideline-image" src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(alt)}" loading="lazy">`;
  }
  return `<span class="md-image" title="image not loaded">[image: ${md.utils.escapeHtml(alt || "no description")}]</span>`;
};

interface Env {
  anchors: Map<number, string>;
}

md.renderer.rules.heading_open = (tokens, idx, options, env: Env, self) => {
  const token = tokens[idx];
  const line = token?.map?.[0];
  const anchor = line !== undefined ? env.anchors?.get(line) : undefined;
  if (token && anchor) token.attrSet("id", `guideline-${anchor}`);
  return self.renderToken(tokens, idx, options);
};

export function renderGuidelines(source: string): string {
  const anchors = new Map(sections(source).map((s) => [s.start, s.anchor] as [number, string]));
  return md.render(source, { anchors } satisfies Env);
}
