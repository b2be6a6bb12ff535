// Runs the official TypeScript SDK against the simulator at SIM_BASE_URL and prints one JSON line.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.env.SIM_BASE_URL, apiKey: 'sk-ant-test', maxRetries: 2, timeout: 20000 });
const params = {
  model: 'claude-haiku-4-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello from TypeScript, simulator.' }],
};

// create: the Java side queued one 429 first, which the SDK retries by itself
const { data: created, response } = await client.messages.create(params).withResponse();

// stream through the SDK's helper, accumulating text deltas
const helper = client.messages.stream(params);
let deltaText = '';
helper.on('text', (t) => { deltaText += t; });
const streamed = await helper.finalMessage();

// the raw event sequence
const types = [];
const raw = await client.messages.create({ ...params, stream: true });
for await (const event of raw) types.push(event.type);

const counted = await client.messages.countTokens({ model: params.model, messages: params.messages });

console.log(JSON.stringify({
  created,
  streamed,
  deltaText,
  types,
  counted,
  headers: {
    requestId: response.headers.get('request-id'),
    requestsLimit: response.headers.get('anthropic-ratelimit-requests-limit'),
    tokensRemaining: response.headers.get('anthropic-ratelimit-tokens-remaining'),
  },
}));
