/** Example calls for the Local API page, ready to paste (the key appears only once one is set). */
export interface ExampleInput {
  /** e.g. http://127.0.0.1:5171/v1 */
  baseUrl: string;
  model: string;
  apiKey: string;
}

export function curlExample({ baseUrl, model, apiKey }: ExampleInput): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Bonjour !' }] });
  return [
    `curl ${baseUrl}/chat/completions \\`,
    `  -H "Content-Type: application/json" \\`,
    ...(apiKey === '' ? [] : [`  -H "Authorization: Bearer ${apiKey}" \\`]),
    `  -d '${body.replaceAll("'", "'\\''")}'`,
  ].join('\n');
}

export function pythonExample({ baseUrl, model, apiKey }: ExampleInput): string {
  return [
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url=${JSON.stringify(baseUrl)}, api_key=${JSON.stringify(apiKey === '' ? 'none' : apiKey)})`,
    'stream = client.chat.completions.create(',
    `    model=${JSON.stringify(model)},`,
    '    messages=[{"role": "user", "content": "Bonjour !"}],',
    '    stream=True,',
    ')',
    'for chunk in stream:',
    '    print(chunk.choices[0].delta.content or "", end="")',
  ].join('\n');
}
