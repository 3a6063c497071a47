/** The logging the cluster needs: pino's (and so Fastify's) call shape, nothing more. */
export interface ClusterLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
  debug?(details: object, message: string): void;
}

/** A bounded, unref'd wait, so a pending retry never keeps a stopping process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
