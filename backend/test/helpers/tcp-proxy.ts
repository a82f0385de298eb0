import net from "node:net";

/** A TCP relay to a real server that can be frozen: connections stay open, but nothing passes either way. */
export interface TcpProxy {
  port: number;
  /** Stops relaying (open connections hang; new ones are accepted and hang too), like a frozen server. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/**
 * Relaying is by pipes, attached while thawed and detached while frozen: a paused socket that is still piped
 * can be resumed by its pipe (the other side's `drain` resumes it), and bytes would slip through a freeze.
 */
const relay = ([a, b]: [net.Socket, net.Socket]) => {
  a.pipe(b);
  b.pipe(a);
};
const hold = ([a, b]: [net.Socket, net.Socket]) => {
  a.unpipe(b);
  b.unpipe(a);
  a.pause();
  b.pause();
};

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let frozen = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    if (frozen) hold(pair);
    else relay(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true;
      pairs.forEach(hold);
    },
    thaw() {
      frozen = false;
      pairs.forEach(relay);
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
