import { createParser } from 'eventsource-parser';

/**
 * The `data` of each server-sent event, as OpenAI-compatible servers stream them (`data: <json>`,
 * `data: [DONE]` at the end), parsed by eventsource-parser. An event cut short by the end of the
 * stream is still given: a server may close right after its last `data:` line.
 */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event.data) });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* events.splice(0);
  }
  parser.feed(`${decoder.decode()}\n\n`);
  yield* events.splice(0);
}
