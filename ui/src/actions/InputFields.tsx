import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";

import type { JsonSchema } from "../processes/endpoint";
import { inputFields } from "./fields";

// An action's input as a table of fields: name, type, whether it must be given.
export const InputFields = ({ schema, empty = "No input." }: { schema: JsonSchema | null | undefined; empty?: string }) => {
  const fields = inputFields(schema);
  if (fields.length === 0) {
    return <Typography variant="body2" color="text.secondary">{empty}</Typography>;
  }
  return (
    <Table size="small" data-testid="action-input-fields" sx={{ "& td, & th": { px: 1 } }}>
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>Type</TableCell>
          <TableCell>Required</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {fields.map((field) => (
          <TableRow key={field.name}>
            <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }} title={field.description}>
              {field.name}
            </TableCell>
            <TableCell sx={{ overflowWrap: "anywhere" }}>{field.type}</TableCell>
            <TableCell>{field.required ? "required" : "optional"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
