/** Per-route settings: `endpoint` names the route in metrics (`holdfast_requests_total`). */
declare module 'fastify' {
  interface FastifyContextConfig {
    endpoint?: string;
  }
}
export {};
