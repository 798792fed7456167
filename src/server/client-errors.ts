// Requests Node's HTTP parser refuses before the app sees them, answered with OpenAI's error body.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError, renderRawError } from './errors.js';

/** What Node itself would answer (431, 413, 408 or 400), said in the gateway's JSON. */
function errorFor(code: string | undefined): GatewayError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError(
        431,
        'invalid_request_error',
        'request_header_fields_too_large',
        `The request's headers are larger than the ${maxHeaderSize} bytes the gateway accepts.`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new GatewayError(
        413,
        'invalid_request_error',
        'request_too_large',
        "The request's chunk extensions are larger than the gateway accepts.",
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError(408, 'invalid_request_error', 'request_timeout', 'The request took too long to arrive.');
    default:
      return new GatewayError(400, 'invalid_request_error', 'bad_request', 'The request is not valid HTTP/1.1.');
  }
}

/** A socket with a response already under way; answering again would corrupt it. */
function answering(socket: Duplex): boolean {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return inFlight?.headersSent === true;
}

/** The server's `clientError` listener: answers when the peer can still read an answer, then closes. */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable || answering(socket)) {
    socket.destroy();
    return;
  }
  socket.end(renderRawError(errorFor(err.code), randomUUID()), () => socket.destroy());
}
