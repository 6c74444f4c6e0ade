/**
 * A consumer that takes the data directly instead of through `readable` (see InboundStream.attach).
 * `data` returning a promise holds back further data until it settles. `data` must not throw: it
 * runs inside the connection's message dispatch.
 */
export interface InboundSink {
  data(chunk: Uint8Array): void | Promise<void>;
  end(): void;
  error(e: Error): void;
}

/**
 * Data the peer sent on one channel stream (stdout or stderr), held until the consumer reads it.
 * The ReadableStream has a high-water mark of 0, so `pull` runs only when the consumer asks for
 * more: that is the moment bytes count as consumed and the channel may re-open its window
 * (RFC 4254 §5.2). Unread data therefore never exceeds what the window let in.
 */
export class InboundStream {
  readonly readable: ReadableStream<Uint8Array>;
  private chunks: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private cancelled = false;
  private sink: InboundSink | null = null;
  /** The sink is inside `data` or its promise has not settled: hold further chunks. */
  private sinkBusy = false;
  private sinkDone = false;

  constructor(private readonly onConsumed: (n: number) => void) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.pull(controller),
        cancel: () => {
          // The consumer gave up: drop what is held and keep crediting the window for what
          // arrives later, so the other stream of the channel keeps flowing.
          this.cancelled = true;
          this.onConsumed(this.bytes);
          this.chunks = [];
          this.head = 0;
          this.bytes = 0;
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Bytes received and not yet handed to the consumer. */
  get buffered(): number {
    return this.bytes;
  }

  push(data: Uint8Array): void {
    if (this.ended || this.failure) return;
    if (this.cancelled) {
      this.onConsumed(data.length);
      return;
    }
    this.chunks.push(data);
    this.bytes += data.length;
    this.signal();
  }

  /**
   * Deliver to `sink` instead of `readable` (which must not have been read): the chunk goes
   * straight from the channel's dispatch to the consumer, without the ReadableStream's per-read
   * promises. Flow control is the same: a chunk counts as consumed once `data` has returned, or
   * its promise settled, and nothing more is delivered before that.
   */
  attach(sink: InboundSink): void {
    if (this.sink || this.readable.locked) throw new Error("the channel stream already has a reader");
    this.sink = sink;
    this.sinkBusy = true;
    // What arrived before attaching goes out from a fresh microtask, never from inside attach().
    queueMicrotask(() => {
      this.sinkBusy = false;
      this.flush();
    });
  }

  private flush(): void {
    const sink = this.sink!;
    if (this.sinkBusy) return;
    this.sinkBusy = true;
    while (this.head < this.chunks.length) {
      const chunk = this.take();
      const wait = sink.data(chunk);
      if (wait) {
        const next = () => {
          this.sinkBusy = false;
          this.onConsumed(chunk.length);
          this.flush();
        };
        wait.then(next, next);
        return;
      }
      this.onConsumed(chunk.length);
    }
    this.sinkBusy = false;
    if ((this.ended || this.failure) && !this.sinkDone) {
      this.sinkDone = true;
      if (this.failure) sink.error(this.failure);
      else sink.end();
    }
  }

  private take(): Uint8Array {
    const chunk = this.chunks[this.head]!;
    this.chunks[this.head++] = EMPTY;
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    } else if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    }
    this.bytes -= chunk.length;
    return chunk;
  }

  /** EOF: the consumer gets everything already received, then the end. */
  end(): void {
    this.ended = true;
    this.signal();
  }

  /** Connection lost: the consumer sees the error after the data already received. */
  error(e: Error): void {
    if (this.ended) return;
    this.failure = e;
    this.signal();
  }

  /** Something to deliver (data, end or failure): to the sink, or to a waiting `pull`. */
  private signal(): void {
    if (this.sink) return this.flush();
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (this.head === this.chunks.length && !this.ended && !this.failure) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.head < this.chunks.length) {
      const chunk = this.take();
      controller.enqueue(chunk);
      this.onConsumed(chunk.length);
      return;
    }
    if (this.failure) controller.error(this.failure);
    else controller.close();
  }
}

const EMPTY = new Uint8Array(0);
