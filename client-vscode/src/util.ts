/** Small helpers shared by the glue modules; no `vscode` import. */

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolve with the promise's value, or with undefined once `ms` have passed. */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A server command's result as a message for the user, when it carries one (a string or `{message}`). */
export function resultMessage(result: unknown): string | undefined {
  if (typeof result === "string" && result.trim() !== "") {
    return result;
  }
  if (typeof result === "object" && result !== null && "message" in result) {
    const message = result.message;
    return typeof message === "string" && message.trim() !== "" ? message : undefined;
  }
  return undefined;
}
