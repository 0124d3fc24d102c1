/**
 * Answers that are the same for everyone asking at the same read-model version (the agent queue,
 * its KPI tiles): made once per version and shared, also by requests that come while it is being
 * made. Only the latest version of each question is kept. A failure is not kept.
 */
export class SameForEveryone<T> {
  private readonly latest = new Map<string, { version: string; answer: Promise<T> }>();

  answer(question: string, version: string, make: () => Promise<T>): Promise<T> {
    const known = this.latest.get(question);
    if (known?.version === version) return known.answer;
    const answer = make();
    this.latest.set(question, { version, answer });
    answer.catch(() => {
      if (this.latest.get(question)?.answer === answer) this.latest.delete(question);
    });
    return answer;
  }
}
