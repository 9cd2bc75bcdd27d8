/**
 * An image field shown on its own (no shape question draws on it): the picture scaled to fit
 * the column, with its size, and labels (an image_class answer) over it when given.
 */
import { useState } from "react";
import type { ImageFieldSpec } from "../../editor/interface";
import { titleOf } from "../../editor/interface";
import { imageSourceOf, isShowable } from "../questions/image/source";
import type { FieldProps } from "../types";
import "../../styles/image.css";

export function ImageField({ field, value, badges }: FieldProps<ImageFieldSpec> & { badges?: string[] }) {
  const source = imageSourceOf(value);
  const [size, setSize] = useState<[number, number] | null>(null);
  const [failed, setFailed] = useState(false);
  if (source?.error) return <p className="image-problem-inline">The image in “{titleOf(field)}” is {source.error}</p>;
  if (!source || !isShowable(source.src)) {
    return <p className="image-problem-inline muted">No image to show in “{titleOf(field)}” (expected a link, or {"{src, width, height}"}).</p>;
  }
  const known = source.width && source.height ? ([source.width, source.height] as [number, number]) : size;
  return (
    <figure className="image-field" data-image-field={field.name}>
      <img
        className="image-field-img"
        src={source.src}
        alt={titleOf(field)}
        width={source.width ?? undefined}
        height={source.height ?? undefined}
        onLoad={(e) => setSize([e.currentTarget.naturalWidth, e.currentTarget.naturalHeight])}
        onError={() => setFailed(true)}
      />
      {badges && badges.length ? (
        <div className="image-badges">
          {badges.map((badge) => (
            <span key={badge} className="image-badge">
              {badge}
            </span>
          ))}
        </div>
      ) : null}
      <figcaption className="small muted">
        {failed ? "the image could not be loaded: check that the file exists and is an image" : known ? `${known[0]}×${known[1]} px` : "loading…"}
      </figcaption>
    </figure>
  );
}
