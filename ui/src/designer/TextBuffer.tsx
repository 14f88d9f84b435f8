import { TextField, type TextFieldProps } from "@mui/material";
import { useEffect, useState } from "react";

interface Props extends Omit<TextFieldProps, "value" | "onChange"> {
  value: unknown;
  format: (value: unknown) => string;
  parse: (text: string) => { value?: unknown; error?: string };
  onValue: (value: unknown) => void;
}

// A text field over a structured value (JSON, "name = expression" lines): the text is kept as
// typed while it does not parse, and the value is passed on once it does.
export const TextBuffer = ({ value, format, parse, onValue, error, helperText, ...rest }: Props) => {
  const [text, setText] = useState(() => format(value));
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    // Changed from outside (another step selected, an undo): show the new value.
    const parsed = parse(text);
    if (parsed.error || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(format(value));
      setProblem(undefined);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(value)]);
  return (
    <TextField
      {...rest}
      value={text}
      error={Boolean(problem) || error}
      helperText={problem ?? helperText}
      onChange={(event) => {
        setText(event.target.value);
        const parsed = parse(event.target.value);
        setProblem(parsed.error);
        if (!parsed.error) onValue(parsed.value);
      }}
    />
  );
};

export const jsonText = {
  format: (value: unknown) => (value === undefined || value === null ? "" : JSON.stringify(value, null, 2)),
  parse: (text: string) => {
    if (!text.trim()) return { value: undefined };
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: "not valid JSON yet" };
    }
  },
};

// {"greeting": "join(' ', ...)"} as lines "greeting = join(' ', ...)".
export const pairsText = {
  format: (value: unknown) =>
    Object.entries((value as Record<string, string>) ?? {})
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n"),
  parse: (text: string) => {
    const out: Record<string, string> = {};
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const at = line.indexOf("=");
      if (at <= 0) return { error: `"${line.trim()}": write name = expression` };
      out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    return { value: out };
  },
};

export const listText = {
  format: (value: unknown) => (Array.isArray(value) ? value.join(", ") : ""),
  parse: (text: string) => ({ value: text.split(",").map((s) => s.trim()).filter(Boolean) }),
};
