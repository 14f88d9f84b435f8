// A docstring's ``literal`` spans (reStructuredText) shown as code.
export const Summary = ({ text }: { text: string }) => (
  <>
    {text.split(/``([^`]+)``/).map((part, index) =>
      index % 2 ? <code key={index}>{part}</code> : part,
    )}
  </>
);
