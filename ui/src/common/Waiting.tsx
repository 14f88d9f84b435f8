import { Box, LinearProgress, Typography } from "@mui/material";

// Shown for anything that takes more than a moment (a health check, a run, a dry-run).
export const Waiting = ({ label }: { label: string }) => (
  <Box sx={{ my: 1 }} role="progressbar" aria-label={label} data-testid="waiting">
    <Typography variant="body2" color="text.secondary">
      {label}
    </Typography>
    <LinearProgress />
  </Box>
);
