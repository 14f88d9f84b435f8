import { TextInput, type TextInputProps } from "react-admin";

// A JSON object edited as text: the form holds the parsed value once the text parses.
const format = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value ?? {}, null, 2));
const parse = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return text; // kept as text until it parses; `validate` says why it does not
  }
};
const mustBeJson = (value: unknown) =>
  typeof value === "string" ? "not valid JSON yet" : undefined;

export const JsonInput = (props: TextInputProps) => (
  <TextInput
    multiline
    minRows={4}
    fullWidth
    format={format}
    parse={parse}
    validate={mustBeJson}
    sx={{ "& textarea": { fontFamily: "monospace", fontSize: 13 } }}
    {...props}
  />
);
