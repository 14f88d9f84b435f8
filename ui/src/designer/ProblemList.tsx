import { Alert, Box, Link } from "@mui/material";

import type { Definition, Problem } from "./endpoint";
import { stepOf } from "./problems";

// Every problem the API found, each naming its step and field; a click selects the step.
export const ProblemList = ({ definition, problems, onSelect }: {
  definition: Definition;
  problems: Problem[];
  onSelect: (id: string | null) => void;
}) => {
  if (problems.length === 0) {
    return <Alert severity="success" data-testid="problems">No problems: ready to publish.</Alert>;
  }
  return (
    <Alert severity="warning" data-testid="problems">
      {problems.length} problem{problems.length === 1 ? "" : "s"} to fix before publishing:
      <Box component="ul" sx={{ m: 0, pl: 2 }}>
        {problems.slice(0, 30).map((p, i) => {
          const step = stepOf(definition, p);
          return (
            <li key={i}>
              {step ? (
                <Link component="button" type="button" onClick={() => onSelect(step)}>{step}</Link>
              ) : (
                "process"
              )}
              {" · "}
              <code>{p.field}</code>: {p.message}
            </li>
          );
        })}
      </Box>
    </Alert>
  );
};
