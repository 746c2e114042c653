// Calls CodeMentor's OpenAI-compatible API with the official `openai` npm package, as an editor
// plugin or chat front-end would, and prints what it saw as one JSON line for OpenAiClientTests.
import OpenAI from 'openai';

const baseURL = process.env.CODEMENTOR_BASE_URL;
const client = new OpenAI({ baseURL, apiKey: process.env.CODEMENTOR_API_KEY, maxRetries: 0 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const completion = await client.chat.completions.create({
  model: 'codementor-tutor',
  messages: [
    { role: 'system', content: 'Always answer in French.' },
    { role: 'user', content: 'What is a loop?' },
  ],
});
out.text = completion.choices[0].message.content;
out.finish = completion.choices[0].finish_reason;
out.usage = completion.usage;

const stream = await client.chat.completions.create({
  model: 'codementor-tutor',
  messages: [{ role: 'user', content: 'Explain recursion.' }],
  stream: true,
  stream_options: { include_usage: true },
});
let streamed = '';
let chunks = 0;
let streamUsage = null;
let streamFinish = null;
for await (const chunk of stream) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? '';
  streamFinish = chunk.choices[0]?.finish_reason ?? streamFinish;
  if (chunk.usage) streamUsage = chunk.usage;
}
Object.assign(out, { streamed, chunks, streamUsage, streamFinish });

async function failure(call) {
  try {
    await call();
    return null;
  } catch (e) {
    return { status: e.status ?? null, code: e.code ?? null, name: e.constructor.name, message: e.message };
  }
}
out.badKey = await failure(() => new OpenAI({ baseURL, apiKey: 'cm_not-a-key', maxRetries: 0 }).models.list());
out.badModel = await failure(() => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
out.image = await failure(() => client.chat.completions.create({
  model: 'codementor-tutor',
  messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.org/a.png' } }] }],
}));

console.log(JSON.stringify(out));
