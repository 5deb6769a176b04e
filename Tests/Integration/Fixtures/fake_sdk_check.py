"""An agent loop through the official openai SDK against the proxy in test mode (--fake-script
with the weather entries of FakeUpstreamTests), run twice: the two transcripts must be the same
but for ids and timestamps. Run by FakeUpstreamTests."""
import json
import os

import openai

client = openai.OpenAI(base_url=os.environ["PROXY_URL"] + "/v1", api_key=os.environ["PROXY_KEY"], max_retries=0)
tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def loop():
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    transcript = []
    for _ in range(4):
        reply = client.chat.completions.create(model="sonnet", messages=messages, tools=tools).choices[0]
        message = reply.message.model_dump(exclude_none=True)
        messages.append(message)
        transcript.append({"finish": reply.finish_reason, "content": reply.message.content,
                           "calls": [(c.function.name, c.function.arguments) for c in reply.message.tool_calls or []]})
        if reply.finish_reason != "tool_calls":
            return transcript
        for call in reply.message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id,
                             "content": "Sunny in " + json.loads(call.function.arguments)["city"]})
    raise SystemExit("the loop did not end")


first, second = loop(), loop()
assert first == second, (first, second)
assert first[-1]["content"] == "It is sunny, so no umbrella.", first
assert first[0]["calls"] == [("get_weather", '{"city":"Paris"}')], first
print("fake agent loop ok:", json.dumps(first))
