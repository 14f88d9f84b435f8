import { useEffect, useState } from "react";

import { designer, type RunView } from "./endpoint";
import { finished } from "./stepRuns";

// A run's per-step view, read again every `every` ms until the run has ended (twice as slowly
// while the API answers with an error). No workflow id: nothing is read.
export function useRunView(name: string, workflowId: string | null, every = 2000) {
  const [run, setRun] = useState<RunView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      if (!workflowId) return;
      designer.run(name, workflowId).then(
        (found) => {
          if (!current) return;
          setRun(found);
          setError(null);
          if (!finished(found)) timer = setTimeout(load, every);
        },
        (e: Error) => {
          if (!current) return;
          setError(e.message);
          timer = setTimeout(load, every * 2);
        },
      );
    };
    setRun(null);
    setError(null);
    load();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [name, workflowId, every]);
  return { run, error };
}
