/**
 * One widget per kind: `QuestionWidget` picks a question's widget, `FieldView` a field's,
 * and draws a field that a question works on in place (the spans question's text, the
 * pairwise responses side by side, every turns question's controls beside each turn).
 */
import { useContext, useMemo, type ReactNode } from "react";
import type { Json, JsonObject } from "../api/types";
import type { EventsSpec, FieldSpec, Interface, QuestionSpec, ShapeSpec, SpansSpec, TracksSpec, TurnsSpec } from "../editor/interface";
import { titleOf } from "../editor/interface";
import { AudioPlayer } from "./fields/audio/AudioPlayer";
import { ChatField } from "./fields/ChatField";
import { MarkdownField } from "./fields/MarkdownField";
import { TextField } from "./fields/TextField";
import { TextListField } from "./fields/TextListField";
import { VideoPlayer } from "./fields/video/VideoPlayer";
import { VideoQuestionSwitch } from "./fields/video/QuestionSwitch";
import { ChoiceQuestion } from "./questions/ChoiceQuestion";
import { PairwiseQuestion } from "./questions/PairwiseQuestion";
import { RankingQuestion } from "./questions/RankingQuestion";
import { RatingQuestion } from "./questions/RatingQuestion";
import { RubricQuestion } from "./questions/RubricQuestion";
import { SpanText } from "./questions/SpanText";
import { SpansQuestion, spansOf } from "./questions/SpansQuestion";
import { initialSpanUi, type SpanUi } from "./questions/spanUi";
import { TextQuestion } from "./questions/TextQuestion";
import { EventsQuestion, EventsVideo } from "./questions/events/EventsQuestion";
import { ImageClassQuestion } from "./questions/image/ImageClassQuestion";
import { ImageFieldView, isShapeQuestion, shapeQuestionsOf } from "./questions/image/ImageFieldView";
import { ShapesQuestion } from "./questions/image/ShapesQuestion";
import { ShapesVideo } from "./questions/image/FrameShapes";
import { SegmentsAudio, type TimeQuestion } from "./questions/segments/SegmentsAudio";
import { SegmentsQuestion } from "./questions/segments/SegmentsQuestion";
import { TranscriptQuestion } from "./questions/transcript/TranscriptQuestion";
import { TracksQuestion, TracksVideo } from "./questions/tracks/TracksQuestion";
import { judgedTurns, TurnControls, TurnsQuestion } from "./questions/TurnsQuestion";
import type { QuestionProps } from "./types";
import { useUiState, type UiState } from "./uiState";
import { WidgetContext, WidgetShared } from "./widgetShared";

export { WidgetContext, WidgetShared };

const useSpanUi = (name: string): UiState<SpanUi> => useContext(WidgetContext).get(`spans:${name}`, initialSpanUi);
const useTurnFocus = (name: string): UiState<number | null> => useContext(WidgetContext).get<number | null>(`turns:${name}`, null);

export function QuestionWidget(props: QuestionProps) {
  const shared = useContext(WidgetContext);
  const { question } = props;
  switch (question.kind) {
    case "choice":
      return <ChoiceQuestion {...props} question={question} />;
    case "rating":
      return <RatingQuestion {...props} question={question} />;
    case "text":
      return <TextQuestion {...props} question={question} />;
    case "spans":
      return <SpansQuestion {...props} question={question} ui={shared.get(`spans:${question.name}`, initialSpanUi)} announce={shared.announce} />;
    case "pairwise":
      return <PairwiseQuestion {...props} question={question} />;
    case "ranking":
      return <RankingQuestion {...props} question={question} />;
    case "rubric":
      return <RubricQuestion {...props} question={question} />;
    case "turns":
      return <TurnsQuestion {...props} question={question} focus={shared.get<number | null>(`turns:${question.name}`, null)} />;
    case "boxes":
    case "polygons":
    case "polylines":
    case "points":
    case "keypoints":
    case "masks":
      return <ShapesQuestion {...props} question={question} />;
    case "image_class":
      return <ImageClassQuestion {...props} question={question} />;
    case "events":
      return <EventsQuestion {...props} question={question} />;
    case "tracks":
      return <TracksQuestion {...props} question={question} />;
    case "segments":
      return <SegmentsQuestion {...props} question={question} />;
    case "transcript":
      return <TranscriptQuestion {...props} question={question} />;
    case "unknown":
      return <p className="muted">This browser app has no widget for “{question.declared}” questions yet.</p>;
  }
}

/** How a field's owner question is bound to the editor. */
export interface Binding {
  value: Json | undefined;
  onChange: QuestionProps["onChange"];
  active: boolean;
  activate: () => void;
}

interface FieldViewProps {
  field: FieldSpec;
  data: JsonObject;
  iface: Interface;
  bind: (question: QuestionSpec) => Binding;
}

/** The question that draws this field itself, if any (the first that targets it). */
export function ownerOf(iface: Interface, field: FieldSpec): QuestionSpec | null {
  return (
    iface.questions.find(
      (q) =>
        (q.kind === "spans" && q.target === field.name && field.kind === "text") ||
        (q.kind === "turns" && q.target === field.name && field.kind === "chat") ||
        (q.kind === "pairwise" && q.target === field.name && field.kind === "text_list") ||
        (isShapeQuestion(q) && q.target === field.name && (field.kind === "image" || field.kind === "video")) ||
        (q.kind === "events" && q.target === field.name && field.kind === "video") ||
        (q.kind === "tracks" && q.target === field.name && field.kind === "video") ||
        ((q.kind === "segments" || q.kind === "transcript") && q.target === field.name && field.kind === "audio"),
    ) ?? null
  );
}

/** Every events question on a video field: the active one's timeline is drawn under it. */
export function eventsQuestionsOf(iface: Interface, field: FieldSpec): EventsSpec[] {
  if (field.kind !== "video") return [];
  return iface.questions.filter((q): q is EventsSpec => q.kind === "events" && q.target === field.name);
}

/** Every tracks question on a video field: the active one's (else the first's) frame and timeline are drawn. */
export function tracksQuestionsOf(iface: Interface, field: FieldSpec): TracksSpec[] {
  if (field.kind !== "video") return [];
  return iface.questions.filter((q): q is TracksSpec => q.kind === "tracks" && q.target === field.name);
}

/** Every segments or transcript question on an audio field: the active one's (else the first's) segments are drawn on it. */
export function timeQuestionsOf(iface: Interface, field: FieldSpec): TimeQuestion[] {
  if (field.kind !== "audio") return [];
  return iface.questions.filter((q): q is TimeQuestion => (q.kind === "segments" || q.kind === "transcript") && q.target === field.name);
}

/** Every turns question on a chat field: each gets its own controls beside each turn. */
export function turnsQuestionsOf(iface: Interface, field: FieldSpec): TurnsSpec[] {
  if (field.kind !== "chat") return [];
  return iface.questions.filter((q): q is TurnsSpec => q.kind === "turns" && q.target === field.name);
}

export function FieldView({ field, data, iface, bind }: FieldViewProps) {
  const value = data[field.name];
  // An image, a video or a recording is drawn for its active question among those drawing on
  // it (an image shows the others' objects beneath); the heading names that question.
  const drawers: QuestionSpec[] =
    field.kind === "image" ? shapeQuestionsOf(iface, field) : [...tracksQuestionsOf(iface, field), ...eventsQuestionsOf(iface, field), ...timeQuestionsOf(iface, field), ...(field.kind === "video" ? shapeQuestionsOf(iface, field) : [])];
  const owner = drawers.find((q) => bind(q).active) ?? (field.kind === "video" ? videoShown(tracksQuestionsOf(iface, field), shapeQuestionsOf(iface, field), eventsQuestionsOf(iface, field), bind) : null) ?? ownerOf(iface, field);
  const turns = turnsQuestionsOf(iface, field);
  let body: ReactNode;
  if (owner?.kind === "spans" && typeof value === "string") {
    body = <SpanField question={owner} text={value} binding={bind(owner)} />;
  } else if (turns.length && field.kind === "chat") {
    body = <TurnsField questions={turns} field={field} data={data} bind={bind} />;
  } else {
    switch (field.kind) {
      case "text":
        body = <TextField field={field} value={value} />;
        break;
      case "markdown":
        body = <MarkdownField field={field} value={value} />;
        break;
      case "text_list":
        body = <TextListField field={field} value={value} sideBySide={owner?.kind === "pairwise"} />;
        break;
      case "chat":
        body = <ChatField field={field} value={value} />;
        break;
      case "image":
        body = <ImageFieldView field={field} data={data} iface={iface} bind={bind} />;
        break;
      case "video": {
        const events = eventsQuestionsOf(iface, field);
        const tracks = tracksQuestionsOf(iface, field);
        const shapes = shapeQuestionsOf(iface, field);
        let player: ReactNode;
        // Per-frame shapes (boxes etc. on the frames) when one is active or nothing else draws here.
        if (shapes.length && (shapes.some((q) => bind(q).active) || (!tracks.length && !events.length))) player = <ShapesVideo field={field} value={value} questions={shapes} bind={bind} />;
        else if (tracks.length && (!events.length || tracks.some((q) => bind(q).active))) player = <TracksVideo field={field} value={value} questions={tracks} bind={bind} />;
        else player = events.length ? <EventsVideo field={field} value={value} questions={events} bind={bind} /> : <VideoPlayer field={field} value={value} />;
        const shown = videoShown(tracks, shapes, events, bind);
        const onVideo = iface.questions.filter((q) => drawers.includes(q));
        body = shown ? (
          <>
            <VideoQuestionSwitch questions={onVideo} shown={shown} valueOf={(q) => bind(q).value} show={(q) => bind(q).activate()} />
            {player}
          </>
        ) : (
          player
        );
        break;
      }
      case "audio": {
        const timed = timeQuestionsOf(iface, field);
        body = timed.length ? <SegmentsAudio field={field} value={value} questions={timed} bind={bind} /> : <AudioPlayer field={field} value={value} />;
        break;
      }
      case "unknown":
        body = <pre className="field-json">{JSON.stringify(value, null, 2)}</pre>;
        break;
    }
  }
  return (
    <section className="data-field" aria-label={titleOf(field)}>
      <h2 className="data-field-title">
        {titleOf(field)}
        {turns.length > 1 ? (
          <span className="muted small"> · for {turns.map((q) => `“${titleOf(q)}”`).join(", ")}</span>
        ) : owner ? (
          <span className="muted small"> · for “{titleOf(owner)}”</span>
        ) : null}
      </h2>
      {body}
    </section>
  );
}

/** The question a video shows: the active one drawing on it, else the one drawn at first
 * (per-frame shapes only when nothing else draws there; tracks before events unless both are). */
function videoShown(tracks: TracksSpec[], shapes: ShapeSpec[], events: EventsSpec[], bind: (question: QuestionSpec) => Binding): QuestionSpec | null {
  const active = [...tracks, ...shapes, ...events].find((q) => bind(q).active);
  if (active) return active;
  if (shapes.length && !tracks.length && !events.length) return shapes[0] ?? null;
  if (tracks.length && !events.length) return tracks[0] ?? null;
  return events[0] ?? null;
}

function SpanField({ question, text, binding }: { question: SpansSpec; text: string; binding: Binding }) {
  const ui = useSpanUi(question.name);
  return <SpanText question={question} text={text} spans={spansOf(binding.value)} active={binding.active} ui={ui} activate={binding.activate} />;
}

function TurnsField({ questions, field, data, bind }: { questions: TurnsSpec[]; field: FieldSpec & { kind: "chat" }; data: JsonObject; bind: (question: QuestionSpec) => Binding }) {
  const eligible = useMemo(() => questions.map((question) => judgedTurns(question, data)), [questions, data]);
  const labelled = questions.length > 1;
  return (
    <ChatField
      field={field}
      value={data[field.name]}
      aside={(index) => {
        const here = questions.flatMap((question, i) => ((eligible[i] as number[]).includes(index) ? [{ question, turns: eligible[i] as number[] }] : []));
        if (here.length === 0) return null;
        return (
          <div className="turn-controls-stack">
            {here.map(({ question, turns }) => (
              <TurnControlsFor key={question.name} question={question} turns={turns} binding={bind(question)} index={index} labelled={labelled} />
            ))}
          </div>
        );
      }}
    />
  );
}

/** One turns question's controls beside one turn. */
function TurnControlsFor({ question, turns, binding, index, labelled }: { question: TurnsSpec; turns: number[]; binding: Binding; index: number; labelled: boolean }) {
  const focus = useTurnFocus(question.name);
  const focused = useUiState(focus);
  const current = focused ?? turns[0] ?? null;
  return (
    <TurnControls
      question={question}
      value={binding.value}
      onChange={binding.onChange}
      index={index}
      focused={binding.active && current === index}
      labelled={labelled}
      onPick={() => {
        binding.activate();
        focus.set(index);
      }}
    />
  );
}
