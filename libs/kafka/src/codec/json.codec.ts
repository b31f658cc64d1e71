import { MessageDecodeException } from '../exceptions/message-decode.exception';
import { JSON_CONTENT_TYPE } from '../kafka.constants';

/** Turns payloads into bytes and back. */
export interface PayloadCodec {
  readonly contentType: string;
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

/** UTF-8 JSON. Refuses values JSON cannot carry faithfully (cycles, BigInt, functions). */
export class JsonCodec implements PayloadCodec {
  readonly contentType = JSON_CONTENT_TYPE;

  encode(value: unknown): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw new TypeError(`Payload is not serialisable to JSON: ${(e as Error).message}`);
    }
    if (text === undefined) throw new TypeError('Payload is not serialisable to JSON: it encodes to nothing');
    return Buffer.from(text, 'utf8');
  }

  decode(bytes: Buffer): unknown {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new MessageDecodeException('malformed-payload', `value is not valid JSON (${(e as Error).message})`);
    }
  }
}

export const jsonCodec = new JsonCodec();
