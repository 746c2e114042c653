// A learner of a course with material asks through the official `openai` npm package, once whole and once streamed,
// and prints what the client saw of CodeMentor's course sources (a field OpenAI's shape does not have) as one JSON line.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.CODEMENTOR_BASE_URL, apiKey: process.env.CODEMENTOR_API_KEY, maxRetries: 0 });
const question = process.env.CODEMENTOR_QUESTION;
const out = {};

const completion = await client.chat.completions.create({ model: 'codementor-tutor', messages: [{ role: 'user', content: question }] });
out.text = completion.choices[0].message.content;
out.material = completion.codementor?.course_material ?? null;

const stream = await client.chat.completions.create({ model: 'codementor-tutor', messages: [{ role: 'user', content: question }], stream: true });
out.streamed = '';
out.streamMaterial = null;
for await (const chunk of stream) {
  out.streamed += chunk.choices[0]?.delta?.content ?? '';
  out.streamMaterial ??= chunk.codementor?.course_material ?? null;
}

console.log(JSON.stringify(out));
