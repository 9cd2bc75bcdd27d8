/**
 * Markdown rendered safely: markdown-it with raw HTML off (tags show as text), only
 * http(s), mailto and relative links kept live (a `javascript:` or `data:` link stays
 * text), every link opening in a new tab without access to this page, images shown as
 * their alt text (task data must not make the browser fetch anything), and single newlines
 * kept as line breaks.
 * This is the only HTML the app inserts with dangerouslySetInnerHTML.
 */
import MarkdownIt from "markdown-it";

const SAFE_LINK = /^(?:https?:|mailto:|#|\/(?!\/)|\.{0,2}\/)/i;

/** True for links that may be live: http(s), mailto, in-page and relative paths. */
export function isSafeLink(url: string): boolean {
  // Browsers ignore control characters and white space inside schemes ("java\tscript:").
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (!/^[a-z][a-z0-9+.-]*:/i.test(cleaned)) return !cleaned.startsWith("//");
  return SAFE_LINK.test(cleaned);
}

// `breaks`: a single newline is a line break, as people (and models) write chat replies and
// lists of steps; markdown-it emits it as a bare <br>, nothing else.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
md.validateLink = isSafeLink;

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx];
  if (token) {
    token.attrSet("target", "_blank");
    token.attrSet("rel", "noopener noreferrer nofollow");
  }
  return self.renderToken(tokens, idx, options);
};

md.renderer.rules.image = (tokens, idx, _options, _env, self) => {
  const token = tokens[idx];
  if (!token) return "";
  const alt = self.renderInlineAsText(token.children ?? [], _options, _env);
  return `<span class="md-image" title="image not loaded">[image: ${md.utils.escapeHtml(alt || "no description")}]</span>`;
};

export function renderMarkdown(source: string): string {
  return md.render(source);
}
