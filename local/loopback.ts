import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Starts `server` on the loopback interface and returns the port it got (port 0
 * lets the kernel pick a free one, so parallel tests never collide). A port in
 * use rejects with the server's error instead of crashing the process.
 */
export async function listenOnLoopback(
  server: Server,
  port = 0,
  host = "127.0.0.1",
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
