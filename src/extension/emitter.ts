/** A listener's handle, the shape of vscode.Disposable. */
export interface Disposable {
  dispose(): void;
}

/** An event a listener subscribes to, shaped like vscode.Event so it can be handed to VS Code as one. */
export type Event<T> = (listener: (value: T) => unknown) => Disposable;

/** vscode.EventEmitter's job without the `vscode` runtime, so modules using it load under node:test. */
export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(value: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry = (value: T) => listener(value);
    this.listeners.add(entry);
    return { dispose: () => void this.listeners.delete(entry) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      // Like vscode.EventEmitter: one failing listener does not keep the event from the others.
      try {
        listener(value);
      } catch (error) {
        console.error(error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
