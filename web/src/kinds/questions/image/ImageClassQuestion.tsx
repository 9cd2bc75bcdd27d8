/**
 * `image_class`: labels for the whole image, answered exactly like a `choice` question
 * (`{"choice": v}`, or `{"choices": [...]}` with `multiple`); the choice is also shown over
 * the image. The choice widget does the work.
 */
import type { ChoiceSpec, ImageClassSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import type { Json } from "../../../api/types";
import { isObject, type QuestionProps } from "../../types";
import { ChoiceQuestion } from "../ChoiceQuestion";

export const asChoice = (question: ImageClassSpec): ChoiceSpec => ({
  kind: "choice",
  name: question.name,
  label: question.label,
  required: question.required,
  description: question.description,
  options: question.options,
  multiple: question.multiple,
  minChoices: question.minChoices,
  maxChoices: question.maxChoices,
});

export function ImageClassQuestion(props: QuestionProps<ImageClassSpec>) {
  return <ChoiceQuestion {...props} question={asChoice(props.question)} />;
}

/** What an image_class answer shows over the image: the chosen options' names. */
export function classBadges(question: ImageClassSpec, value: Json | undefined): string[] {
  if (!isObject(value)) return [];
  const picked = typeof value.choice === "string" ? [value.choice] : Array.isArray(value.choices) ? value.choices.filter((v): v is string => typeof v === "string") : [];
  return picked.map((v) => {
    const option = question.options.find((o) => o.value === v);
    return option ? optionText(option) : v;
  });
}
