import type { ReactNode } from "react";
import type { FieldProps } from "../types";
import type { ChatFieldSpec } from "../../editor/interface";
import type { Json } from "../../api/types";
import { Markdown } from "./Markdown";
import { mediaSrcOf } from "./audio/source";
import "../../styles/audio.css";

export interface Turn {
  role: string;
  content: string;
  name?: string;
  /** A spoken turn's recording / video (signed links, docs/audio.md). */
  audio?: string;
  video?: string;
}

export function turnsOf(value: Json | undefined): Turn[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Turn[] => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return [];
    const role = typeof item.role === "string" ? item.role : "?";
    const content = typeof item.content === "string" ? item.content : "";
    const turn: Turn = typeof item.name === "string" ? { role, content, name: item.name } : { role, content };
    const audio = mediaSrcOf(item.audio);
    const video = mediaSrcOf(item.video);
    if (audio) turn.audio = audio;
    if (video) turn.video = video;
    return [turn];
  });
}

/**
 * A conversation, one bubble per turn with its role. Content is Markdown (code blocks are
 * common in chats) rendered safely. Turns far off screen skip layout (`content-visibility`),
 * so long conversations scroll smoothly. `aside(index)` draws controls beside a turn.
 */
export function ChatField({ value, aside }: FieldProps<ChatFieldSpec> & { aside?: (index: number, turn: Turn) => ReactNode }) {
  const turns = turnsOf(value);
  return (
    <ol className="chat">
      {turns.map((turn, index) => {
        const extra = aside?.(index, turn);
        return (
          <li key={index} className={`chat-turn chat-role-${safeClass(turn.role)}${extra ? " chat-turn-judged" : ""}`}>
            <div className="chat-bubble">
              <div className="chat-meta">
                <span className="chat-role">{turn.role}</span>
                {turn.name ? <span className="chat-name">{turn.name}</span> : null}
                <span className="chat-index muted">#{index}</span>
              </div>
              <Markdown source={turn.content} className="chat-content" />
              {turn.audio ? <audio className="chat-media" controls preload="metadata" src={turn.audio} aria-label={`Recording of turn ${index}`} data-turn-audio={index} /> : null}
              {turn.video ? <video className="chat-media" controls preload="metadata" src={turn.video} aria-label={`Video of turn ${index}`} data-turn-video={index} /> : null}
            </div>
            {extra ? <div className="chat-aside">{extra}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}

function safeClass(role: string): string {
  return /^[a-z_]{1,20}$/.test(role) ? role : "other";
}
