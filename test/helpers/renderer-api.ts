/** The renderer client's ApiError for tests that mock src/renderer/src/api/client (the real module needs a window). */
export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}
