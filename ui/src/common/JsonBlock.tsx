import { Box, Typography } from "@mui/material";

// Any JSON value, readable and scrollable on a phone.
export const JsonBlock = ({ value, label }: { value: unknown; label?: string }) => (
  <Box sx={{ my: 1, minWidth: 0 }}>
    {label && (
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
    )}
    <Box
      component="pre"
      data-testid={label ? `json-${label.toLowerCase().replace(/\W+/g, "-")}` : undefined}
      sx={{ m: 0, p: 1, bgcolor: "action.hover", borderRadius: 1, overflowX: "auto", fontSize: 12, maxWidth: "100%" }}
    >
      {value === undefined || value === null ? "—" : JSON.stringify(value, null, 2)}
    </Box>
  </Box>
);
