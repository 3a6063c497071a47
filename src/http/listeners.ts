/**
 * Opens a built holdfast's ports: HTTP on `--http-port`, HTTPS on `--https-port` when a
 * certificate is configured, and the management interface on `--http-management-port` when
 * health or metrics are enabled, all on `--http-host`. Answers the ports actually bound (port 0
 * picks a free one, for tests).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Holdfast } from '../app.ts';
import type { Config } from '../config/index.ts';

export interface ListeningPorts {
  http: number;
  https?: number;
  management?: number;
}

export async function listen(holdfast: Holdfast, config: Config): Promise<ListeningPorts> {
  const { app, management, httpsServer } = holdfast;
  await app.listen({ port: config.httpPort, host: config.httpHost });
  const ports: ListeningPorts = { http: (app.server.address() as AddressInfo).port };
  if (httpsServer) {
    httpsServer.listen(config.httpsPort, config.httpHost);
    await Promise.race([once(httpsServer, 'listening'), once(httpsServer, 'error').then(([error]) => Promise.reject(error))]);
    ports.https = (httpsServer.address() as AddressInfo).port;
  }
  if (config.healthEnabled || config.metricsEnabled) {
    await management.listen({ port: config.httpManagementPort, host: config.httpHost });
    ports.management = (management.server.address() as AddressInfo).port;
  }
  return ports;
}
