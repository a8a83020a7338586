// Classifier failures go to one port, created once before the classifier and the service: the
// classifier reports each failure, the port counts it (the service's /classification/stats reads
// the count) and passes it on to the listener it was created with (metrics). Nothing reaches
// forward into an object built later.

/** Where classifier failures are reported and counted. */
export interface ClassificationErrors {
  /** One failure of the LLM path (the classifier fell back to rules). */
  report(errorType: string): void;
  /** Failures reported so far. */
  count(): number;
}

/** Creates the port; `onReport` sees every failure (metrics, logs). */
export function createClassificationErrors(onReport?: (errorType: string) => void): ClassificationErrors {
  let count = 0;
  return {
    report(errorType) {
      count++;
      onReport?.(errorType);
    },
    count: () => count,
  };
}
