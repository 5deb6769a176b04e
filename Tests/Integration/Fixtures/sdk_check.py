"""Drives the proxy with the official openai Python SDK: both endpoints, streaming and not.
Prints one line per check; exits non-zero on the first failure. Run by OfficialSDKTests."""
import os
import sys

import openai

client = openai.OpenAI(base_url=os.environ["PROXY_URL"] + "/v1", api_key=os.environ["PROXY_KEY"], max_retries=0)

completion = client.chat.completions.create(model="claude-sonnet-4.5", messages=[{"role": "user", "content": "hi"}])
assert completion.choices[0].message.content == "Hello from mock.", completion
assert completion.choices[0].finish_reason == "stop"
assert completion.usage.prompt_tokens == 47 and completion.usage.completion_tokens == 3, completion.usage
print("chat ok")

stream = client.chat.completions.create(model="sonnet", messages=[{"role": "user", "content": "hi"}], stream=True,
                                        stream_options={"include_usage": True})
text, usage, reasons = "", None, []
for chunk in stream:
    if chunk.choices:
        text += chunk.choices[0].delta.content or ""
        reasons.append(chunk.choices[0].finish_reason)
    if chunk.usage:
        usage = chunk.usage
assert text == "Hello from mock.", text
assert reasons[-1] == "stop" and all(r is None for r in reasons[:-1]), reasons
assert usage is not None and usage.total_tokens == 50, usage
print("chat stream ok")

response = client.responses.create(model="opus", instructions="Be brief.", input="hi")
assert response.output_text == "Hello from mock.", response
assert response.status == "completed" and response.usage.output_tokens == 3
print("responses ok")

events = list(client.responses.create(model="opus", input="hi", stream=True))
assert events[0].type == "response.created" and events[-1].type == "response.completed", [e.type for e in events]
assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "Hello from mock."
assert events[-1].response.output_text == "Hello from mock."
print("responses stream ok")

try:
    client.chat.completions.create(model="sonnet", messages=[{"role": "user", "content": "x [[scenario:err429]]"}])
    sys.exit("expected a RateLimitError")
except openai.RateLimitError as error:
    assert error.status_code == 429
print("errors ok")

try:
    openai.OpenAI(base_url=os.environ["PROXY_URL"] + "/v1", api_key="wrong", max_retries=0).models.list()
    sys.exit("expected an AuthenticationError")
except openai.AuthenticationError:
    pass
print("auth ok")

# Typed helpers: structured output into a Pydantic model, both endpoints.
from pydantic import BaseModel


class Person(BaseModel):
    name: str
    age: int


parsed = client.chat.completions.parse(
    model="sonnet", messages=[{"role": "user", "content": "who [[scenario:structured]]"}], response_format=Person)
assert parsed.choices[0].message.parsed == Person(name="Alice", age=30), parsed
print("chat parse ok")

parsed = client.responses.parse(model="sonnet", input="who [[scenario:structured]]", text_format=Person)
assert parsed.output_parsed == Person(name="Alice", age=30), parsed
print("responses parse ok")

# Streaming with reasoning: thinking arrives as reasoning_content, never as content.
reasoning, content = "", ""
for chunk in client.chat.completions.create(model="opus", reasoning_effort="high", stream=True,
                                            messages=[{"role": "user", "content": "think [[scenario:thinking]]"}]):
    if chunk.choices:
        reasoning += getattr(chunk.choices[0].delta, "reasoning_content", None) or ""
        content += chunk.choices[0].delta.content or ""
assert reasoning == "Let me think." and content == "Hello from mock.", (reasoning, content)
events = list(client.responses.create(model="opus", reasoning={"effort": "low"}, stream=True,
                                      input="think [[scenario:thinking]]"))
summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
assert summary == "Let me think.", [e.type for e in events]
assert events[-1].response.output_text == "Hello from mock."
print("reasoning ok")

# Tools: an agent loop with the SDK, chat and responses, streaming and not.
import json

weather = {"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}


def run_tool(name, arguments):
    assert name == "get_weather", name
    return "Sunny in " + json.loads(arguments)["city"]


messages = [{"role": "user", "content": "weather in Paris? [[scenario:tool_call]]"}]
first = client.chat.completions.create(model="sonnet", messages=messages, tools=[weather])
assert first.choices[0].finish_reason == "tool_calls", first
call = first.choices[0].message.tool_calls[0]
messages += [first.choices[0].message.model_dump(exclude_none=True),
             {"role": "tool", "tool_call_id": call.id, "content": run_tool(call.function.name, call.function.arguments)}]
final = client.chat.completions.create(model="sonnet", messages=messages, tools=[weather])
assert final.choices[0].message.content == "The tool said: Sunny in Alice", final
print("chat tool loop ok")

with client.chat.completions.stream(model="sonnet", tools=[weather],
                                    messages=[{"role": "user", "content": "weather? [[scenario:tool_text_call]]"}]) as stream:
    arguments_events = [event for event in stream if event.type == "tool_calls.function.arguments.delta"]
    streamed = stream.get_final_completion()
assert len(arguments_events) >= 2, arguments_events
message = streamed.choices[0].message
assert message.content == "Let me check." and streamed.choices[0].finish_reason == "tool_calls", streamed
assert message.tool_calls[0].function.name == "get_weather"
assert json.loads(message.tool_calls[0].function.arguments) == {"city": "Alice"}
print("chat tool stream ok")

flat = {"type": "function", "name": "get_weather", "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
inputs = [{"role": "user", "content": "weather? [[scenario:tool_call]]"}]
response = client.responses.create(model="sonnet", input=inputs, tools=[flat])
calls = [item for item in response.output if item.type == "function_call"]
assert len(calls) == 1, response.output
inputs += [item.model_dump(exclude_none=True) for item in response.output]
inputs.append({"type": "function_call_output", "call_id": calls[0].call_id,
               "output": run_tool(calls[0].name, calls[0].arguments)})
response = client.responses.create(model="sonnet", input=inputs, tools=[flat])
assert response.output_text == "The tool said: Sunny in Alice", response
print("responses tool loop ok")

with client.responses.stream(model="sonnet", input="weather? [[scenario:tool_text_call]]", tools=[flat]) as stream:
    deltas = [event.delta for event in stream if event.type == "response.function_call_arguments.delta"]
    final = stream.get_final_response()
assert "".join(deltas) == '{"city": "Alice"}', deltas
assert [item.type for item in final.output] == ["message", "function_call"], final.output
print("responses tool stream ok")
