/**
 * An image field in the data column. When shape questions target it, the active one (else
 * the first) draws and edits its objects on it, and the others' objects are shown faint
 * beneath; image_class answers show over it. Otherwise the picture is shown on its own.
 * Where the answers are shown, not edited (`WidgetShared.readOnly`), the image only pans,
 * zooms and selects, and the inspector beneath it says what the selected object is.
 */
import { useContext, useRef } from "react";
import type { Json, JsonObject } from "../../../api/types";
import type { FieldSpec, ImageClassSpec, Interface, QuestionSpec, ShapeSpec } from "../../../editor/interface";
import type { PushOptions } from "../../../editor/history";
import { ImageField } from "../../fields/ImageField";
import type { Layer } from "./editor";
import { ImageCanvas } from "./ImageCanvas";
import { ShapesInspector } from "./ShapesInspector";
import { classBadges } from "./ImageClassQuestion";
import { shapesOf } from "./model";
import { useImageEditor } from "./ShapesQuestion";
import type { View } from "./view";
import { WidgetContext } from "../../widgetShared";

interface Binding {
  value: Json | undefined;
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  active: boolean;
  activate: () => void;
}

const SHAPE_KINDS = new Set(["boxes", "polygons", "polylines", "points", "keypoints", "masks"]);
export const isShapeQuestion = (q: QuestionSpec): q is ShapeSpec => SHAPE_KINDS.has(q.kind);

/** The shape questions drawn on this image field, in the interface's order. */
export function shapeQuestionsOf(iface: Interface, field: FieldSpec): ShapeSpec[] {
  return iface.questions.filter((q): q is ShapeSpec => isShapeQuestion(q) && q.target === field.name);
}

interface Props {
  field: FieldSpec & { kind: "image" };
  data: JsonObject;
  iface: Interface;
  bind: (question: QuestionSpec) => Binding;
}

export function ImageFieldView({ field, data, iface, bind }: Props) {
  const shapes = shapeQuestionsOf(iface, field);
  const classes = iface.questions.filter((q): q is ImageClassSpec => q.kind === "image_class" && q.target === field.name);
  const badges = classes.flatMap((q) => classBadges(q, bind(q).value));
  const owner = shapes.find((q) => bind(q).active) ?? shapes[0] ?? null;
  if (!owner) return <ImageField field={field} value={data[field.name]} badges={badges} />;
  return <OwnedImage key={owner.name} field={field.name} owner={owner} shapes={shapes} image={data[field.name]} bind={bind} badges={badges} />;
}

interface OwnedProps {
  field: string;
  owner: ShapeSpec;
  /** Every shape question on this image (the owner among them). */
  shapes: ShapeSpec[];
  image: Json | undefined;
  bind: Props["bind"];
  badges: string[];
}

function OwnedImage({ field, owner, shapes, image, bind, badges }: OwnedProps) {
  const editor = useImageEditor(owner);
  const shared = useContext(WidgetContext);
  // The zoom and place on this image carry over when another of its questions takes it.
  const views = shared.get<View | null>(`image-view:${field}`, null);
  editor.initialView = views.get();
  editor.onView = views.set;
  const binding = bind(owner);
  const layers = useLayers(shapes.filter((q) => q !== owner), bind);
  const canvas = (
    <ImageCanvas
      editor={editor}
      question={owner}
      image={image}
      value={binding.value}
      onChange={binding.onChange}
      active={binding.active}
      activate={binding.activate}
      others={layers}
      badges={badges}
    />
  );
  if (!shared.readOnly) return canvas;
  return (
    <div className="image-read-only">
      {canvas}
      <ShapesInspector editor={editor} questions={shapes} valueOf={(q) => bind(q).value} show={(q) => bind(q).activate()} />
    </div>
  );
}

/** The other questions' objects, the same array while their answers are unchanged. */
function useLayers(others: ShapeSpec[], bind: Props["bind"]): Layer[] {
  const memo = useRef<{ values: Array<Json | undefined>; layers: Layer[] }>({ values: [], layers: [] });
  const values = others.map((q) => bind(q).value);
  const same = values.length === memo.current.values.length && values.every((v, i) => v === memo.current.values[i]);
  if (!same) {
    memo.current = {
      values,
      layers: others.map((q, i) => ({ shapes: shapesOf(q.kind, values[i]), labelIndex: (label: string) => q.labels.findIndex((o) => o.value === label) })),
    };
  }
  return memo.current.layers;
}
