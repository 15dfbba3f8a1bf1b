/**
 * The control plane's own error family (not Kakao's): `{error, message}` with a 4xx status, and
 * `problems` when a persona or app failed validation. Operations throw it; the router renders it in
 * one place; in-process callers get it as a rejected promise or a thrown error.
 */
export class ControlError extends Error {
  readonly status: number;
  readonly error: string;
  readonly problems: string[] | undefined;
  constructor(status: number, error: string, message: string, problems?: string[]) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
    this.error = error;
    this.problems = problems;
  }
  toJSON(): { error: string; message: string; problems?: string[] } {
    return { error: this.error, message: this.message, ...(this.problems ? { problems: this.problems } : {}) };
  }
}

export const controlErrors = {
  badRequest: (message: string, problems?: string[]) => new ControlError(400, 'invalid_request', message, problems),
  notFound: (message: string) => new ControlError(404, 'not_found', message),
  conflict: (message: string) => new ControlError(409, 'conflict', message),
};
