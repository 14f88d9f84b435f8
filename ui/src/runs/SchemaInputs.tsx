// Form inputs generated from a process's input JSON schema (pydantic's model_json_schema()).
import { Box, Typography } from "@mui/material";
import {
  AutocompleteInput, BooleanInput, maxLength, maxValue, minLength, minValue, NumberInput, ReferenceInput,
  regex, required, SelectInput, TextArrayInput, TextInput, type Validator,
} from "react-admin";

import { JsonInput } from "../common/JsonInput";
import type { JsonSchema } from "../processes/endpoint";

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop() ?? "";
    return resolve({ ...root.$defs?.[name], ...schema, $ref: undefined }, root);
  }
  if (schema.allOf?.length === 1) return resolve({ ...schema.allOf[0], ...schema, allOf: undefined }, root);
  if (schema.anyOf) {
    // Optional[X] is anyOf [X, null]: the input is X, left empty for null.
    const concrete = schema.anyOf.filter((s) => s.type !== "null");
    if (concrete.length === 1) return resolve({ ...concrete[0], title: schema.title, default: schema.default, description: schema.description }, root);
  }
  return schema;
}

const INTEGRATION_WORDS = /\b(integration|SIS|LMS)\b/i;

function validators(schema: JsonSchema, isRequired: boolean): Validator[] {
  const out: Validator[] = [];
  if (isRequired) out.push(required());
  if (schema.pattern) out.push(regex(new RegExp(schema.pattern), `must match ${schema.pattern}`));
  if (schema.minLength !== undefined && schema.minLength > 1) out.push(minLength(schema.minLength));
  if (schema.maxLength !== undefined) out.push(maxLength(schema.maxLength));
  if (schema.minimum !== undefined) out.push(minValue(schema.minimum));
  if (schema.maximum !== undefined) out.push(maxValue(schema.maximum));
  return out;
}

const Field = ({ name, source, schema, root, isRequired }: {
  name: string; source: string; schema: JsonSchema; root: JsonSchema; isRequired: boolean;
}) => {
  const resolved = resolve(schema, root);
  const label = resolved.title ?? name;
  const helperText = resolved.description ?? false;
  const validate = validators(resolved, isRequired);
  const common = { source, label, helperText, validate, defaultValue: resolved.default as never };
  if (resolved.enum) {
    return <SelectInput {...common} choices={resolved.enum.map((v) => ({ id: String(v), name: String(v) }))} />;
  }
  // A field named "integration", or described as an integration/SIS/LMS, names a connection of
  // the inventory: picked from it.
  if (resolved.type === "string" && (name === "integration" || INTEGRATION_WORDS.test(resolved.description ?? ""))) {
    return (
      <ReferenceInput source={source} reference="integrations" perPage={100}>
        <AutocompleteInput label={label} optionText="name" optionValue="name" validate={validate} helperText={helperText} />
      </ReferenceInput>
    );
  }
  switch (resolved.type) {
    case "boolean":
      return <BooleanInput {...common} />;
    case "integer":
    case "number":
      return <NumberInput {...common} step={resolved.type === "integer" ? 1 : "any"} />;
    case "array":
      return <TextArrayInput {...common} />;
    case "object":
      if (!resolved.properties) {
        // A free-form map (additionalProperties): edited as JSON.
        return <JsonInput source={source} label={label} helperText={helperText || "JSON object"} minRows={2} />;
      }
      return (
        <Box sx={{ pl: 2, borderLeft: 2, borderColor: "divider", mb: 2 }}>
          <Typography variant="subtitle2">{label}</Typography>
          <SchemaInputs schema={resolved} root={root} prefix={source} />
        </Box>
      );
    default:
      return <TextInput {...common} type={resolved.format === "date-time" ? "datetime-local" : "text"} fullWidth />;
  }
};

export const SchemaInputs = ({ schema, root, prefix }: { schema: JsonSchema; root?: JsonSchema; prefix: string }) => {
  const top = root ?? schema;
  const properties = Object.entries(resolve(schema, top).properties ?? {});
  if (properties.length === 0) {
    return <Typography variant="body2" color="text.secondary">This process takes no input.</Typography>;
  }
  return (
    <Box sx={{ width: "100%" }} data-testid="schema-inputs">
      {properties.map(([name, property]) => (
        <Field
          key={name}
          name={name}
          source={`${prefix}.${name}`}
          schema={property}
          root={top}
          isRequired={schema.required?.includes(name) ?? false}
        />
      ))}
    </Box>
  );
};
