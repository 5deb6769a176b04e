"""Drives the proxy's Messages front with the official anthropic Python SDK: messages.create and
messages.stream, with and without tools, a tool round trip, and the error classes. Prints one line
per check; exits non-zero on the first failure. Run by MessagesTests."""
import os
import sys

import anthropic

client = anthropic.Anthropic(base_url=os.environ["PROXY_URL"], api_key=os.environ["PROXY_KEY"], max_retries=0)

message = client.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                                  messages=[{"role": "user", "content": "hi"}])
assert message.content[0].type == "text" and message.content[0].text == "Hello from mock.", message
assert message.stop_reason == "end_turn" and message.usage.output_tokens == 3, message
print("create ok")

with client.messages.stream(model="claude-sonnet-4-5", max_tokens=100, system="Be brief.",
                            messages=[{"role": "user", "content": "think [[scenario:thinking]]"}],
                            thinking={"type": "enabled", "budget_tokens": 2048}) as stream:
    text = "".join(stream.text_stream)
    final = stream.get_final_message()
assert text == "Hello from mock.", text
assert [block.type for block in final.content] == ["thinking", "text"], final.content
assert final.content[0].thinking == "Let me think.", final.content
print("stream ok")

tools = [{"name": "get_weather", "description": "Current weather",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
messages = [{"role": "user", "content": "weather? [[scenario:tool_call]]"}]
first = client.messages.create(model="claude-sonnet-4-5", max_tokens=100, tools=tools, messages=messages)
assert first.stop_reason == "tool_use", first
use = [block for block in first.content if block.type == "tool_use"][0]
assert use.name == "get_weather" and use.input == {"city": "Alice"}, use
messages += [{"role": "assistant", "content": first.content},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Sunny"}]}]
second = client.messages.create(model="claude-sonnet-4-5", max_tokens=100, tools=tools, messages=messages)
assert second.content[0].text == "The tool said: Sunny", second
print("tool loop ok")

with client.messages.stream(model="claude-sonnet-4-5", max_tokens=100, tools=tools,
                            messages=[{"role": "user", "content": "weather? [[scenario:tool_text_call]]"}]) as stream:
    final = stream.get_final_message()
assert [block.type for block in final.content] == ["text", "tool_use"], final.content
assert final.content[1].input == {"city": "Alice"} and final.stop_reason == "tool_use", final
print("tool stream ok")

try:
    client.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                           messages=[{"role": "user", "content": "x [[scenario:err429]]"}])
    sys.exit("expected a RateLimitError")
except anthropic.RateLimitError as error:
    assert error.status_code == 429
try:
    anthropic.Anthropic(base_url=os.environ["PROXY_URL"], api_key="wrong", max_retries=0).messages.create(
        model="claude-sonnet-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    sys.exit("expected an AuthenticationError")
except anthropic.AuthenticationError as error:
    assert error.body["error"]["type"] == "authentication_error", error.body
try:
    client.messages.create(model="claude-sonnet-4-5", max_tokens=0, messages=[{"role": "user", "content": "x"}])
    sys.exit("expected a BadRequestError")
except anthropic.BadRequestError:
    pass
print("errors ok")
